"""``Plan``: the personalised routine, every item with its reasons, cautions and evidence."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from footmap._knowledge.schema import Evidence, Phase, Position, TriageLevel


class Display(Protocol):
    """How a plan is shown: what ``footmap.render`` provides (its registry), and the plan reads.

    The plan declares what it needs and the renderer package installs it (:func:`install`), so
    the plan never imports a renderer and a renderer imports the plan only for its types.
    """

    def render(self, plan: Plan, name: str, **options: Any) -> str:
        """The plan rendered by the renderer called ``name`` (with its keyword ``options``)."""
        ...

    def mimebundle(
        self, plan: Plan, include: Iterable[str] | None, exclude: Iterable[str] | None
    ) -> dict[str, str]:
        """The plan for Jupyter, one rendering per media type."""
        ...

    def item_mimebundle(
        self, item: PlanItem, include: Iterable[str] | None, exclude: Iterable[str] | None
    ) -> dict[str, str]:
        """One item for Jupyter, one rendering per media type."""
        ...


_display: list[Display] = []


def install(display: Display) -> None:
    """Show every plan through ``display`` (``footmap.render`` installs its registry on import)."""
    _display[:] = [display]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reason(_Model):
    """Why an item is in the plan: the fact it answers, the graph path, the rule, the evidence."""

    summary: str
    fact: str
    """The fact it answers, as the trace names it (``pain:back``, ``missing_equipment:towel``)."""
    fact_name: str = ""
    """The same fact(s) in the person's words (``Back pain``, ``no towel``): what renderers show."""
    path: list[str]
    path_names: list[str] = []
    links: list[str]
    step_evidence: list[Evidence | None] = []
    """The grade of each link of the path, in order (``None``: the person's own report)."""
    rule: str | None
    evidence: Evidence
    source: str


class Caution(_Model):
    """A caution shown on an item, from one rule."""

    message: str
    rule: str
    source: str


class DosagePlan(_Model):
    """How much to do: the instruction in words, the source's wording, and the structured dosage
    after adjustments."""

    text: str
    """The source's own sentence, kept as a quote (it may not match the numbers)."""
    words: str = ""
    """What to do, in words built from the numbers below (``3 times a day: 10 times …``)."""
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    rest_seconds: int | None = None
    duration_seconds: int | None = None
    times_per_day: int = 1
    per_side: bool = False
    adjusted_by: list[str] = []
    notes: list[str] = []


class PlanItem(_Model):
    """One exercise, reflex area, acupressure point or piece of advice in a plan."""

    id: str
    name: str
    kind: str
    modality: str
    summary: str
    dosage: DosagePlan | None
    steps: list[str]
    position: Position | None
    phase: Phase | None
    equipment: list[str]
    minutes: float
    evidence: Evidence
    evidence_label: str
    why: list[Reason]
    cautions: list[Caution]
    replaces: str | None = None

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        """The item for Jupyter: its card as HTML, and as plain text."""
        return _display[0].item_mimebundle(self, include, exclude)

    def _repr_html_(self) -> str:
        """The item's card as HTML (for viewers that read only ``_repr_html_``)."""
        return self._repr_mimebundle_(include=["text/html"])["text/html"]


class Excluded(_Model):
    """An item left out of the plan, and why."""

    id: str
    name: str
    reason: str
    rule: str | None
    source: str | None
    replaced_by: str | None = None


class SafetyMessage(_Model):
    """A message about safety for the whole plan: a referral or a general caution."""

    level: Literal["info", "warning", "critical"]
    message: str
    rule: str
    source: str
    facts: list[str]


class SafetyNetSign(_Model):
    """Warning signs that mean "get help today" for this person's complaints (safety-netting)."""

    message: str
    rule: str
    source: str
    facts: list[str]


#: The most weeks a schedule lays out, and how many it lays out unless asked.
MAX_WEEKS = 52
DEFAULT_WEEKS = 6
#: The days of a schedule's week (1 is Monday).
WEEK_DAYS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)


