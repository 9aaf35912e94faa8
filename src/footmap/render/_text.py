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
    lines += _schedule(plan, wording)
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


def _schedule(plan: Plan, wording: Wording) -> list[str]:
    """The schedule, one line a week (days, minutes, what changes), then the rules it follows."""
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
    lines += [f"    - {note.text} (rule {note.rule}; source: {note.source})" for note in schedule.notes]
    return lines
