"""``progress()``: what a person's session logs show over time.

Per complaint (a pain area and side): the pain of every session and its **trend**. The trend
compares the mean pain *before* a session (the pain a person brings to it: their day's pain,
not the session's own effect) over the first :data:`TREND_WINDOW_DAYS` days of the complaint's
logs with the mean over the last :data:`TREND_WINDOW_DAYS` days. Where the logs span fewer than
``2 × TREND_WINDOW_DAYS`` days, each window is half the span (rounded down), so the two never
overlap. A drop of at least :data:`TREND_POINTS` (1 point on 0–10) is ``improving``, a rise of at
least as much ``worse``, anything smaller ``stable``; with fewer than two days of pain logged in
either window the trend is ``None`` (too early to tell). One point is the smallest change people
with chronic musculoskeletal pain rate as "slightly better" (Salaffi et al. 2004, Eur J Pain
8:283, the minimal clinically important difference on a 0–10 numerical rating scale); the same
threshold is used for worse, so footmap says so as soon as a person would notice.

**Adherence**: sessions done (a log with at least one item done) against sessions planned. With a
plan, planned is the days of the logged span times the plan's sessions a day, where the plan has
a ``schedule`` that says (``schedule.sessions_per_day``), else one a day. Without a plan, it is
the days with a session done out of the days of the span.

Per **item**: times done and skipped, the first and last dose, and its status: ``progressed``
(the last dose is more than the first in some field and less in none, over the fields both
give), ``regressed`` (the reverse), ``steady``, ``dropped`` (done once, then not in the
:data:`DROPPED_AFTER` sessions done since), or ``not_started`` (only skipped, or in the plan and
never logged).

The logs are sorted first (by date, session, then content), so their order never matters.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr

from footmap._input.logs import DIFFICULTIES, DOSE_FIELDS, Difficulty, SessionLog
from footmap._input.profile import Side
from footmap._kinds import ITEM_KINDS, PAIN_AREAS
from footmap._knowledge import schema
from footmap._knowledge.base import KnowledgeBase, shipped_knowledge
from footmap._programme import display

#: Days at each end of a complaint's logs whose mean pain the trend compares.
TREND_WINDOW_DAYS = 7
#: The change of mean pain (0–10) that counts as improving or worse.
TREND_POINTS = 1
#: Days of pain each trend window must hold for a trend.
TREND_MIN_DAYS = 2
#: Sessions done in a row without an item that make it ``dropped``.
DROPPED_AFTER = 3

Trend = Literal["improving", "stable", "worse"]
ItemStatus = Literal["progressed", "regressed", "steady", "dropped", "not_started"]

_TIMED_KINDS = frozenset(kind.name for kind in ITEM_KINDS if kind.timed)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PainPoint(_Model):
    """The pain of one complaint around one session, 0–10."""

    date: datetime.date
    session: int
    before: int
    after: int
    next_morning: int | None


class ComplaintProgress(_Model):
    """One complaint's pain over time: every session's pain, and its trend (``None``: too early)."""

    area: str
    side: Side | None
    name: str
    points: list[PainPoint]
    trend: Trend | None
    first_mean: float | None
    """Mean pain before a session in the first window (one decimal)."""
    last_mean: float | None
    """Mean pain before a session in the last window (one decimal)."""
    window_days: int
    """Days in each window the trend compares (0: too few days to compare)."""


class ItemProgress(_Model):
    """One item over time: times done and skipped, first and last dose, and its status."""

    id: str
    name: str
    in_plan: bool | None
    """Whether the plan holds it (``None`` without a plan)."""
    times_done: int
    times_skipped: int
    first_dose: dict[str, int] | None
    last_dose: dict[str, int] | None
    last_done: datetime.date | None
    sessions_since_done: int
    """Sessions done since it was last done (all the sessions, if it never was)."""
    status: ItemStatus


class Adherence(_Model):
    """Sessions done against sessions planned (with a plan) or days (without one)."""

    first: datetime.date | None
    last: datetime.date | None
    days: int
    """Days from the first log to the last, both counted."""
    days_logged: int
    days_done: int
    sessions_logged: int
    sessions_done: int
    sessions_per_day: int | None
    """From the plan's schedule, or 1 (``None`` without a plan)."""
    sessions_planned: int | None
    rate: float | None
    """Sessions done per session planned, or days done per day (``None`` without logs)."""


class LoggedSymptom(_Model):
    """A new symptom as logged: when, which, and its red-flag level if it is a red flag."""

    date: datetime.date
    id: str
    name: str
    red_flag: schema.RedFlagLevel | None