class ScheduledStep(_Model):
    """One routine item's dose from ``week`` on, until its next step: the place it has reached on
    its ladder (``position``: 0 is the plan's own dose, ``+n`` the n-th harder step), the dose's
    numbers and minutes a day, and what changed, in the person's words (empty in week 1).

    Written without its empty fields, to keep a plan's JSON small.
    """

    week: int = Field(ge=1, le=MAX_WEEKS)
    position: int = 0
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    duration_seconds: int | None = None
    times_per_day: int = 1
    minutes: float
    """Minutes a day, on the days the item is done."""
    change: str = ""

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        defaults = {"position": 0, "times_per_day": 1, "change": ""}
        return {
            key: value
            for key, value in data.items()
            if value is not None and not (key in defaults and value == defaults[key])
        }


class ScheduledItem(_Model):
    """A routine item over the weeks: the days of the week it is done, and each dose it reaches."""

    id: str
    """The routine item (``PlanItem.id``)."""
    days: list[int]
    steps: list[ScheduledStep]
    """The first from week 1 (the plan's dose), then one per week that changes it."""

    def step_in(self, week: int) -> ScheduledStep:
        """The dose done in ``week``."""
        return [step for step in self.steps if step.week <= week][-1]


class ScheduleNote(_Model):
    """A rule the schedule follows, in the person's words: when to move a step up or down, or on
    which days some exercises are done."""

    rule: str
    text: str
    source: str
    """The source's id."""


class ScheduleDay(_Model):
    """One day of one week, worked out from the schedule (not stored in the plan's JSON)."""

    day: int
    items: list[tuple[str, ScheduledStep]]
    """The items done that day, in routine order, each with its dose that week."""

    @property
    def sessions(self) -> int:
        """How many times that day the routine is done (the most times a day of its items)."""
        return max((step.times_per_day for _, step in self.items), default=0)

    @property
    def minutes(self) -> float:
        """The routine's minutes that day."""
        return round(sum(step.minutes for _, step in self.items), 2)

    @property
    def rest(self) -> bool:
        """Whether no routine item is done that day."""
        return not self.items


class ScheduleWeek(_Model):
    """One week of the schedule, day by day (worked out from the schedule)."""

    week: int
    days: list[ScheduleDay]

    @property
    def rest_days(self) -> list[int]:
        """The days with no routine item."""
        return [day.day for day in self.days if day.rest]


class Schedule(_Model):
    """The programme over ``weeks`` weeks: each routine item with its days and the steps it takes
    when things go well; the rules it follows. An urgent plan's schedule holds no item.

    >>> import footmap
    >>> plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}, weeks=4)
    >>> plan.schedule.weeks, [week.week for week in plan.schedule.by_week()]
    (4, [1, 2, 3, 4])
    """

    weeks: int = Field(default=0, ge=0, le=MAX_WEEKS)
    items: list[ScheduledItem] = []
    notes: list[ScheduleNote] = []

    def week(self, number: int) -> ScheduleWeek:
        """Week ``number`` (from 1), day by day."""
        if not 1 <= number <= self.weeks:
            raise ValueError(f"week {number} is not in this {self.weeks}-week schedule")
        days = [
            ScheduleDay(
                day=day, items=[(item.id, item.step_in(number)) for item in self.items if day in item.days]
            )
            for day in WEEK_DAYS
        ]
        return ScheduleWeek(week=number, days=days)

    def by_week(self) -> list[ScheduleWeek]:
        """Every week, in order."""
        return [self.week(number) for number in range(1, self.weeks + 1)]


#: What a change made to an item, or to the plan, after the session logs.
ChangeKind = Literal["progressed", "regressed", "dropped", "referred", "shortened"]


class Change(_Model):
    """One change the session logs made (``footmap.adjust``): what changed, from what to what,
    by which rule and source, and the dates of the log entries that caused it.

    >>> Change(item="toe_walking", change="regressed", before="Once a day: 4 times.",
    ...        after="Heel raises, holding on", rule="regress.pain_high", source="Silbernagel 2007",
    ...        dates=["2027-01-05"]).change
    'regressed'
    """

    item: str | None
    """The item changed; ``None`` for a change to the whole plan (a referral)."""
    change: ChangeKind
    before: str
    """What it was: the dose in words, the item's name, or the triage level."""
    after: str
    """What it is now (empty for an item dropped with no alternative)."""
    rule: str
    source: str
    dates: list[str]
    """The dates (``YYYY-MM-DD``) of the log entries behind the change."""


