"""``Plan.to_markdown()``: the plan as a Markdown document."""

from __future__ import annotations

from footmap._plan import Plan, PlanItem
from footmap.render._common import TRIAGE_HEADLINES, dosage_line, section_items


def to_markdown(plan: Plan) -> str:
    """The plan as Markdown: triage, safety, each section, what was left out, the disclaimer."""
    lines = ["# Your foot plan", "", f"**{TRIAGE_HEADLINES[plan.triage]}**", ""]
    if plan.safety:
        lines += ["## Safety", ""]
        lines += [f"- **{m.level}**: {m.message}" for m in plan.safety]
        lines.append("")
    for title, items in section_items(plan):
        if items:
            lines += [f"## {title}", ""]
            for number, item in enumerate(items, start=1):
                lines += _item(number, item)
    if plan.routine or plan.reflexology:
        lines += [f"Time: about {plan.minutes_per_day:g} of your {plan.budget_minutes} minutes a day.", ""]
    if plan.excluded:
        lines += ["## Left out", ""]
        lines += [f"- {e.name}: {e.reason}" for e in plan.excluded]
        lines.append("")
    lines += ["---", "", f"*{plan.disclaimer}*", ""]
    return "\n".join(lines)


def _item(number: int, item: PlanItem) -> list[str]:
    lines = [f"### {number}. {item.name}", "", item.summary, ""]
    dosage = dosage_line(item.dosage)
    details = [f"{item.minutes:g} min a day"] if item.minutes and item.dosage else []
    if item.position:
        details.append(f"position: {item.position}")
    if item.equipment:
        details.append(f"equipment: {', '.join(item.equipment)}")
    details.append(f"evidence: {item.evidence_label}")
    lines += [f"*{'; '.join(details)}*", ""]
    if dosage:
        lines += [f"**Dose:** {dosage}", ""]
    lines += [f"{index}. {step}" for index, step in enumerate(item.steps, start=1)]
    lines.append("")
    lines += [f"- Why: {summary} (for: {', '.join(facts)})" for summary, facts in _why(item)]
    lines += [f"- Caution: {caution.message}" for caution in item.cautions]
    lines.append("")
    return lines


def _why(item: PlanItem) -> list[tuple[str, list[str]]]:
    """Each distinct reason once, with the reported facts it answers."""
    facts: dict[str, list[str]] = {}
    for reason in item.why:
        name = reason.path_names[0] if reason.path_names else reason.fact
        named = facts.setdefault(reason.summary, [])
        if name not in named:
            named.append(name)
    return list(facts.items())
