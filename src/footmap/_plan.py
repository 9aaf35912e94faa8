"""``Plan``: the personalised routine, every item with its reasons, cautions and evidence."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, ClassVar, Literal, NoReturn, Protocol, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
)

from footmap._kinds import SECTIONS
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
_T = TypeVar("_T")


class ImmutableList(list[_T]):
    """A list of a plan's part that cannot change: equal to a list of the same values, written
    as a JSON array, copied and pickled as itself; changing it raises ``TypeError``. Plans made
    with the same knowledge share their items, so an item's lists must never change."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[ImmutableList[_T]], tuple[list[_T]]]:
        return (type(self), (list(self),))

    def _refused(self, *args: object, **options: object) -> NoReturn:
        raise TypeError("a plan's lists cannot change: make a new list (list(value)) to change it")

    append = extend = insert = remove = pop = clear = sort = reverse = _refused
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refused

    def __copy__(self) -> ImmutableList[_T]:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> ImmutableList[_T]:
        return self


def _immutable(values: list[_T]) -> ImmutableList[_T]:
    return values if isinstance(values, ImmutableList) else ImmutableList(values)


#: A list field of a plan's part: validated as a list, held as an :class:`ImmutableList` (its
#: default too, which is validated for that).
FrozenList = Annotated[list[_T], AfterValidator(_immutable), Field(validate_default=True)]


def install(display: Display) -> None:
    """Show every plan through ``display`` (``footmap.render`` installs its registry on import)."""
    _display[:] = [display]


class _Model(BaseModel):
    """A part of a plan: frozen and strict about its fields. Its JSON leaves out the fields that
    hold their default (``None``, ``[]``, ``""``, ``0``, ``False``, ``times_per_day: 1``...), which
    reading the JSON gives back: a plan's JSON holds only what it says."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    def model_dump_json(self, *, exclude_defaults: bool = True, **options: Any) -> str:
        """The JSON text, without the fields that hold their default (``exclude_defaults=False``
        writes them all); pydantic's other ``options`` (``indent``...) as they are."""
        return super().model_dump_json(exclude_defaults=exclude_defaults, **options)


class CitedSource(_Model):
    """A source the plan cites, as a reader needs it: the full citation, where to read it, and
    whether it has been checked against the primary publication (``Plan.sources``)."""

    citation: str
    url: str | None = None
    verified: bool = True


class PlanTables:
    """What the parts of a plan say once for the whole plan: each cited source by id, each fact
    and graph node in the person's words, each evidence grade in words.

    A plan's items keep its tables (``PlanItem.tables``), so that an item shown on its own still
    cites in full. Tables are a view of the plan, never part of an item's value: any two compare
    equal, and an item made on its own has empty ones (every look-up then gives the id back).
    """

    __slots__ = ("evidence_labels", "names", "sources")

    def __init__(
        self,
        sources: Mapping[str, CitedSource] | None = None,
        names: Mapping[str, str] | None = None,
        evidence_labels: Mapping[Evidence, str] | None = None,
    ) -> None:
        self.sources: Mapping[str, CitedSource] = sources or {}
        self.names: Mapping[str, str] = names or {}
        self.evidence_labels: Mapping[Evidence, str] = evidence_labels or {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlanTables)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"PlanTables({len(self.sources)} sources, {len(self.names)} names)"

    def citation(self, source: str) -> str:
        """The full citation of a source id (the id itself where the plan does not cite it)."""
        cited = self.sources.get(source)
        return cited.citation if cited is not None else source

    def name_of(self, key: str) -> str:
        """A fact (``pain:back``, ``person``) or graph node (``exercise:toe_press``) in the
        person's words (the key itself where the plan has no name for it)."""
        return self.names.get(key, key)

    def path_names(self, reason: Reason) -> list[str]:
        """The names of a reason's path, node by node."""
        return [self.name_of(node) for node in reason.path]

    def fact_name(self, reason: Reason) -> str:
        """The fact(s) a reason answers in the person's words (``Back pain``, ``no towel``); empty
        for a rule that matched no reported fact."""
        if reason.path:
            return self.name_of(reason.path[0])
        return ", ".join(self.names[fact] for fact in reason.fact.split(", ") if fact in self.names)

    def evidence_label(self, grade: Evidence) -> str:
        """How an evidence grade is worded for a person (``limited evidence``)."""
        return self.evidence_labels.get(grade, grade)


