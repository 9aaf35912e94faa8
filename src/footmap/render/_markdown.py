"""The ``md`` renderer: the plan as a Markdown document, the sources numbered once at the end."""

from __future__ import annotations

from typing import TYPE_CHECKING

from footmap.render._common import (
    Citations,
    headline,
    leading_messages,
    left_out_groups,
    other_messages,
    readable,
    reason_groups,
    schedule_rows,
    section_items,
    with_mark,
)

if TYPE_CHECKING:
    from footmap._knowledge.schema import Wording
    from footmap._plan import Plan, PlanItem


def to_markdown(plan: Plan, wording: Wording) -> str:
    """The plan as Markdown: triage and what to do first, the signs to get help for, each section,
    what was left out, the sources and the disclaimer.

    >>> import footmap
    >>> md = to_markdown(footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}),
    ...                  footmap.KnowledgeBase.load().wording)
    >>> md.splitlines()[0]
    '# Your foot plan'
    """
    words = wording.markdown
    citations = Citations(plan.tables)
    lines = [f"# {words.title}", "", f"**{headline(plan, wording)}**", ""]
    leading = leading_messages(plan)
    if leading:
        if plan.triage == "urgent":
            lines += [f"## {wording.display.now}", ""]
        lines += _bullets([with_mark(m.message, citations.mark(m.source, wording)) for m in leading])
    if plan.safety_net:
        lines += [f"## {words.safety_net}", ""]
        lines += _bullets([with_mark(s.message, citations.mark(s.source, wording)) for s in plan.safety_net])
    others = other_messages(plan)
    if others:
        lines += [f"## {words.safety}", ""]
        lines += _bullets([with_mark(m.message, citations.mark(m.source, wording)) for m in others])
    lines += _changes(plan, wording)
    for title, items in section_items(plan, wording):
        if items:
            lines += [f"## {title}", ""]
            for number, item in enumerate(items, start=1):
                lines += _item(f"{number}. ", item, wording, citations)
    if plan.routine or plan.reflexology or plan.acupressure:
        lines += [words.time.format(minutes=f"{plan.minutes_per_day:g}", budget=plan.budget_minutes), ""]
    lines += _schedule(plan, wording)
    if plan.excluded:
        lines += [f"## {words.left_out}", ""]
        for reason, names in left_out_groups(plan):
            lines += [f"- {reason}", *(f"  - {name}" for name in names)]
        lines.append("")
    lines += _sources(citations, wording)
    lines += ["---", "", f"*{plan.disclaimer}*", ""]
    return "\n".join(lines)


def change_sentences(plan: Plan, wording: Wording) -> list[str]:
    """What the session logs changed (``plan.changes``), a sentence each, in the person's words
    (``wording.yaml``, ``changes``); md, text and html all show these.

    >>> import footmap
    >>> plan = footmap.recommend({"pains": [{"area": "back", "severity": 4}]})
    >>> logs = [{"date": "2027-01-05", "items": [{"id": "toe_press"}],
    ...          "pain": [{"area": "back", "before": 2, "after": 7}]}]
    >>> change_sentences(footmap.adjust(plan, logs), footmap.KnowledgeBase.load().wording)[0][:45]
    'Toe press: stepped back, from "3 times a day:'
    """
    words = wording.changes
    names = {item.id: item.name for item in plan.items} | {left.id: left.name for left in plan.excluded}
    sentences = []
    for change in plan.changes:
        name = names.get(change.item, change.item.replace("_", " ")) if change.item else words.whole_plan
        if change.change == "referred" and change.item:
            name = change.item.replace("_", " ").capitalize()
        template = (
            words.dropped_for
            if change.change == "dropped" and change.after
            else getattr(words, change.change)
        )
        dates = (
            ", ".join(change.dates) if len(change.dates) <= 3 else f"{change.dates[0]} – {change.dates[-1]}"
        )
        sentences.append(template.format(name=name, before=change.before, after=change.after, dates=dates))
    return sentences


def item_markdown(item: PlanItem, wording: Wording) -> str:
    """One item as Markdown, with the sources it cites."""
    citations = Citations(item.tables)
    return "\n".join([*_item("", item, wording, citations), *_sources(citations, wording)])


def _item(prefix: str, item: PlanItem, wording: Wording, citations: Citations) -> list[str]:
    words, display = wording.markdown, wording.display
    lines = [f"### {prefix}{item.name}", "", item.summary, ""]
    if item.dosage:
        lines += [f"**{words.dose}** {item.dosage.words or item.dosage.text}", ""]
        lines += [line for note in item.dosage.notes for line in (words.adjusted.format(note=note), "")]
    details = [display.minutes.format(minutes=f"{item.minutes:g}")] if item.minutes and item.dosage else []
    if item.position:
        details.append(display.position.format(position=readable(item.position)))
    if item.equipment:
        details.append(display.equipment.format(equipment=", ".join(readable(e) for e in item.equipment)))
    details.append(display.evidence.format(label=item.evidence_label))
    lines += [f"*{' · '.join(details)}*", ""]
    if item.cautions:
        lines += [f"**{display.cautions}:**", ""]
        lines += _bullets([with_mark(c.message, citations.mark(c.source, wording)) for c in item.cautions])
    if len(item.steps) == 1:
        lines += [item.steps[0], ""]
    elif item.steps:
        lines += [f"**{display.how}:**", ""]
        lines += [f"{index}. {step}" for index, step in enumerate(item.steps, start=1)]
        lines.append("")
    groups = reason_groups(item, wording)
    if groups:
        lines += [f"**{display.why}:**", ""]
    for group in groups:
        lines.append(f"- {with_mark(group.summary, citations.mark(group.source, wording))}")
        details = [display.for_facts.format(facts=", ".join(group.facts))] if group.facts else []
        details += [words.why_path.format(path=path) for path in group.paths]
        details += [display.rule.format(rule=rule) for rule in group.rules]
        lines += [f"  - {detail}" for detail in details]
    if groups:
        lines.append("")
    if item.dosage and item.dosage.words and item.dosage.text:
        lines += [f"*{display.source_quote.format(text=item.dosage.text)}*", ""]
    return lines


def _schedule(plan: Plan, wording: Wording) -> list[str]:
    """The schedule as a week-by-week table (week, days, minutes, what changes), then its rules."""
    words, schedule = wording.schedule, plan.schedule
    if not schedule.items:
        return []
    lines = [f"## {words.title}", "", words.intro.format(weeks=schedule.weeks), ""]
    lines += [
        f"| {words.week} | {words.days} | {words.minutes} | {words.changes} |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {row.week} | {row.days} | {row.minutes} | {row.changes} |" for row in schedule_rows(plan, wording)
    ]
    lines += ["", words.when_to_move, ""]
    lines += [f"- {note.text}" for note in schedule.notes]
    lines.append("")
    return lines


def _sources(citations: Citations, wording: Wording) -> list[str]:
    entries = citations.entries()
    if not entries:
        return []
    lines = [f"## {wording.display.sources}", ""]
    for number, source in entries:
        lines += [f"{wording.display.citation.format(number=number)} {source}", ""]
    return lines


def _changes(plan: Plan, wording: Wording) -> list[str]:
    sentences = change_sentences(plan, wording)
    return [f"## {wording.changes.title}", "", *_bullets(sentences)] if sentences else []


def _bullets(texts: list[str]) -> list[str]:
    return [*(f"- {text}" for text in texts), ""] if texts else []
