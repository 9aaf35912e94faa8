"""The ``text`` renderer (``Plan.explain()``): every item and the reasoning behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from footmap.render._common import headline, path_line, section_items

if TYPE_CHECKING:
    from footmap._knowledge.schema import Wording
    from footmap._plan import Excluded, Plan, PlanItem


def explain(plan: Plan, wording: Wording) -> str:
    """The reasoning behind a plan: triage, then each item with its facts, paths, rules, evidence."""
    words = wording.explain
    lines = [words.triage.format(level=plan.triage, headline=headline(plan, wording))]
    if plan.safety_net:
        lines.append("  " + words.safety_net)
        lines += [
            "    " + words.safety_net_sign.format(message=sign.message, rule=sign.rule, source=sign.source)
            for sign in plan.safety_net
        ]
    lines += [
        "  "
        + words.safety.format(
            level=m.level, message=m.message, rule=m.rule, facts=", ".join(m.facts) or "-", source=m.source
        )
        for m in plan.safety
    ]
    for title, items in section_items(plan, wording):
        if items:
            lines += ["", f"{title}:"]
            for item in items:
                lines += _explain_item(item, wording)
    if plan.excluded:
        lines += ["", words.left_out]
        lines += ["  " + _excluded(entry, wording) for entry in plan.excluded]
    lines += ["", plan.disclaimer]
    return "\n".join(lines)


def _excluded(entry: Excluded, wording: Wording) -> str:
    words = wording.explain
    line = words.excluded.format(name=entry.name, id=entry.id, reason=entry.reason)
    return f"{line} {words.excluded_rule.format(rule=entry.rule)}" if entry.rule else line


def _explain_item(item: PlanItem, wording: Wording) -> list[str]:
    words = wording.explain
    time = words.time.format(minutes=f"{item.minutes:g}") if item.dosage else ""
    lines = [
        words.item.format(
            name=item.name, id=item.id, time=time, evidence=item.evidence, label=item.evidence_label
        )
    ]
    for reason in item.why:
        rule = words.by_rule.format(rule=reason.rule) if reason.rule else ""
        why = words.why.format(
            summary=reason.summary,
            fact=reason.fact,
            path=path_line(reason) or words.path_by_rule,
            rule=rule,
            evidence=reason.evidence,
            source=reason.source,
        )
        lines.append(f"    {why}")
    lines += [f"    {words.caution.format(message=c.message, rule=c.rule)}" for c in item.cautions]
    if item.dosage and item.dosage.adjusted_by:
        lines.append(f"    {words.adjusted_by.format(rules=', '.join(item.dosage.adjusted_by))}")
    return lines