class Reason(_Model):
    """Why an item is in the plan: the fact it answers, the graph path, the rule, the evidence.

    Names and the source's citation are the plan's (``plan.fact_name(reason)``,
    ``plan.path_names(reason)``, ``plan.citation(reason.source)``), said once for every reason.
    """

    summary: str
    fact: str
    """The fact it answers, as the trace names it (``pain:back``, ``missing_equipment:towel``);
    reported facts joined by ``, ``, or ``knowledge`` for a rule that matched none."""
    path: FrozenList[str] = []
    """The graph path from the fact to the item, node by node (empty for a rule's reason)."""
    links: FrozenList[str] = []
    step_evidence: FrozenList[Evidence | None] = []
    """The grade of each link of the path, in order (``None``: the person's own report)."""
    rule: str | None = None
    evidence: Evidence
    source: str
    """The source's id (``Plan.sources``)."""


class Caution(_Model):
    """A caution shown on an item, from one rule."""

    message: str
    rule: str
    source: str
    """The source's id (``Plan.sources``)."""


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
    adjusted_by: FrozenList[str] = []
    notes: FrozenList[str] = []


class PlanItem(_Model):
    """One exercise, reflex area, acupressure point or piece of advice in a plan.

    Immutable all through (its lists are :class:`FrozenList`), so plans made with the same
    knowledge share an item that is the same in each (``footmap._compose`` validates it once).
    """

    id: str
    name: str
    kind: str
    modality: str
    summary: str
    dosage: DosagePlan | None = None
    steps: FrozenList[str] = []
    position: Position | None = None
    phase: Phase | None = None
    equipment: FrozenList[str] = []
    minutes: float = 0.0
    evidence: Evidence
    why: FrozenList[Reason]
    cautions: FrozenList[Caution] = []
    replaces: str | None = None
    #: The tables of a plan the item is in, set by the plan on each of its items (empty on its
    #: own). Every plan holding the item names and cites all it does, so any of them will do.
    _tables: ClassVar[PlanTables] = PlanTables()

    @property
    def tables(self) -> PlanTables:
        """The tables of the plan this item is in (its sources, names and evidence labels)."""
        return self._tables

    @property
    def evidence_label(self) -> str:
        """The item's evidence grade in the person's words (``limited evidence``)."""
        return self._tables.evidence_label(self.evidence)

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        """The item for Jupyter: its card as HTML, and as plain text."""
        return _display[0].item_mimebundle(self, include, exclude)

    def _repr_html_(self) -> str:
        """The item's card as HTML (for viewers that read only ``_repr_html_``)."""
        return self._repr_mimebundle_(include=["text/html"])["text/html"]


class Excluded(_Model):
    """An item left out of the plan, and why (``Plan.excluded``: one per item, read from the
    plan's ``left_out`` groups)."""

    id: str
    name: str
    reason: str
    rule: str | None = None
    source: str | None = None
    """The source's id (``Plan.sources``), if a rule left the item out."""
    replaced_by: str | None = None

    def order(self) -> tuple[str, str, str, str, str]:
        """Where the entry stands in ``Plan.excluded``: by item, then reason, rule and source."""
        return (self.id, self.reason, self.rule or "", self.source or "", self.replaced_by or "")


class LeftOutItem(_Model):
    """One item of a ``LeftOut`` group: its id and name, and the item offered instead, if any."""

    id: str
    name: str
    replaced_by: str | None = None


class LeftOut(_Model):
    """The items left out of the plan for one reason, by one rule (with its source id): the
    reason said once for all of them (``Plan.left_out``)."""

    reason: str
    rule: str | None = None
    source: str | None = None
    """The source's id (``Plan.sources``), if a rule left the items out."""
    items: FrozenList[LeftOutItem]


def left_out_of(entries: Iterable[Excluded]) -> list[LeftOut]:
    """Entries of ``Plan.excluded`` as ``left_out`` groups: one per reason, rule and source, in
    the order of their first item."""
    groups: dict[tuple[str, str | None, str | None], list[LeftOutItem]] = {}
    for entry in sorted(entries, key=Excluded.order):
        groups.setdefault((entry.reason, entry.rule, entry.source), []).append(
            LeftOutItem(id=entry.id, name=entry.name, replaced_by=entry.replaced_by)
        )
    return [
        LeftOut(reason=reason, rule=rule, source=source, items=items)
        for (reason, rule, source), items in groups.items()
    ]


class SafetyMessage(_Model):
    """A message about safety for the whole plan: a referral or a general caution."""

    level: Literal["info", "warning", "critical"]
    message: str
    rule: str
    source: str
    """The source's id (``Plan.sources``)."""
    facts: FrozenList[str] = []


class SafetyNetSign(_Model):
    """Warning signs that mean "get help today" for this person's complaints (safety-netting)."""

    message: str
    rule: str
    source: str
    """The source's id (``Plan.sources``)."""
    facts: FrozenList[str] = []