class Progress(_Model):
    """What session logs show over time: pain per complaint, adherence, items, new symptoms.

    Shows itself as text (``str``, :meth:`to_text`), Markdown, HTML and an SVG chart of pain over
    time, and in Jupyter (``_repr_mimebundle_``).

    >>> import footmap
    >>> logs = [{"date": f"2027-01-{day:02}", "items": [{"id": "toe_walking", "sets": 3}],
    ...          "pain": [{"area": "back", "before": 8 - day // 2, "after": 6}]} for day in range(1, 15)]
    >>> result = footmap.progress(logs)
    >>> result.complaints[0].trend, result.adherence.days_done
    ('improving', 14)
    """

    complaints: list[ComplaintProgress]
    adherence: Adherence
    items: list[ItemProgress]
    new_symptoms: list[LoggedSymptom]
    difficulty: dict[Difficulty, int]
    _wording: schema.ProgressWording | None = PrivateAttr(default=None)

    @property
    def _words(self) -> schema.ProgressWording:
        """The words it is shown in: its knowledge's (the shipped ones for a progress read from JSON)."""
        return self._wording if self._wording is not None else shipped_knowledge().wording.progress

    def to_text(self) -> str:
        """Plain text, for a terminal."""
        return display.text(self, self._words)

    def to_markdown(self) -> str:
        """Markdown."""
        return display.markdown(self, self._words)

    def to_html(self) -> str:
        """An HTML fragment: the summary and the chart."""
        return display.html(self, self._words)

    def to_svg(self) -> str:
        """An SVG chart: pain 0–10 over the dates, before and after each session and the next
        morning, one panel per complaint."""
        return display.svg(self, self._words)

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        """For Jupyter: HTML (with the chart), Markdown, the SVG and plain text."""
        bundle = {
            "text/html": self.to_html(),
            "text/markdown": self.to_markdown(),
            "image/svg+xml": self.to_svg(),
            "text/plain": self.to_text(),
        }
        wanted = set(include) if include is not None else set(bundle)
        unwanted = set(exclude) if exclude is not None else set()
        return {kind: value for kind, value in bundle.items() if kind in wanted - unwanted}

    def __str__(self) -> str:
        return self.to_text()


def progress(
    logs: Iterable[SessionLog | Mapping[str, Any]],
    plan: object = None,
    *,
    knowledge: KnowledgeBase | None = None,
) -> Progress:
    """What the session logs show: pain trend per complaint, adherence, each item's progress.

    ``logs`` are ``SessionLog`` objects or dicts of their fields, in any order. ``plan`` (a
    ``footmap.Plan``) gives the sessions planned and the items that were never started. See the
    ``_programme.progress`` module's docstring, and ``docs/programme.md``, for the rules.

    >>> import footmap
    >>> log = footmap.SessionLog(date="2027-01-05", items=[{"id": "toe_walking", "sets": 5}],
    ...                          pain=[{"area": "back", "before": 3, "after": 7, "next_morning": 6}],
    ...                          difficulty="hard", new_symptoms=[])
    >>> footmap.progress([log]).adherence.sessions_done
    1
    """
    knowledge = knowledge if knowledge is not None else shipped_knowledge()
    ordered = sorted(_validated(logs, knowledge), key=_order)
    result = Progress(
        complaints=_complaints(ordered, knowledge),
        adherence=_adherence(ordered, plan),
        items=_items(ordered, plan, knowledge),
        new_symptoms=_symptoms(ordered, knowledge),
        difficulty=_difficulty(ordered),
    )
    result._wording = knowledge.wording.progress
    return result


def _validated(
    logs: Iterable[SessionLog | Mapping[str, Any]], knowledge: KnowledgeBase
) -> Iterator[SessionLog]:
    for log in logs:
        data = log.model_dump() if isinstance(log, SessionLog) else log
        yield SessionLog.model_validate(data, context={"knowledge": knowledge})


def _order(log: SessionLog) -> tuple[datetime.date, int, str]:
    """Date, session, then the whole log: a total order, so equal inputs in any order sort alike."""
    return log.date, log.session, json.dumps(log.model_dump(mode="json"), sort_keys=True)


# --- pain ---------------------------------------------------------------------------------------


def _complaints(logs: list[SessionLog], knowledge: KnowledgeBase) -> list[ComplaintProgress]:
    points: dict[tuple[str, str], list[PainPoint]] = {}
    sides: dict[tuple[str, str], Side | None] = {}
    for log in logs:
        for pain in log.pain:
            point = PainPoint(
                date=log.date,
                session=log.session,
                before=pain.before,
                after=pain.after,
                next_morning=pain.next_morning,
            )
            points.setdefault(pain.complaint, []).append(point)
            sides[pain.complaint] = pain.side
    return [_complaint(key[0], sides[key], points[key], knowledge) for key in sorted(points)]


