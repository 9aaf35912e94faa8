"""The ``ics`` renderer: the plan's schedule as an iCalendar file (RFC 5545), for a calendar app.

One event series per routine *session*: the items done together at one time of day, each with its
dose and steps in the event's description. A day whose items are done up to three times a day has
three sessions (the first at ``time``, each next one :data:`SESSION_GAP` later), and session 2
holds only the items done at least twice a day. A series repeats weekly (``RRULE``) on the days of
the week its session is the same; when the dose of one of its items changes (a ladder step of the
schedule), a new series starts that week, so each day's event says exactly what to do that day.

The file is deterministic: the same plan and the same ``start`` and ``time`` give the same bytes.
``DTSTAMP`` is the start date (midnight UTC), and each event's ``UID`` is derived from the plan's
knowledge fingerprint, the session and the items with their ladder positions, not from the start
date: importing the file again after a change of start updates the events instead of adding
them twice. Times are floating (no time zone): 08:00 wherever the person is.

An urgent plan holds no routine: its calendar has no event (the plan itself says what to do now).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from footmap._compose.words import dosage_words
from footmap._errors import MissingDependencyError
from footmap._knowledge.schema import DOSE_FIELDS
from footmap.render._common import dosage_line

if TYPE_CHECKING:
    from footmap._compose.parts import DosageData
    from footmap._knowledge.schema import Wording
    from footmap._plan import Plan, PlanItem, ScheduledStep

#: The time of day of the first session, unless asked.
DEFAULT_TIME = dt.time(8, 0)
#: From one session of a day to the next.
SESSION_GAP = dt.timedelta(hours=4)
#: The calendar's product id (RFC 5545 ``PRODID``), without a version so that a new release of
#: footmap does not change the bytes of an unchanged plan's calendar.
PRODID = "-//footmap//footmap plan//EN"
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

#: One session's content: each item done in it, with its dose that week.
Entries = tuple[tuple[str, "ScheduledStep"], ...]


@dataclass(frozen=True)
class Series:
    """One recurring event: session ``number`` of ``count`` on ``days`` (1 is Monday), with the
    same ``entries`` from week ``first_week`` for ``weeks`` weeks."""

    number: int
    count: int
    entries: Entries
    days: tuple[int, ...]
    first_week: int
    weeks: int


def session_series(plan: Plan) -> list[Series]:
    """The plan's schedule as event series, in order of their first week, session and day.

    >>> import footmap
    >>> plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}, weeks=2)
    >>> all(series.weeks >= 1 for series in session_series(plan))
    True
    """
    weeks_of: dict[tuple[int, int, Entries, tuple[int, ...]], list[int]] = {}
    for week in plan.schedule.by_week():
        days_of: dict[tuple[int, int, Entries], list[int]] = {}
        for day in week.days:
            for number in range(1, day.sessions + 1):
                entries = tuple((ident, step) for ident, step in day.items if step.times_per_day >= number)
                days_of.setdefault((number, day.sessions, entries), []).append(day.day)
        for (number, count, entries), days in days_of.items():
            weeks_of.setdefault((number, count, entries, tuple(days)), []).append(week.week)
    series = [
        Series(number, count, entries, days, first, length)
        for (number, count, entries, days), weeks in weeks_of.items()
        for first, length in _runs(weeks)
    ]
    return sorted(series, key=lambda s: (s.first_week, s.days[0], s.number, s.days))


def _runs(weeks: list[int]) -> Iterator[tuple[int, int]]:
    """Consecutive runs of week numbers (sorted), as (first week, length)."""
    first = previous = weeks[0]
    for week in weeks[1:]:
        if week != previous + 1:
            yield first, previous - first + 1
            first = week
        previous = week
    yield first, previous - first + 1


def to_ics(
    plan: Plan, wording: Wording, *, start: dt.date | None = None, time: dt.time = DEFAULT_TIME
) -> str:
    """The plan's schedule as iCalendar text, week 1 starting on ``start`` (any day of the week:
    the items keep their own days) and each day's first session at ``time``."""
    if start is None:
        raise ValueError("the 'ics' renderer needs a start date: start=datetime.date(…)")
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise ValueError(f"start must be a datetime.date; got {start!r}")
    if not isinstance(time, dt.time) or time.tzinfo is not None:
        raise ValueError(f"time must be a datetime.time without a time zone; got {time!r}")
    icalendar = _icalendar()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", wording.exports.calendar)
    items = {item.id: item for item in plan.routine}
    stamp = dt.datetime.combine(start, dt.time(0, 0), tzinfo=dt.UTC)
    for series in session_series(plan):
        calendar.add_component(_event(icalendar, plan, series, items, wording, start, time, stamp))
    text: str = calendar.to_ical().decode("utf-8")
    return text