#: The most weeks a schedule lays out, and how many it lays out unless asked.
MAX_WEEKS = 52
DEFAULT_WEEKS = 6
#: The days of a schedule's week (1 is Monday).
WEEK_DAYS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)


class ScheduledStep(_Model):
    """One routine item's dose from ``week`` on, until its next step: the place it has reached on
    its ladder (``position``: 0 is the plan's own dose, ``+n`` the n-th harder step), the dose's
    numbers and minutes a day, and what changed, in the person's words (empty in week 1)."""

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


class ScheduledItem(_Model):
    """A routine item over the weeks: the days of the week it is done, and each dose it reaches."""

    id: str
    """The routine item (``PlanItem.id``)."""
    days: FrozenList[int]
    steps: FrozenList[ScheduledStep]
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
    items: FrozenList[ScheduledItem] = []
    notes: FrozenList[ScheduleNote] = []

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
    ...        after="Heel raises, holding on", rule="regress.pain_high", source="silbernagel_2007",
    ...        dates=["2027-01-05"]).change
    'regressed'
    """

    item: str | None = None
    """The item changed; ``None`` for a change to the whole plan (a referral)."""
    change: ChangeKind
    before: str
    """What it was: the dose in words, the item's name, or the triage level."""
    after: str = ""
    """What it is now (empty for an item dropped with no alternative)."""
    rule: str
    source: str
    """The source's id (``Plan.sources``)."""
    dates: list[str] = []
    """The dates (``YYYY-MM-DD``) of the log entries behind the change."""


#: The parts plans made with one knowledge base share: the same object in each plan that has it
#: (``footmap._compose.parts`` and ``footmap._compose.shared``), which a batch's workers send the
#: parent once each (``footmap._wire``). Each is frozen, and its lists are ``ImmutableList``s.
SHARED_PARTS: frozenset[type[BaseModel]] = frozenset(
    {
        PlanItem,
        CitedSource,
        LeftOutItem,
        LeftOut,
        SafetyMessage,
        SafetyNetSign,
        ScheduledItem,
        ScheduledStep,
        ScheduleNote,
        Schedule,
    }
)


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
    safety: list[SafetyMessage] = []
    routine: list[PlanItem] = []
    reflexology: list[PlanItem] = []
    acupressure: list[PlanItem] = []
    advice: list[PlanItem] = []
    left_out: list[LeftOut] = []
    """What was left out, grouped by reason (``plan.excluded`` lists it item by item)."""
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
    sources: dict[str, CitedSource] = {}
    """Every source the plan cites, by id, each once: every ``source`` field holds one of these
    ids (``plan.citation(id)`` gives its full citation)."""
    names: dict[str, str] = {}
    """The facts and graph nodes of the plan's reasons in the person's words, by id
    (``plan.name_of(id)``, ``plan.fact_name(reason)``, ``plan.path_names(reason)``)."""
    evidence_labels: dict[Evidence, str] = {}
    """How each evidence grade of the plan's items is worded (``item.evidence_label``)."""
    _tables: ClassVar[PlanTables] = PlanTables()

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **options: Any) -> Plan:
        """The plan of JSON text; a plan's JSON written before plans had their tables (each
        reason naming its facts and citing its source in full, ``excluded`` item by item) reads
        as the same plan with tables (pydantic's ``options`` as they are)."""
        try:
            return super().model_validate_json(json_data, **options)
        except ValidationError:
            try:
                older = _upgraded(json.loads(json_data))
            except ValueError:  # not JSON at all: pydantic's error says so
                older = None
            if older is None:
                raise
            return super().model_validate(older, **options)

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Plan:
        """The plan of Python data (a plan's JSON, parsed); an older plan's as in
        :meth:`model_validate_json`."""
        try:
            return super().model_validate(obj, **options)
        except ValidationError:
            older = _upgraded(obj)
            if older is None:
                raise
            return super().model_validate(older, **options)

    def model_post_init(self, context: Any, /) -> None:
        """Give every item the plan's tables, so that an item shown alone still cites in full."""
        tables = PlanTables(self.sources, self.names, self.evidence_labels)
        # Beside the fields, not among them: pydantic's private attributes would cost every item
        # a Python call when it is made, and tables are a view, never part of a value (see
        # ``PlanTables``), so they stay out of the JSON, the repr, equality and the hash.
        self.__dict__["_tables"] = tables
        for item in self.items:
            item.__dict__["_tables"] = tables

    @property
    def items(self) -> list[PlanItem]:
        """Every item of the plan: routine, reflexology, acupressure, then advice."""
        return [*self.routine, *self.reflexology, *self.acupressure, *self.advice]

    @property
    def tables(self) -> PlanTables:
        """The plan's tables: its sources, names and evidence labels, with their look-ups."""
        return self._tables

    @property
    def excluded(self) -> list[Excluded]:
        """Every item left out, one entry each, by item (then reason): ``left_out`` item by item.

        >>> import footmap
        >>> plan = footmap.recommend({"pains": [{"area": "back", "severity": 5}], "equipment": []})
        >>> all(entry.reason for entry in plan.excluded)
        True
        """
        entries = [
            Excluded(
                id=item.id,
                name=item.name,
                reason=group.reason,
                rule=group.rule,
                source=group.source,
                replaced_by=item.replaced_by,
            )
            for group in self.left_out
            for item in group.items
        ]
        return sorted(entries, key=Excluded.order)

    def citation(self, source: str) -> str:
        """The full citation of a source id the plan cites (``reason.source``, ``caution.source``).

        >>> import footmap
        >>> plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]})
        >>> reason = plan.items[0].why[0]
        >>> plan.citation(reason.source) == plan.sources[reason.source].citation
        True
        """
        return self._tables.citation(source)

    def name_of(self, key: str) -> str:
        """A fact or graph node of the plan's reasons in the person's words.

        >>> import footmap
        >>> footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}).name_of("pain:knee")
        'Knee pain'
        """
        return self._tables.name_of(key)

    def fact_name(self, reason: Reason) -> str:
        """The fact(s) a reason answers in the person's words (``Back pain``, ``no towel``)."""
        return self._tables.fact_name(reason)

    def path_names(self, reason: Reason) -> list[str]:
        """The names of a reason's graph path, node by node."""
        return self._tables.path_names(reason)

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


