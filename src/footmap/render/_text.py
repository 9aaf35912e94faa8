"""The ``text`` renderer (a plan to read on a terminal) and the ``explain`` renderer
(``Plan.explain()``: every item and the reasoning behind it, as a trace).

Plain text that reads as it is: titles underlined, lists indented, long lines wrapped, no
Markdown marks; the sources cited once, numbered, at the end.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from footmap.render._common import (
    Citations,
    headline,
    leading_messages,
    left_out_groups,
    other_messages,
    path_line,
    readable,
    reason_groups,
    schedule_rows,
    section_items,
    with_mark,
)
from footmap.render._markdown import change_sentences

if TYPE_CHECKING:
    from footmap._knowledge.schema import Wording
    from footmap._plan import Excluded, Plan, PlanItem

#: The width text is wrapped to: a terminal's 80 columns, less a margin.
WIDTH = 78


def to_text(plan: Plan, wording: Wording) -> str:
    """The plan as plain text to read on a terminal: what to do first, each item, why, sources.

    >>> import footmap
    >>> text = to_text(footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}),
    ...                footmap.KnowledgeBase.load().wording)
    >>> text.splitlines()[:2]
    ['Your foot plan', '==============']
    """
    citations = Citations(plan.tables)
    lines = [*_title(wording.markdown.title, "="), "", *_wrap(headline(plan, wording))]
    leading = leading_messages(plan)
    if leading:
        if plan.triage == "urgent":
            lines += ["", *_wrap(wording.display.now + ":")]
        lines += _bullets([_marked(m.message, citations.mark(m.source, wording)) for m in leading])
    if plan.safety_net:
        lines += ["", *_wrap(wording.markdown.safety_net + ":")]
        lines += _bullets([_marked(s.message, citations.mark(s.source, wording)) for s in plan.safety_net])
    others = other_messages(plan)
    if others:
        lines += ["", *_wrap(wording.markdown.safety + ":")]
        lines += _bullets([_marked(m.message, citations.mark(m.source, wording)) for m in others])
    lines += _changes(plan, wording)
    for title, items in section_items(plan, wording):
        if items:
            lines += ["", *_title(title, "-")]
            for number, item in enumerate(items, start=1):
                lines += [*_item(item, f"{number}. ", wording, citations), ""]
            lines.pop()
    if plan.routine or plan.reflexology or plan.acupressure:
        time = wording.markdown.time.format(minutes=f"{plan.minutes_per_day:g}", budget=plan.budget_minutes)
        lines += ["", *_wrap(time)]
    lines += _readable_schedule(plan, wording)
    if plan.excluded:
        lines += ["", *_title(wording.markdown.left_out, "-")]
        for reason, names in left_out_groups(plan):
            lines += _bullets([reason])
            lines += _bullets(names, "  ")
    lines += _sources(citations, wording)
    lines += ["", *_wrap(plan.disclaimer)]
    return "\n".join(lines)


def item_text(item: PlanItem, wording: Wording) -> str:
    """One item as plain text, with the sources it cites."""
    citations = Citations(item.tables)
    return "\n".join([*_item(item, "", wording, citations), *_sources(citations, wording)])


def _item(item: PlanItem, prefix: str, wording: Wording, citations: Citations) -> list[str]:
    words = wording.display
    indent = " " * len(prefix) if prefix else "   "
    lines = _wrap(f"{prefix}{item.name}", "", " " * len(prefix))
    lines += _wrap(item.summary, indent)
    if item.dosage:
        dose = item.dosage.words or item.dosage.text
        lines += _wrap(words.dose.format(dose=dose), indent, indent + "  ")
        for note in item.dosage.notes:
            lines += _wrap(wording.markdown.adjusted.format(note=note), indent, indent + "  ")
    facts = []
    if item.dosage and item.minutes:
        facts.append(words.minutes.format(minutes=f"{item.minutes:g}"))
    if item.position:
        facts.append(words.position.format(position=readable(item.position)))
    if item.equipment:
        facts.append(words.equipment.format(equipment=", ".join(readable(e) for e in item.equipment)))
    if facts:
        lines += _wrap(" · ".join(facts), indent, indent + "  ")
    lines += _wrap(words.evidence.format(label=item.evidence_label), indent, indent + "  ")
    if item.cautions:
        lines += _wrap(words.cautions + ":", indent)
        lines += _bullets(
            [_marked(c.message, citations.mark(c.source, wording)) for c in item.cautions], indent
        )
    if len(item.steps) == 1:
        lines += _wrap(item.steps[0], indent)
    elif item.steps:
        lines += _wrap(words.how + ":", indent)
        for number, step in enumerate(item.steps, start=1):
            lines += _wrap(step, f"{indent}  {number}) ", f"{indent}     ")
    groups = reason_groups(item, wording)
    if groups:
        lines += _wrap(words.why + ":", indent)
    for group in groups:
        lines += _wrap(
            _marked(group.summary, citations.mark(group.source, wording)), f"{indent}  - ", f"{indent}    "
        )
        details = [words.for_facts.format(facts=", ".join(group.facts))] if group.facts else []
        details += [wording.markdown.why_path.format(path=path) for path in group.paths]
        details += [words.rule.format(rule=rule) for rule in group.rules]
        for detail in details:
            lines += _wrap(detail, f"{indent}    ", f"{indent}      ")
    return lines


def _readable_schedule(plan: Plan, wording: Wording) -> list[str]:
    """The schedule week by week, one paragraph a week, then when to move up or down a step."""
    words = wording.schedule
    if not plan.schedule.items:
        return []
    lines = ["", *_title(words.title, "-"), *_wrap(words.intro.format(weeks=plan.schedule.weeks))]
    for row in schedule_rows(plan, wording):
        lines += ["", *_wrap(f"{words.week} {row.week}: {row.days}; {row.minutes}. {row.changes}", "", "  ")]
    lines += ["", *_wrap(words.when_to_move)]
    lines += _bullets([note.text for note in plan.schedule.notes])
    return lines


def _marked(text: str, mark: str) -> str:
    """A text and its citation mark, kept on one line when the text is wrapped."""
    return f"{text}\u00a0{mark}" if mark else text


def _sources(citations: Citations, wording: Wording) -> list[str]:
    entries = citations.entries()
    if not entries:
        return []
    lines = ["", *_title(wording.display.sources, "-")]
    for number, source in entries:
        mark = wording.display.citation.format(number=number)
        lines += _wrap(f"{mark} {source}", "", " " * (len(mark) + 1))
    return lines


def _title(text: str, underline: str) -> list[str]:
    return [text, underline * len(text)]


def _bullets(texts: list[str], indent: str = "") -> list[str]:
    return [line for text in texts for line in _wrap(text, f"{indent}  - ", f"{indent}    ")]


def _wrap(text: str, first: str = "", rest: str | None = None) -> list[str]:
    """``text`` wrapped to :data:`WIDTH`, the first line after ``first``, the rest after ``rest``."""
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=first if rest is None else rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def explain(plan: Plan, wording: Wording) -> str:
    """The reasoning behind a plan as a trace: triage, then each item with its facts, paths,
    rules and evidence; the sources numbered once at the end."""
    words = wording.explain
    citations = Citations(plan.tables)
    lines = [words.triage.format(level=plan.triage, headline=headline(plan, wording))]
    if plan.safety_net:
        lines.append("  " + words.safety_net)
        lines += [
            "    "
            + words.safety_net_sign.format(
                message=sign.message, rule=sign.rule, source=citations.mark(sign.source, wording)
            )
            for sign in plan.safety_net
        ]
    lines += [
        "  "
        + words.safety.format(
            level=m.level,
            message=m.message,
            rule=m.rule,
            facts=", ".join(m.facts) or "-",
            source=citations.mark(m.source, wording),
        )
        for m in plan.safety
    ]
    for title, items in section_items(plan, wording):
        if items:
            lines += ["", f"{title}:"]
            for item in items:
                lines += _explain_item(item, wording, citations)
    lines += _schedule(plan, wording, citations)
    if plan.excluded:
        lines += ["", words.left_out]
        lines += ["  " + _excluded(entry, wording, citations) for entry in plan.excluded]
    if citations.entries():
        lines += ["", f"{wording.display.sources}:"]
        lines += [
            f"  {wording.display.citation.format(number=number)} {source}"
            for number, source in citations.entries()
        ]
    lines += ["", plan.disclaimer]
    return "\n".join(lines)


def _excluded(entry: Excluded, wording: Wording, citations: Citations) -> str:
    """One item left out, with its reason, and the rule and the mark of its source, if any."""
    words = wording.explain
    line = words.excluded.format(name=entry.name, id=entry.id, reason=entry.reason)
    line = f"{line} {words.excluded_rule.format(rule=entry.rule)}" if entry.rule else line
    return with_mark(line, citations.mark(entry.source, wording)) if entry.source else line


def _explain_item(item: PlanItem, wording: Wording, citations: Citations) -> list[str]:
    words = wording.explain
    time = words.time.format(minutes=f"{item.minutes:g}") if item.dosage else ""
    lines = [
        words.item.format(
            name=item.name, id=item.id, time=time, evidence=item.evidence, label=item.evidence_label
        )
    ]
    seen: set[str] = set()
    for reason in item.why:
        rule = words.by_rule.format(rule=reason.rule) if reason.rule else ""
        why = words.why.format(
            summary=reason.summary,
            fact=reason.fact,
            path=path_line(reason, item.tables) or words.path_by_rule,
            rule=rule,
            evidence=reason.evidence,
            source=citations.mark(reason.source, wording),
        )
        if why not in seen:  # the same reason twice says nothing more
            seen.add(why)
            lines.append(f"    {why}")
    lines += [f"    {words.caution.format(message=c.message, rule=c.rule)}" for c in item.cautions]
    if item.dosage and item.dosage.adjusted_by:
        lines.append(f"    {words.adjusted_by.format(rules=', '.join(item.dosage.adjusted_by))}")
    return lines


def _changes(plan: Plan, wording: Wording) -> list[str]:
    """What the session logs changed, under its own heading (none without changes)."""
    sentences = change_sentences(plan, wording)
    return ["", *_title(wording.changes.title, "-"), *_bullets(sentences)] if sentences else []


def _schedule(plan: Plan, wording: Wording, citations: Citations) -> list[str]:
    """The schedule, one line a week (days, minutes, what changes), then the rules it follows,
    each with its rule and the mark of its source."""
    words, schedule = wording.schedule, plan.schedule
    if not schedule.items:
        return []
    day_names = dict(enumerate(words.day_names, start=1))
    others = plan.minutes_per_day - sum(item.minutes for item in plan.routine)  # done every day
    lines = ["", f"{words.title}:", "  " + words.intro.format(weeks=schedule.weeks)]
    lines += [
        "  " + words.item_days.format(name=item.id, days=", ".join(day_names[d] for d in item.days))
        for item in schedule.items
        if len(item.days) < len(day_names)
    ]
    for week in schedule.by_week():
        rest = [day_names[d] for d in week.rest_days]
        days = words.rest.format(days=", ".join(rest)) if rest else words.every_day
        most = max(day.minutes for day in week.days) + others
        minutes = words.minutes_a_day.format(minutes=f"{round(most, 2):g}")
        changes = [
            words.change.format(name=item.id, change=f"{step.change} [step {step.position:+d}]")
            for item in schedule.items
            if (step := item.step_in(week.week)).week == week.week and step.change
        ]
        said = " ".join(changes) or (words.start if week.week == 1 else words.no_change)
        lines.append(f"  {words.week} {week.week}: {days}; {minutes}; {said}")
    lines.append("  " + words.when_to_move)
    lines += [
        f"    - {note.text} (rule {note.rule}; source: {citations.mark(note.source, wording)})"
        for note in schedule.notes
    ]
    return lines
