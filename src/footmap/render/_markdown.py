"""The ``md`` renderer: the plan as a Markdown document."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from footmap.render._common import distinct_reasons, dosage_line, graded_paths, headline, section_items

if TYPE_CHECKING:
    from footmap._knowledge.schema import Wording
    from footmap._plan import Plan, PlanItem


def to_markdown(plan: Plan, wording: Wording) -> str:
    """The plan as Markdown: triage, safety, each section, what was left out, the disclaimer."""
    words = wording.markdown
    lines = [f"# {words.title}", "", f"**{headline(plan, wording)}**", ""]
    if plan.safety_net:
        lines += [f"## {words.safety_net}", ""]
        lines += [f"- {sign.message}" for sign in plan.safety_net]
        lines.append("")
    if plan.safety:
        lines += [f"## {words.safety}", ""]
        lines += [f"- **{m.level}**: {m.message}" for m in plan.safety]
        lines.append("")
    for title, items in section_items(plan, wording):
        if items:
            lines += [f"## {title}", ""]
            for number, item in enumerate(items, start=1):
                lines += _item(number, item, wording)
    if plan.routine or plan.reflexology or plan.acupressure:
        lines += [words.time.format(minutes=f"{plan.minutes_per_day:g}", budget=plan.budget_minutes), ""]
    lines += _schedule(plan, wording)
    if plan.excluded:
        lines += [f"## {words.left_out}", ""]
        lines += [f"- {e.name}: {e.reason}" for e in plan.excluded]
        lines.append("")
    lines += ["---", "", f"*{plan.disclaimer}*", ""]
    return "\n".join(lines)


def _item(number: int, item: PlanItem, wording: Wording) -> list[str]:
    words = wording.markdown
    lines = [f"### {number}. {item.name}", "", item.summary, ""]
    dosage = dosage_line(item.dosage, wording)
    details = (
        [words.minutes_a_day.format(minutes=f"{item.minutes:g}")] if item.minutes and item.dosage else []
    )
    if item.position:
        details.append(words.position.format(position=item.position))
    if item.equipment:
        details.append(words.equipment.format(equipment=", ".join(item.equipment)))
    details.append(words.evidence.format(label=item.evidence_label))
    lines += [f"*{'; '.join(details)}*", ""]
    if dosage:
        lines += [f"**{words.dose}** {dosage}", ""]
    if item.dosage and item.dosage.words:
        lines += [f"*{words.dose_source.format(text=item.dosage.text)}*", ""]
    lines += [f"{index}. {step}" for index, step in enumerate(item.steps, start=1)]
    lines.append("")
    lines += [
        f"- {words.why.format(summary=summary, facts=', '.join(facts))}"
        for summary, facts in distinct_reasons(item)
    ]
    lines += [f"- {words.why_path.format(path=path)}" for path in graded_paths(item, wording)]
    lines += [f"- {words.caution.format(message=caution.message)}" for caution in item.cautions]
    lines.append("")
    return lines


def _schedule(plan: Plan, wording: Wording) -> list[str]:
    """The schedule as a week-by-week table (week, days, minutes, what changes), then its rules."""
    words, schedule = wording.schedule, plan.schedule
    if not schedule.items:
        return []
    names = {item.id: item.name for item in plan.routine}
    day_names = dict(enumerate(words.day_names, start=1))
    others = plan.minutes_per_day - sum(item.minutes for item in plan.routine)  # done every day
    by_days: dict[tuple[int, ...], list[str]] = {}  # items on fewer days, grouped by their days
    for item in schedule.items:
        if len(item.days) < len(day_names):
            by_days.setdefault(tuple(item.days), []).append(names[item.id])
    some_days = [
        words.item_days.format(name=", ".join(named), days=", ".join(day_names[d] for d in days))
        for days, named in by_days.items()
    ]
    lines = [f"## {words.title}", "", words.intro.format(weeks=schedule.weeks), ""]
    lines += [
        f"| {words.week} | {words.days} | {words.minutes} | {words.changes} |",
        "| --- | --- | --- | --- |",
    ]
    for week in schedule.by_week():
        rest = [day_names[d] for d in week.rest_days]
        days = "; ".join(
            [words.every_day if not rest else words.rest.format(days=", ".join(rest)), *some_days]
        )
        most = max(day.minutes for day in week.days) + others
        minutes = words.minutes_a_day.format(minutes=math.ceil(round(most, 2)))  # "up to": whole minutes
        changes = [
            words.change.format(name=names[item.id], change=step.change)
            for item in schedule.items
            if (step := item.step_in(week.week)).week == week.week and step.change
        ]
        said = " ".join(changes) or (words.start if week.week == 1 else words.no_change)
        lines.append(f"| {week.week} | {days} | {minutes} | {said} |")
    lines += ["", words.when_to_move, ""]
    lines += [f"- {note.text}" for note in schedule.notes]
    lines.append("")
    return lines
