"""The schedule: the routine laid out over the weeks, each item climbing its ladder when all goes well.

Pure and deterministic. Week 1 is the plan's routine as it is. From week 2 on, each item (in
routine order) takes the next harder step of its ladder (``knowledge/progressions.yaml``) once
the step's ``after_weeks`` have passed, if the step still fits: on every day the item is done,
the routine and the plan's other timed items (done every day) stay within the budget. A step
that does not fit is not taken that week, and is tried again the next.

What is never planned ahead: a step without ``after_weeks`` (a move to a variant: the rules have
not cleared that variant for this person), an item whose dose a rule adjusted (it stays as the
rule set it), and any step in a plan that is not ``self_care`` (held where it is until the
person is assessed). Those moves wait for how the person is doing (the pain-monitoring checks the
schedule's notes give).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TypedDict

from footmap._compose.parts import ItemData, Ladders
from footmap._knowledge import schema
from footmap._plan import DEFAULT_WEEKS, MAX_WEEKS, WEEK_DAYS

#: How far a day's minutes may go past the budget: rounding, never a real minute.
_EPSILON = 1e-9


class StepData(TypedDict, total=False):
    """A ``ScheduledStep``."""

    week: int
    position: int
    sets: int
    reps: int
    hold_seconds: int
    duration_seconds: int
    times_per_day: int
    minutes: float
    change: str


class ScheduledItemData(TypedDict):
    """A ``ScheduledItem``."""

    id: str
    days: list[int]
    steps: list[StepData]


class NoteData(TypedDict):
    """A ``ScheduleNote``."""

    rule: str
    text: str
    source: str


class ScheduleData(TypedDict):
    """A ``Schedule``."""

    weeks: int
    items: list[ScheduledItemData]
    notes: list[NoteData]


def checked_weeks(weeks: object) -> int:
    """``weeks`` if it is a whole number of weeks a schedule can lay out, else a clear error.

    >>> checked_weeks(6)
    6
    """
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(
            f"weeks must be a whole number from 1 to {MAX_WEEKS} (default {DEFAULT_WEEKS}); got {weeks!r}"
        )
    return weeks


def lay_out(
    routine: Sequence[ItemData],
    *,
    other_minutes: float,
    budget: int,
    weeks: int,
    progressions: schema.Progressions,
    exercises: Mapping[str, schema.Exercise],
    progress: bool,
    positions: Mapping[str, int] | None = None,
    held: Collection[str] = (),
    ladders: Ladders | None = None,
) -> ScheduleData:
    """The routine over ``weeks`` weeks, within ``budget`` minutes on every day of every week.

    ``other_minutes`` are the plan's other timed items (reflexology, acupressure), done every day;
    ``progress`` is whether steps are planned at all (a ``self_care`` plan). ``positions`` is
    where on its ladder an item starts (0, its own dose, unless the session logs moved it), and
    ``held`` the items whose progression is not planned (stepped back on the logs). ``ladders``
    is what the schedule reads of ``progressions`` and ``exercises``, if already worked out (the
    knowledge's parts keep it).
    """
    positions = positions or {}
    weeks = checked_weeks(weeks)
    if ladders is None or ladders.progressions is not progressions or ladders.exercises is not exercises:
        ladders = Ladders(progressions, exercises)
    days = {item["id"]: list(ladders.days(item["id"])) for item in routine}
    used = {
        day: other_minutes + sum(i["minutes"] for i in routine if day in days[i["id"]]) for day in WEEK_DAYS
    }
    planned = {
        item["id"]: _planned(item, ladders)[max(positions.get(item["id"], 0), 0) :]
        if progress and item["id"] not in held
        else []
        for item in routine
    }
    scheduled = {item["id"]: _first_step(item, positions.get(item["id"], 0)) for item in routine}
    for week in range(2, weeks + 1):
        for item in routine:
            ident = item["id"]
            while planned[ident] and (planned[ident][0].step.after_weeks or 0) < week:
                rung, current = planned[ident][0], scheduled[ident][-1]
                extra = rung.minutes - current["minutes"]
                if any(used[day] + extra > budget + _EPSILON for day in days[ident]):
                    break
                for day in days[ident]:
                    used[day] += extra
                _take(scheduled[ident], week, rung)
                planned[ident].pop(0)
    return {
        "weeks": weeks,
        "items": [
            {"id": item["id"], "days": days[item["id"]], "steps": scheduled[item["id"]]} for item in routine
        ],
        "notes": _notes(ladders, routine, progress) if routine else [],
    }


def _planned(item: ItemData, ladders: Ladders) -> list[schema.Rung]:
    """The harder steps planned for an item (:meth:`Ladders.planned`); none for an item whose
    dose a rule adjusted."""
    dosage = item["dosage"]
    if dosage is None or dosage["adjusted_by"]:
        return []
    return list(ladders.planned(item["id"]))


def _first_step(item: ItemData, position: int) -> list[StepData]:
    """Week 1: the plan's own dose, at its ``position`` on the ladder."""
    step: StepData = {"week": 1, "position": position, "minutes": item["minutes"]}
    dosage = item["dosage"]
    if dosage is not None:
        _set_dose(step, {name: dosage[name] for name in schema.DOSE_FIELDS})  # type: ignore[literal-required]
    return [step]


def _take(steps: list[StepData], week: int, rung: schema.Rung) -> None:
    """Record a step taken in ``week``: two steps taken in one week make one change."""
    change = rung.step.description
    if steps[-1]["week"] == week:
        change = f"{steps.pop()['change']} {change}"
    step: StepData = {"week": week, "position": rung.position, "minutes": rung.minutes, "change": change}
    _set_dose(step, dict(rung.dose))
    steps.append(step)


def _set_dose(step: StepData, dose: Mapping[str, int | None]) -> None:
    for name in schema.DOSE_FIELDS:
        value = dose.get(name)
        if value is not None:
            step[name] = value  # type: ignore[literal-required]


def _notes(ladders: Ladders, routine: Sequence[ItemData], progress: bool) -> list[NoteData]:
    """The pain-monitoring checks (those that move up only where steps are planned), then the
    rest-day rules that shape some item's days."""
    progressions = ladders.progressions
    trainings = {ladder.training for item in routine if (ladder := ladders.ladder(item["id"]))}
    notes: list[NoteData] = [
        {"rule": check.id, "text": check.text, "source": check.source}
        for check in progressions.monitoring
        if progress or check.move == "down"
    ]
    notes += [
        {"rule": rule.id, "text": rule.text, "source": rule.source}
        for rule in progressions.rest
        if trainings & set(rule.training)
    ]
    return notes
