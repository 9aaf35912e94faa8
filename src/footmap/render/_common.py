"""What the renderers share: the sections in reading order, how a dosage and a path read, the
reasons of an item without repeats, what was left out grouped by why, and the numbered sources."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from footmap._kinds import SECTIONS

if TYPE_CHECKING:
    from footmap._knowledge.schema import Wording
    from footmap._plan import DosagePlan, Plan, PlanItem, PlanTables, Reason, SafetyMessage

#: The safety messages that lead a plan (the banner's "what to do now", the referral), by level.
LEADING_LEVELS = ("critical", "warning")


def dosage_line(dosage: DosagePlan | None, wording: Wording) -> str:
    """The dosage in one line: what to do in words (the source's wording in a plan made before
    there were words), then any adjustment."""
    if dosage is None:
        return ""
    parts = [dosage.words or dosage.text]
    parts += [wording.markdown.adjusted.format(note=note) for note in dosage.notes]
    return " ".join(parts)


def path_line(reason: Reason, tables: PlanTables) -> str:
    """A graph path as ``a → b → c``, by name where the plan has the names."""
    return " → ".join(tables.path_names(reason))


def section_items(plan: Plan, wording: Wording) -> list[tuple[str, list[PlanItem]]]:
    """The plan's sections, titled, in reading order."""
    titles = wording.sections.model_dump()
    return [(titles[section], getattr(plan, section)) for section in SECTIONS]


def headline(plan: Plan, wording: Wording) -> str:
    """The plan's headline, by its triage level."""
    headlines: dict[str, str] = wording.triage.model_dump()
    return headlines[plan.triage]


def leading_messages(plan: Plan) -> list[SafetyMessage]:
    """The safety messages that say what to do first (critical, then warnings): the banner's."""
    return [m for level in LEADING_LEVELS for m in plan.safety if m.level == level]


def other_messages(plan: Plan) -> list[SafetyMessage]:
    """The remaining safety messages (general cautions), after the banner's."""
    return [m for m in plan.safety if m.level not in LEADING_LEVELS]


def graded_path(reason: Reason, item_id: str, wording: Wording, tables: PlanTables) -> str:
    """A reason's path with every step's own grade: ``Back pain → Tight ankles [no evidence] →
    Ankle circles [moderate evidence]``, so that a weak link in the middle is as visible as the
    last one. A report that names its own factor ("poor balance" → poor balance) is one step, not
    two. Empty for a path that is not the item's own (the item it stands in for: its swap reason
    says so) or that is not a path of names with a grade per step."""
    words = wording.steps
    grades: dict[str, str] = words.model_dump()
    names = tables.path_names(reason)
    if not reason.step_evidence or len(names) != len(reason.step_evidence) + 1:
        return ""
    if not reason.path[-1].endswith(f":{item_id}"):
        return ""
    steps = [
        words.step.format(name=name, grade=grades[grade or "reported"])
        for before, name, grade in zip(names, names[1:], reason.step_evidence, strict=False)
        if not (grade is None and name == before)  # "you said poor balance" → poor balance
    ]
    return " → ".join([names[0], *steps])


def graded_paths(item: PlanItem, wording: Wording) -> list[str]:
    """Each distinct path of more than one link behind an item, every step graded."""
    lines: list[str] = []
    for reason in item.why:
        line = graded_path(reason, item.id, wording, item.tables) if len(reason.step_evidence) >= 2 else ""
        if line and line not in lines:
            lines.append(line)
    return lines


@dataclass
class ReasonGroup:
    """One reason of an item, said once: its summary, every reported fact it answers, each
    distinct path to the item, the rules that made it, and its source."""

    summary: str
    source: str
    facts: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def reason_groups(item: PlanItem, wording: Wording) -> list[ReasonGroup]:
    """An item's reasons without repeats: reasons with the same summary and source are one, with
    the facts (and paths, and rules) of all of them, in the order they first appear.

    >>> import footmap
    >>> wording = footmap.KnowledgeBase.load().wording
    >>> plan = footmap.recommend({"pains": [{"area": "back", "severity": 5}], "symptoms": ["stiffness"]})
    >>> all(len(reason_groups(item, wording)) <= len(item.why) for item in plan.items)
    True
    """
    groups: dict[tuple[str, str], ReasonGroup] = {}
    for reason in item.why:
        group = groups.setdefault((reason.summary, reason.source), ReasonGroup(reason.summary, reason.source))
        fact = item.tables.fact_name(reason)
        path = graded_path(reason, item.id, wording, item.tables)
        for values, value in ((group.facts, fact), (group.paths, path), (group.rules, reason.rule or "")):
            if value and value not in values:
                values.append(value)
    return list(groups.values())