def _upgraded(data: Any) -> dict[str, Any] | None:
    """An older plan's JSON data as a plan with tables reads it; ``None`` for data that is not
    an older plan (its errors are its own)."""
    if not isinstance(data, dict):
        return None
    upgraded = data
    if "sources" not in data and _older(data):
        upgraded = _with_tables(data)
    if "excluded" in upgraded:  # before ``left_out``: item by item
        upgraded = dict(upgraded)
        entries = upgraded.pop("excluded") or []
        upgraded["left_out"] = left_out_of(Excluded.model_validate(entry) for entry in entries)
    return None if upgraded is data else upgraded


#: The sections of a plan whose entries cite a source (the item sections are the kinds table's).
_CITING_SECTIONS = ("safety_net", "safety", "excluded", "changes")


def _older(data: dict[str, Any]) -> bool:
    """Whether plan JSON without a ``sources`` table is from before plans had tables: its items
    word their own evidence, or its messages cite a source (a plan with tables that cites
    nothing has no ``sources``, and nothing to upgrade)."""
    items = (item for section in SECTIONS for item in data.get(section) or [])
    citing = (entry for section in _CITING_SECTIONS for entry in data.get(section) or [])
    return any(isinstance(item, dict) and "evidence_label" in item for item in items) or any(
        isinstance(entry, dict) and isinstance(entry.get("source"), str) for entry in citing
    )


def _with_tables(data: dict[str, Any]) -> dict[str, Any]:
    """An older plan's JSON with tables: each citation becomes its own source id (an older plan
    does not say the knowledge's ids), the names and evidence labels move to their tables."""
    sources: dict[str, dict[str, str]] = {}
    names: dict[str, str] = {}
    labels: dict[str, str] = {}

    def cite(entry: dict[str, Any]) -> dict[str, Any]:
        if isinstance(entry.get("source"), str):
            sources[entry["source"]] = {"citation": entry["source"]}
        return entry

    def reason(entry: dict[str, Any]) -> dict[str, Any]:
        entry = dict(entry)
        path, path_names = entry.get("path") or [], entry.pop("path_names", None) or []
        fact_name = entry.pop("fact_name", "")
        names.update(zip(path, path_names, strict=False))
        facts, fact_names = entry.get("fact", "").split(", "), fact_name.split(", ")
        if not path and fact_name and len(facts) == len(fact_names):
            names.update(zip(facts, fact_names, strict=True))
        return cite(entry)

    def item(entry: dict[str, Any]) -> dict[str, Any]:
        entry = dict(entry)
        labels[entry.get("evidence", "")] = entry.pop("evidence_label", "")
        entry["why"] = [reason(r) for r in entry.get("why") or []]
        entry["cautions"] = [cite(dict(c)) for c in entry.get("cautions") or []]
        return entry

    upgraded = dict(data)
    for section in SECTIONS:
        upgraded[section] = [item(entry) for entry in data.get(section) or []]
    for citing in _CITING_SECTIONS:
        upgraded[citing] = [cite(dict(entry)) for entry in data.get(citing) or []]
    return {**upgraded, "sources": sources, "names": names, "evidence_labels": labels}
