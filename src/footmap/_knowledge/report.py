"""The safety page (``docs/safety.md``), generated from the knowledge so that it cannot drift.

Regenerate with ``footmap knowledge report > docs/safety.md``; a test fails when the
page and the knowledge disagree.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from footmap._kinds import EFFECT_KINDS, EffectKind
from footmap._knowledge import schema
from footmap._knowledge.base import KnowledgeBase

#: The title of each effect kind's table.
_TITLES: dict[EffectKind, str] = {
    "refer": "Red flags (triage)",
    "exclude": "Exclusions",
    "caution": "Cautions",
    "adjust": "Dosage adjustments",
    "safety_net": "Safety-netting (when to get help today)",
    "progress": "Moving up a step (from the session logs)",
    "regress": "Stepping back (from the session logs)",
}
#: How a ``reported_as`` edge (relevance, not a claim) shows in the evidence column.
_NOT_GRADED = "not graded (a report)"
_OPERATORS = {"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}


def safety_report(knowledge: KnowledgeBase) -> str:
    """Every red flag, exclusion, caution, precaution, safety review and evidence grade, sourced."""
    rules = sorted(knowledge.knowledge.rules, key=lambda rule: rule.id)
    lines = [
        "# Safety and evidence in the shipped knowledge",
        "",
        "Generated from `knowledge/` by `footmap knowledge report > docs/safety.md`;"
        " a test fails when this page and the knowledge disagree. Do not edit by hand.",
        "",
        *(
            line
            for effect in EFFECT_KINDS
            for line in _rule_table(_TITLES[effect], [r for r in rules if r.effect == effect], knowledge)
        ),
        *_precautions(knowledge),
        *_reviews(knowledge),
        *_departures(knowledge),
        *_progressions(knowledge),
        *_evidence(knowledge),
        *_sources(knowledge),
    ]
    return "\n".join(lines)


def describe_condition(condition: schema.Condition) -> str:
    """A rule's ``when`` in words: ``symptom saddle_numbness and pain (severity ≥ 8)``."""
    joiner = " and " if condition.all is not None else " or "
    return joiner.join(_describe_pattern(pattern) for pattern in condition.patterns)


def _describe_pattern(pattern: schema.Pattern) -> str:
    words = [pattern.fact.replace("_", " ")]
    if pattern.is_ is not None:
        words.append(pattern.is_)
    tests = [_describe_test(name, value) for name, value in sorted(pattern.where.items())]
    if tests:
        words.append(f"({', '.join(tests)})")
    text = " ".join(words)
    return f"no {text}" if pattern.absent else text


def _describe_test(name: str, value: schema.Scalar | schema.Comparison) -> str:
    if not isinstance(value, schema.Comparison):
        return f"{name} = {_scalar(value)}"
    operator = value.operator
    operand = getattr(value, operator)
    if operator == "one_of":
        return f"{name} in {', '.join(_scalar(v) for v in operand)}"
    if operator == "ref":
        return f"{name} = {operand}"
    return f"{name} {_OPERATORS[operator]} {_scalar(operand)}"


def _scalar(value: schema.Scalar) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rule_table(title: str, rules: list[schema.Rule], knowledge: KnowledgeBase) -> list[str]:
    lines = [f"## {title}", "", "| rule | level | when | says | source |", "| --- | --- | --- | --- | --- |"]
    lines += [
        f"| `{rule.id}` | {rule.level or rule.effect} | {_cell(describe_condition(rule.when))}"
        f" | {_cell(rule.message + _also(rule))} | {_cell(_cite(knowledge, rule.source))} |"
        for rule in rules
    ]
    return [*lines, ""]


def _also(rule: schema.Rule) -> str:
    """What a rule's message does besides saying it: the items it rules out, or that it reassures."""
    notes = []
    if rule.forbids is not None:
        tests = ", ".join(_describe_test(name, value) for name, value in sorted(rule.forbids.where.items()))
        notes.append(f"Leaves out items ({tests}): {rule.forbids.reason}")
    if rule.reassures:
        notes.append("Reassures: never shown beside a referral.")
    return "".join(f" *{note}*" for note in notes)


def _items(knowledge: KnowledgeBase) -> Iterable[tuple[str, schema.Item]]:
    return sorted(knowledge.items.items())


def _table(title: str, columns: list[str], rows: Iterable[str]) -> list[str]:
    """A titled Markdown table: its heading, header row, rule and rows, then a blank line."""
    header = "| " + " | ".join(columns) + " |"
    rule = "| " + " | ".join("---" for _ in columns) + " |"
    return [f"## {title}", "", header, rule, *rows, ""]