def _complaint(
    area: str, side: Side | None, points: list[PainPoint], knowledge: KnowledgeBase
) -> ComplaintProgress:
    term = knowledge.terms.get((PAIN_AREAS, area))
    first, last = points[0].date, points[-1].date
    window = min(TREND_WINDOW_DAYS, ((last - first).days + 1) // 2)
    early = [p for p in points if (p.date - first).days < window]
    late = [p for p in points if (last - p.date).days < window]
    trend: Trend | None = None
    first_mean = last_mean = None
    if min(_days(early), _days(late)) >= TREND_MIN_DAYS:
        start, end = _mean(early), _mean(late)
        trend = _trend(end - start)
        first_mean, last_mean = round(float(start), 1), round(float(end), 1)
    return ComplaintProgress(
        area=area,
        side=side,
        name=term.name if term is not None else area,
        points=points,
        trend=trend,
        first_mean=first_mean,
        last_mean=last_mean,
        window_days=window,
    )


def _trend(change: Fraction) -> Trend:
    if change <= -TREND_POINTS:
        return "improving"
    return "worse" if change >= TREND_POINTS else "stable"


def _days(points: list[PainPoint]) -> int:
    return len({point.date for point in points})


def _mean(points: list[PainPoint]) -> Fraction:
    """The exact mean pain before a session (exact, so a threshold of 1 is never missed by 1e-16)."""
    return Fraction(sum(point.before for point in points), len(points))


# --- adherence ----------------------------------------------------------------------------------


def sessions_per_day(plan: object) -> int:
    """The sessions a day a plan asks for: its ``schedule.sessions_per_day`` where it has one
    (a schedule object or mapping), else 1.

    >>> sessions_per_day(None), sessions_per_day(object())
    (1, 1)
    """
    schedule = getattr(plan, "schedule", None)
    value = schedule.get("sessions_per_day") if isinstance(schedule, Mapping) else None
    if value is None:
        value = getattr(schedule, "sessions_per_day", None)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else 1


def _adherence(logs: list[SessionLog], plan: object) -> Adherence:
    if not logs:
        return Adherence(
            first=None,
            last=None,
            days=0,
            days_logged=0,
            days_done=0,
            sessions_logged=0,
            sessions_done=0,
            sessions_per_day=None if plan is None else sessions_per_day(plan),
            sessions_planned=None if plan is None else 0,
            rate=None,
        )
    first, last = logs[0].date, logs[-1].date
    days = (last - first).days + 1
    done = [log for log in logs if log.done]
    days_done = len({log.date for log in done})
    per_day = None if plan is None else sessions_per_day(plan)
    planned = None if per_day is None else days * per_day
    rate = len(done) / planned if planned is not None else days_done / days
    return Adherence(
        first=first,
        last=last,
        days=days,
        days_logged=len({log.date for log in logs}),
        days_done=days_done,
        sessions_logged=len(logs),
        sessions_done=len(done),
        sessions_per_day=per_day,
        sessions_planned=planned,
        rate=rate,
    )


# --- items --------------------------------------------------------------------------------------


def _plan_items(plan: object) -> set[str] | None:
    """The ids of the plan's timed items (what a session does), or ``None`` without a plan."""
    if plan is None:
        return None
    items = getattr(plan, "items", [])
    return {item.id for item in items if getattr(item, "kind", None) in _TIMED_KINDS}


def _items(logs: list[SessionLog], plan: object, knowledge: KnowledgeBase) -> list[ItemProgress]:
    planned = _plan_items(plan)
    ids = {item.id for log in logs for item in log.items} | (planned or set())
    return [_item(ident, logs, planned, knowledge) for ident in sorted(ids)]


def _item(
    ident: str, logs: list[SessionLog], planned: set[str] | None, knowledge: KnowledgeBase
) -> ItemProgress:
    entries = [(n, entry) for n, log in enumerate(logs) for entry in log.items if entry.id == ident]
    done = [(n, entry) for n, entry in entries if not entry.skipped]
    first_dose = done[0][1].dose if done else None
    last_dose = done[-1][1].dose if done else None
    status: ItemStatus = "not_started"
    since = sum(log.done for log in (logs[done[-1][0] + 1 :] if done else logs))
    if done:
        status = "dropped" if since >= DROPPED_AFTER else _compared(first_dose or {}, last_dose or {})
    known = knowledge.items.get(ident)
    return ItemProgress(
        id=ident,
        name=known.name if known is not None else ident,
        in_plan=None if planned is None else ident in planned,
        times_done=len(done),
        times_skipped=len(entries) - len(done),
        first_dose=first_dose,
        last_dose=last_dose,
        last_done=logs[done[-1][0]].date if done else None,
        sessions_since_done=since,
        status=status,
    )


def _compared(first: dict[str, int], last: dict[str, int]) -> ItemStatus:
    """``progressed`` when the last dose is more in some shared field and less in none, …"""
    shared = [field for field in DOSE_FIELDS if field in first and field in last]
    more = any(last[field] > first[field] for field in shared)
    less = any(last[field] < first[field] for field in shared)
    if more and not less:
        return "progressed"
    if less and not more:
        return "regressed"
    return "steady"


# --- symptoms and difficulty --------------------------------------------------------------------


def _symptoms(logs: list[SessionLog], knowledge: KnowledgeBase) -> list[LoggedSymptom]:
    found = []
    for log in logs:
        for ident in log.new_symptoms:
            term = knowledge.terms.get(("symptoms", ident))
            found.append(
                LoggedSymptom(
                    date=log.date,
                    id=ident,
                    name=term.name if term is not None else ident,
                    red_flag=term.red_flag if term is not None else None,
                )
            )
    return found


def _difficulty(logs: list[SessionLog]) -> dict[Difficulty, int]:
    counts = Counter(log.difficulty for log in logs if log.difficulty is not None)
    return {level: counts[level] for level in DIFFICULTIES}