class Plan(_Model):
    """A personalised, explained plan.

    >>> import footmap
    >>> plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]})
    >>> plan.triage
    'self_care'
    """

    triage: TriageLevel
    safety_net: list[SafetyNetSign] = []
    """The signs to get help today for, in every plan that is not urgent (an urgent plan says
    what to do now instead)."""
    safety: list[SafetyMessage]
    routine: list[PlanItem]
    reflexology: list[PlanItem]
    acupressure: list[PlanItem] = []
    advice: list[PlanItem]
    excluded: list[Excluded]
    schedule: Schedule = Schedule()
    """The routine over the weeks asked for (``recommend(..., weeks=N)``)."""
    minutes_per_day: float
    budget_minutes: int
    disclaimer: str
    knowledge: str
    profile: dict[str, Any] | None = None
    """The validated profile the plan was made from, as JSON (what ``footmap.adjust`` recommends
    from again); ``None`` in a plan made before plans carried it."""
    changes: list[Change] = []
    """What the session logs changed (``footmap.adjust``, or ``recommend(..., logs=...)``)."""

    @property
    def items(self) -> list[PlanItem]:
        """Every item of the plan: routine, reflexology, acupressure, then advice."""
        return [*self.routine, *self.reflexology, *self.acupressure, *self.advice]

    def explain(self) -> str:
        """The reasoning behind the plan as a trace: every item with its facts, paths, rules and
        evidence (the ``explain`` renderer)."""
        return _display[0].render(self, "explain")

    def to_markdown(self) -> str:
        """The plan as Markdown (the ``md`` renderer)."""
        return _display[0].render(self, "md")

    def to_html(self) -> str:
        """The plan as one self-contained printable HTML page (the ``handout`` renderer).

        >>> import footmap
        >>> footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}).to_html()[:15]
        '<!DOCTYPE html>'
        """
        return _display[0].render(self, "handout")

    def foot_map(self) -> str:
        """The foot map as an SVG document (the ``svg`` renderer): both soles and the side views,
        the plan's reflex areas highlighted and named, its acupressure points marked, and a legend.

        >>> import footmap
        >>> plan = footmap.recommend({"pains": [{"area": "neck", "severity": 4}]})
        >>> plan.foot_map().startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
        True
        """
        return _display[0].render(self, "svg")

    def to_ics(self, *, start: dt.date, time: dt.time = dt.time(8, 0)) -> str:
        """The schedule as an iCalendar file (the ``ics`` renderer), week 1 starting on ``start``:
        one event series per routine session, the first session of a day at ``time`` (floating:
        that time wherever the person is), each event with its items' doses and steps. The same
        plan, ``start`` and ``time`` give the same bytes; an urgent plan's calendar has no event.

        >>> import datetime, footmap
        >>> plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]})
        >>> plan.to_ics(start=datetime.date(2025, 1, 6)).splitlines()[0]
        'BEGIN:VCALENDAR'
        """
        return _display[0].render(self, "ics", start=start, time=time)

    def to_fhir(self, *, subject: str) -> dict[str, Any]:
        """The plan as an HL7 FHIR R4 ``CarePlan`` for ``subject`` (``"Patient/1"``): a JSON-ready
        dict, validated with ``fhir.resources`` (``pip install 'footmap[fhir]'``; without it a
        ``MissingDependencyError`` says so). ``fhir.resources.R4B.careplan.CarePlan(**it)`` is the
        model; the ``fhir`` renderer gives the same as JSON text.

        >>> import footmap
        >>> plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]})
        >>> care_plan = plan.to_fhir(subject="Patient/1")  # doctest: +SKIP
        >>> care_plan["resourceType"], care_plan["intent"]  # doctest: +SKIP
        ('CarePlan', 'proposal')
        """
        resource: dict[str, Any] = json.loads(_display[0].render(self, "fhir", subject=subject))
        return resource

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        """The plan for Jupyter: HTML, Markdown and plain text, from the renderer registry."""
        return _display[0].mimebundle(self, include, exclude)

    def _repr_html_(self) -> str:
        """The plan's notebook view (for viewers that read only ``_repr_html_``)."""
        return _display[0].render(self, "html")

    def __str__(self) -> str:
        return self.to_markdown()
