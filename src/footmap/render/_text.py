"""``Plan.explain()``: every item and the reasoning behind it, as plain text."""

from __future__ import annotations

from footmap._plan import Plan, PlanItem
from footmap.render._common import TRIAGE_HEADLINES, path_line, section_items


def explain(plan: Plan) -> str:
    """The reasoning behind a plan: triage, then each item with its facts, paths, rules, evidence."""
    lines = [f"Triage: {plan.triage}. {TRIAGE_HEADLINES[plan.triage]}"]
    lines += [
        f"  [{m.level}] {m.message} (rule {m.rule}; facts: {', '.join(m.facts) or '-'}; source: {m.source})"
        for m in plan.safety
    ]
    for title, items in section_items(plan):
        if items:
            lines += ["", f"{title}:"]
            for item in items:
                lines += _explain_item(item)
    if plan.excluded:
        lines += ["", "Left out:"]
        lines += [
            f"  - {e.name} ({e.id}): {e.reason}" + (f" (rule {e.rule})" if e.rule else "")
            for e in plan.excluded
        ]
    lines += ["", plan.disclaimer]
    return "\n".join(lines)


def _explain_item(item: PlanItem) -> list[str]:
    time = f", {item.minutes:g} min a day" if item.dosage else ""
    lines = [f"- {item.name} ({item.id}){time}; evidence: {item.evidence} ({item.evidence_label})"]
    for reason in item.why:
        via = path_line(reason) or "rule"
        rule = f"; rule {reason.rule}" if reason.rule else ""
        lines.append(
            f"    why: {reason.summary} [fact {reason.fact}; path {via}{rule};"
            f" evidence {reason.evidence}; source: {reason.source}]"
        )
    lines += [f"    caution: {c.message} (rule {c.rule})" for c in item.cautions]
    if item.dosage and item.dosage.adjusted_by:
        lines.append(f"    dosage adjusted by: {', '.join(item.dosage.adjusted_by)}")
    return lines