def distinct_reasons(item: PlanItem) -> list[tuple[str, list[str]]]:
    """Each distinct reason of an item once, with the names of the reported facts it answers."""
    facts: dict[str, list[str]] = {}
    for reason in item.why:
        name = item.tables.fact_name(reason)
        named = facts.setdefault(reason.summary, [])
        if name and name not in named:
            named.append(name)
    return list(facts.items())


def left_out_groups(plan: Plan) -> list[tuple[str, list[str]]]:
    """What was left out, one line per reason with the names it left out, in the plan's order."""
    groups: dict[str, list[str]] = {}
    for entry in plan.excluded:
        names = groups.setdefault(entry.reason, [])
        if entry.name not in names:
            names.append(entry.name)
    return list(groups.items())


def readable(ident: str) -> str:
    """An id the plan holds without a name (a position, a piece of equipment) as words."""
    return ident.replace("_", " ")


class Citations:
    """The plan's sources, numbered in the order they are first cited: each is listed once, at
    the end, in full (from the plan's ``tables``), and the body says ``[1]``.

    >>> citations = Citations()
    >>> citations.number("nice_ng59"), citations.number("who_2020"), citations.number("nice_ng59")
    (1, 2, 1)
    >>> citations.entries()
    [(1, 'nice_ng59'), (2, 'who_2020')]
    """

    def __init__(self, tables: PlanTables | None = None) -> None:
        self._numbers: dict[str, int] = {}
        self._tables = tables

    def number(self, source: str) -> int:
        """The number of the source id ``source``, given on its first citation."""
        return self._numbers.setdefault(source, len(self._numbers) + 1)

    def mark(self, sources: list[str] | str, wording: Wording) -> str:
        """The citation marks of one or more sources (``[1]``, ``[1] [3]``); empty for none."""
        listed = [sources] if isinstance(sources, str) else sources
        numbers = sorted({self.number(source) for source in listed if source})
        return " ".join(wording.display.citation.format(number=number) for number in numbers)

    def entries(self) -> list[tuple[int, str]]:
        """Every cited source with its number and full citation, in order."""
        cite = self._tables.citation if self._tables is not None else str
        return [(number, cite(source)) for source, number in self._numbers.items()]


def with_mark(text: str, mark: str) -> str:
    """A text followed by its citation mark, if it has one."""
    return f"{text} {mark}" if mark else text


@dataclass(frozen=True)
class ScheduleRow:
    """One week of the schedule as a person reads it: days, time a day, what changes."""

    week: int
    days: str
    minutes: str
    changes: str


def schedule_rows(plan: Plan, wording: Wording) -> list[ScheduleRow]:
    """The schedule week by week, in words (items on fewer days named with their days)."""
    words, schedule = wording.schedule, plan.schedule
    names = {item.id: item.name for item in plan.routine}
    day_names = dict(enumerate(words.day_names, start=1))
    others = plan.minutes_per_day - sum(item.minutes for item in plan.routine)  # done every day
    by_days: dict[tuple[int, ...], list[str]] = {}  # items on fewer days, grouped by their days
    for item in schedule.items:
        if len(item.days) < len(day_names):
            by_days.setdefault(tuple(item.days), []).append(names.get(item.id, item.id))
    some_days = [
        words.item_days.format(name=", ".join(named), days=", ".join(day_names[d] for d in days))
        for days, named in by_days.items()
    ]
    rows = []
    for week in schedule.by_week():
        rest = [day_names[d] for d in week.rest_days]
        days = "; ".join(
            [words.every_day if not rest else words.rest.format(days=", ".join(rest)), *some_days]
        )
        most = max(day.minutes for day in week.days) + others
        minutes = words.minutes_a_day.format(minutes=math.ceil(round(most, 2)))  # "up to": whole minutes
        changes = [
            words.change.format(name=names.get(item.id, item.id), change=step.change)
            for item in schedule.items
            if (step := item.step_in(week.week)).week == week.week and step.change
        ]
        said = " ".join(changes) or (words.start if week.week == 1 else words.no_change)
        rows.append(ScheduleRow(week.week, days, minutes, said))
    return rows