def _precautions(knowledge: KnowledgeBase) -> list[str]:
    rows = (
        f"| `{ident}` | `{p.id}` | {p.effect} | {_cell(describe_condition(p.when))}"
        f" | {_cell(p.reason)} | {_cell(_cite(knowledge, p.source))} |"
        for ident, item in _items(knowledge)
        for p in item.precautions
    )
    columns = ["item", "precaution", "effect", "when", "reason", "source"]
    return _table("Precautions on single items", columns, rows)


def _departures(knowledge: KnowledgeBase) -> list[str]:
    """Where items depart from the seed article, and why (seed fidelity, auditable)."""
    rows = (
        f"| `{ident}` | {_cell(item.seed or '')} | {_cell(d.change)} | {d.reason} | {_cell(d.why)} |"
        for ident, item in _items(knowledge)
        for d in item.departures
    )
    columns = ["item", "seed section", "change", "reason", "why"]
    return _table("Departures from the seed article", columns, rows)


def _progressions(knowledge: KnowledgeBase) -> list[str]:
    """The pain-monitoring checks, rest-day rules and every ladder step (``progressions.yaml``)."""
    progressions = knowledge.knowledge.progressions
    checks = (
        f"| `{c.id}` | {c.move} | {c.pain_limit}/10 | {_cell(c.text)} | {_cell(_cite(knowledge, c.source))} |"
        for c in progressions.monitoring
    )
    rests = (
        f"| `{r.id}` | {', '.join(r.training)} | {', '.join(map(str, r.days))} | {_cell(r.text)}"
        f" | {_cell(_cite(knowledge, r.source))} |"
        for r in progressions.rest
    )
    steps = (
        f"| `{ladder.id}` | {ladder.training} | {position:+d} | {step.after_weeks or ''}"
        f" | {step.variant or ''} | {_cell(step.description)} | `{step.condition}` | `{step.source}` |"
        for ladder in progressions.ladders
        for way, sign in (("up", 1), ("down", -1))
        for position, step in ((sign * n, s) for n, s in enumerate(ladder.steps(way), start=1))  # type: ignore[arg-type]
    )
    return [
        *_table(
            "Pain monitoring: when a step is taken", ["check", "move", "pain limit", "says", "source"], checks
        ),
        *_table("Rest days", ["rule", "training", "days (1 = Monday)", "says", "source"], rests),
        *_table(
            "Progression ladders",
            ["exercise", "training", "step", "planned after weeks", "variant", "says", "check", "source"],
            steps,
        ),
    ]


def _reviews(knowledge: KnowledgeBase) -> list[str]:
    lines = [
        "## Contraindication review of every item",
        "",
        "| item | kind | kept while waiting | review | source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for ident, item in _items(knowledge):
        review = item.safety_review
        summary = _cell(review.summary) if review else "**missing**"
        source = _cell(_cite(knowledge, review.source)) if review else ""
        lines.append(
            f"| `{ident}` | {knowledge.item_kinds[ident]} | {_while_waiting(item)} | {summary} | {source} |"
        )
    return [*lines, ""]


def _while_waiting(item: schema.Item) -> str:
    """Whether a ``see_clinician`` plan keeps the item, and why."""
    if item.gentle:
        return "yes (gentle)"
    return "yes (guideline care)" if item.while_waiting else "no"


def _evidence(knowledge: KnowledgeBase) -> list[str]:
    lines = ["## Evidence of every item", "", "| item | evidence | source |", "| --- | --- | --- |"]
    lines += [
        f"| `{ident}` | {item.evidence} | {_cell(_cite(knowledge, item.source))} |"
        for ident, item in _items(knowledge)
    ]
    lines += [
        "",
        "## Evidence of every claim (graph edge)",
        "",
        "| claim | from | to | relation | evidence | reason | source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    edges = sorted(knowledge.graph.edges(keys=True, data=True), key=lambda edge: edge[2])
    lines += [
        f"| `{key}` | {source} | {target} | {data['relation']} | {data['evidence'] or _NOT_GRADED}"
        f" | {_cell(data['reason'])} | {_cell(_cite(knowledge, data['source']))} |"
        for source, target, key, data in edges
    ]
    return [*lines, ""]


def _sources(knowledge: KnowledgeBase) -> list[str]:
    lines = ["## Sources", ""]
    lines += [
        f"- `{ident}` ({source.kind}): {_cell(source.citation)}" + (f" <{source.url}>" if source.url else "")
        for ident, source in sorted(knowledge.sources.items())
    ]
    return [*lines, ""]


def _cite(knowledge: KnowledgeBase, source: str) -> str:
    return f"`{source}`" if source in knowledge.sources else f"`{source}` (unknown)"


if __name__ == "__main__":
    sys.stdout.write(safety_report(KnowledgeBase.load()))