def _icalendar() -> Any:
    try:
        import icalendar
    except ImportError:
        raise MissingDependencyError(
            "the calendar (ics renderer)", "icalendar", "pip install icalendar (a dependency of footmap)"
        ) from None
    return icalendar


def _event(
    icalendar: Any,
    plan: Plan,
    series: Series,
    items: dict[str, PlanItem],
    wording: Wording,
    start: dt.date,
    time: dt.time,
    stamp: dt.datetime,
) -> Any:
    event = icalendar.Event()
    words = wording.exports
    title = (
        words.summary if series.count == 1 else words.session.format(number=series.number, count=series.count)
    )
    event.add("summary", title)
    first = min(_date(start, series.first_week, day) for day in series.days)
    at = dt.datetime.combine(first, time) + (series.number - 1) * SESSION_GAP
    if at.date() != first:
        latest = (dt.datetime.combine(first, dt.time(23, 59)) - (series.count - 1) * SESSION_GAP).time()
        raise ValueError(
            f"time {time:%H:%M} leaves no room for {series.count} sessions"
            f" {SESSION_GAP.seconds // 3600} hours apart on one day: start them by {latest:%H:%M}"
        )
    event.add("dtstart", at)
    minutes = sum(step.minutes / step.times_per_day for _, step in series.entries)
    event.add("duration", dt.timedelta(minutes=max(1, math.ceil(round(minutes, 2)))))
    event.add("dtstamp", stamp)
    event.add("uid", _uid(plan, series))
    byday = [_WEEKDAYS[day - 1] for day in series.days]
    event.add("rrule", {"freq": "weekly", "byday": byday, "count": len(series.days) * series.weeks})
    event.add("description", _description(plan, series, items, wording, minutes))
    event.add("transp", "TRANSPARENT")  # a few minutes of exercise do not make a person busy
    return event


def _date(start: dt.date, week: int, day: int) -> dt.date:
    """The date of weekday ``day`` (1 is Monday) in week ``week`` of a schedule begun on ``start``."""
    return start + dt.timedelta(days=7 * (week - 1) + (day - start.isoweekday()) % 7)


def _uid(plan: Plan, series: Series) -> str:
    """The same for the same knowledge, session, days, first week and items at their ladder
    positions: so a calendar updates an event it already has."""
    parts = [plan.knowledge, str(series.number), str(series.count), str(series.first_week)]
    parts += [",".join(map(str, series.days))]
    parts += [f"{ident}@{step.position}" for ident, step in series.entries]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]
    return f"{digest}@footmap"


def _description(
    plan: Plan, series: Series, items: dict[str, PlanItem], wording: Wording, minutes: float
) -> str:
    lines = [wording.exports.minutes.format(minutes=max(1, math.ceil(round(minutes, 2)))), ""]
    for ident, step in series.entries:
        item = items.get(ident)
        if item is None:  # a schedule names only routine items; a hand-made plan may not
            continue
        lines.append(wording.exports.item.format(name=item.name, dose=step_dose(item, step, wording)))
        lines += [f"  {number}. {text}" for number, text in enumerate(item.steps, start=1)]
        lines += [f"  {wording.markdown.caution.format(message=c.message)}" for c in item.cautions]
        lines.append("")
    if plan.safety_net:
        lines.append(f"{wording.markdown.safety_net}:")
        lines += [f"- {sign.message}" for sign in plan.safety_net]
        lines.append("")
    lines.append(plan.disclaimer)
    return "\n".join(lines)


def step_dose(item: PlanItem, step: ScheduledStep, wording: Wording) -> str:
    """The item's dose in words that week: the plan's own at its first step, the step's later."""
    dosage = item.dosage
    if dosage is None or step.position == 0:
        return dosage_line(dosage, wording) or item.summary
    numbers: DosageData = {
        "text": dosage.text,
        "words": "",
        "rest_seconds": dosage.rest_seconds,
        "per_side": dosage.per_side,
        "adjusted_by": [],
        "notes": [],
        **{name: getattr(step, name) for name in DOSE_FIELDS},  # type: ignore[typeddict-item]
    }
    return dosage_words(numbers, wording.dosage)
