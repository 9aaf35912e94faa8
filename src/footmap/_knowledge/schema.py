"""Pydantic models of the knowledge files: one model per file kind, strict (``extra="forbid"``).

No ``from __future__ import annotations`` here: pydantic would evaluate each of the hundreds of
annotations from its string when each model is defined, a fifth of this module's import time,
which every process pays (the models refer to later ones by a quoted name instead).
"""

import string
import sys
from collections.abc import Mapping
from typing import Annotated, Literal, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError, PydanticKnownError

from footmap._kinds import EVERYONE, FACT_TYPES, ITEM_KINDS, NODE_KINDS, TARGETED_EFFECTS, EffectKind
from footmap._suggest import did_you_mean, nearest

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]
NodeRef = Annotated[
    str,
    StringConstraints(pattern=rf"^({EVERYONE}|({'|'.join(NODE_KINDS)}):[a-z][a-z0-9_]*)$"),
]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

Evidence = Literal["high", "moderate", "low", "very_low", "none"]
EVIDENCE_ORDER: tuple[Evidence, ...] = ("none", "very_low", "low", "moderate", "high")
Position = Literal["standing", "sitting", "floor", "lying"]
Phase = Literal["warm_up", "main", "cool_down"]
TriageLevel = Literal["self_care", "see_clinician", "urgent"]
TRIAGE_ORDER: tuple[TriageLevel, ...] = ("self_care", "see_clinician", "urgent")
#: The level a red flag must be referred at, at least: a ``refer`` rule's levels.
RedFlagLevel = Literal["see_clinician", "urgent"]
Relation = Literal[
    "associated_with", "targets", "claimed_to_relieve", "recommended_for", "may_signal", "reported_as"
]
#: The relation of a person's own report to the factor it names ("you said your balance is poor"):
#: relevance, not a claim with evidence, so it takes no grade and never weakens or lifts a path's.
REPORTED_AS = "reported_as"
SourceKind = Literal[
    "guideline",
    "systematic_review",
    "trial",
    "review",
    "consensus",
    "tradition",
    "seed",
    "policy",
]


class Strict(BaseModel):
    """Base of every knowledge model: unknown fields are errors, instances are immutable.

    Each model's validator is built on its first use (``defer_build``), not on import: a process
    whose knowledge comes from the knowledge cache (``footmap._knowledge.cache``) validates no
    knowledge file, and never pays for building them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(Strict):
    """A citable source that claims in the knowledge point to by id."""

    id: Id
    citation: Text
    kind: SourceKind
    url: str | None = None
    verified: bool = True
    """Checked against the primary publication; ``footmap knowledge check --release`` fails while
    any source is not. Authoring notes belong in ``verification``, never in the citation a person
    reads."""
    verification: Text | None = None
    """What is left to check, for an unverified source (an authoring note, never shown in a plan)."""


class Term(Strict):
    """One entry of a vocabulary: an id a profile may use, with a readable name."""

    id: Id
    name: Text
    description: str = ""
    snomed: str | None = None
    """The SNOMED CT concept id of the term, if it has one."""
    snomed_source: Id | None = None
    """Where ``snomed`` comes from (a source id): a FHIR export codes the term with it only
    while that source is ``verified``."""
    snomed_display: str | None = None
    """The concept's term as SNOMED CT gives it (``Backache`` for a term footmap names ``Back
    pain``): the ``display`` of a FHIR coding, which must be the code system's, not footmap's."""
    #: A red flag: reported alone, it must be referred at least at this level. ``footmap knowledge
    #: check`` runs the rules to make sure some ``refer`` rule does (``unguarded_red_flag``).
    red_flag: RedFlagLevel | None = None


class EquipmentTerm(Term):
    """A piece of equipment, with household items that can stand in for it."""

    substitutes: list[Id] = []


class Vocabulary(Strict):
    """Every id a profile may use, by field."""

    pain_areas: list[Term]
    symptoms: list[Term]
    observations: list[Term]
    conditions: list[Term]
    equipment: list[EquipmentTerm]
    modalities: list[Term]


class Factor(Strict):
    """A mechanism between a complaint and a remedy, such as ankle stiffness."""

    id: Id
    name: Text
    description: Text
    source: Id


class Claim(Strict):
    """A claim on a graph edge: a readable reason, its evidence grade and its source."""

    reason: Text
    evidence: Evidence
    source: Id


class WorksOn(Claim):
    """An item works on a factor: the edge factor → item."""

    factor: Id


class Link(Strict):
    """An edge of the knowledge graph written by hand (complaint → factor, complaint → item)."""

    id: RuleId
    source_node: NodeRef = Field(alias="from")
    target: NodeRef = Field(alias="to")
    relation: Relation
    reason: Text
    source: Id
    evidence: Annotated[Evidence | None, Field(validate_default=True)] = None
    """The claim's grade; none for ``reported_as``, which is relevance (GRADE does not apply to
    self-report), and required for every other relation."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    @field_validator("evidence", mode="after")
    @classmethod
    def _graded_unless_reported(cls, value: Evidence | None, info: ValidationInfo) -> Evidence | None:
        relation = info.data.get("relation")
        if relation == REPORTED_AS and value is not None:
            raise ValueError("a `reported_as` link is relevance, not evidence: it takes no `evidence`")
        if relation is not None and relation != REPORTED_AS and value is None:
            raise PydanticKnownError("missing")  # every other relation makes a graded claim
        return value


Scalar = str | int | float | bool


class Comparison(Strict):
    """A comparison of one fact field: exactly one operator is set."""

    eq: Scalar | None = None
    ne: Scalar | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    one_of: list[Scalar] | None = None
    ref: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")] | None = None

    @model_validator(mode="after")
    def _exactly_one_operator(self) -> "Comparison":
        set_ops = [name for name, value in self if value is not None]
        if len(set_ops) != 1:
            raise ValueError(
                "a comparison sets exactly one of eq, ne, gt, gte, lt, lte, one_of, ref;"
                f" got {set_ops or 'none'}"
            )
        return self

    @property
    def operator(self) -> str:
        """The name of the operator that is set."""
        return next(name for name, value in self if value is not None)


def _known_fact_type(value: str) -> str:
    if value not in FACT_TYPES:
        raise PydanticCustomError(
            "footmap.unknown_value",
            "unknown fact type '{value}'; allowed: {allowed_text}.{hint}",
            {
                "value": value,
                "hint": did_you_mean(value, FACT_TYPES),
                "allowed": sorted(FACT_TYPES),
                "allowed_text": ", ".join(sorted(FACT_TYPES)),
                "suggestion": nearest(value, FACT_TYPES),
            },
        )
    return value


#: A fact type rules may match (the keys of ``_kinds.FACT_TYPES``).
FactType = Annotated[str, AfterValidator(_known_fact_type)]


class Pattern(Strict):
    """A pattern one fact must match; ``is`` is short for ``where: {key: ...}``."""

    fact: FactType
    is_: Id | None = Field(default=None, alias="is")
    where: dict[Id, Scalar | Comparison] = {}
    bind: Id | None = Field(default=None, alias="as")
    absent: bool = False

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Condition(Strict):
    """The left-hand side of a rule: all of, or any of, a list of patterns."""

    all: list[Pattern] | None = None
    any: list[Pattern] | None = None

    @model_validator(mode="after")
    def _exactly_one_list(self) -> "Condition":
        if (self.all is None) == (self.any is None):
            raise ValueError("a rule's `when` has exactly one of `all` or `any`")
        if not (self.all or self.any):
            raise ValueError("a rule's `when` needs at least one pattern")
        return self

    @property
    def patterns(self) -> list[Pattern]:
        """The patterns, whichever list holds them."""
        return self.all if self.all is not None else (self.any or [])


Effect = EffectKind


class Adjustment(Strict):
    """How an ``adjust`` rule changes a dosage."""

    scale: Annotated[float, Field(gt=0, le=2)]


class Forbids(Strict):
    """The items a message tells the person not to do, so that no plan that shows it keeps them.

    ``where`` tests an ``item`` fact, as a rule pattern's ``where`` does; the items it matches are
    left out, with ``reason``, whenever the rule fires.
    """

    where: Annotated[dict[Id, Scalar | Comparison], Field(min_length=1)]
    reason: Text


class Rule(Strict):
    """A declarative rule: when the patterns match, record one effect."""

    id: RuleId
    effect: Effect
    message: Text
    source: Id
    when: Condition
    level: TriageLevel | None = None
    target: Id | None = None
    adjust: Adjustment | None = None
    forbids: Forbids | None = None
    """Items this rule's message rules out (``refer`` and plan-wide ``caution`` rules only)."""
    reassures: bool = False
    """A reassuring ``caution`` ("pain may go up … not a sign of harm"), never shown beside a
    referral."""

    @model_validator(mode="after")
    def _effect_fields(self) -> "Rule":
        if self.effect == "refer" and self.level in (None, "self_care"):
            raise ValueError("a `refer` rule needs `level: see_clinician` or `level: urgent`")
        if self.effect != "refer" and self.level is not None:
            raise ValueError("only `refer` rules take a `level`")
        if self.effect in TARGETED_EFFECTS and self.target is None:
            raise ValueError(f"an `{self.effect}` rule needs a `target` (a binding of an item)")
        if (self.effect == "adjust") != (self.adjust is not None):
            raise ValueError("`adjust` goes with `effect: adjust` and only with it")
        if self.forbids is not None and (self.effect not in ("refer", "caution") or self.target is not None):
            raise ValueError("`forbids` goes with a `refer` rule or a plan-wide `caution` rule only")
        if self.reassures and (self.effect != "caution"):
            raise ValueError("`reassures` goes with a `caution` rule only")
        return self


class Precaution(Strict):
    """A contraindication or caution on one item, compiled into a rule targeting that item."""

    id: Id
    effect: Literal["exclude", "caution", "adjust"]
    when: Condition
    reason: Text
    source: Id
    adjust: Adjustment | None = None


class SafetyReview(Strict):
    """The record that an item's contraindications were reviewed, and against what source."""

    summary: Text
    source: Id


class Dosage(Strict):
    """A structured dosage; ``text`` is how the source words it."""

    text: Text
    sets: int | None = Field(default=None, ge=1)
    reps: int | None = Field(default=None, ge=1)
    hold_seconds: int | None = Field(default=None, ge=1)
    rest_seconds: int | None = Field(default=None, ge=0)
    duration_seconds: int | None = Field(default=None, ge=1)
    times_per_day: int = Field(default=1, ge=1, le=10)
    per_side: bool = False


class Departure(Strict):
    """Where an item departs from the seed article's steps, dosage or end point, and why: the
    audit trail of seed fidelity (listed in ``docs/safety.md``)."""

    change: Text
    """What footmap does differently from the article."""
    reason: Literal["safety", "clarity"]
    why: Text


class ItemBase(Strict):
    """Fields every recommendable item has."""

    id: Id
    name: Text
    modality: Id
    summary: Text
    minutes: Annotated[float, Field(gt=0, le=60)]
    evidence: Evidence
    source: Id
    works_on: list[WorksOn] = []
    precautions: list[Precaution] = []
    seed: str | None = None
    #: Where the item departs from the seed article (its ``seed`` section), and why.
    departures: list[Departure] = []
    #: Gentle enough to keep while the person waits to be assessed (a ``see_clinician`` plan).
    gentle: bool = False
    #: Care the guidelines give for the complaint that the person may start while waiting to be
    #: assessed (its text already says to ask a GP or physiotherapist): kept in a
    #: ``see_clinician`` plan, like a gentle item, unless a rule forbids it.
    while_waiting: bool = False
    #: A reassuring sentence ("pain may go up a little … not harm"), shown as the item's last
    #: step only in a ``self_care`` plan: never beside a red flag.
    reassurance: Text | None = None
    #: The contraindication review: which conditions, observations, abilities and equipment gaps
    #: were considered for this item, and which general rules or ``precautions`` cover them.
    #: ``footmap knowledge check`` rejects an item without one.
    safety_review: SafetyReview | None = None


class Exercise(ItemBase):
    """A foot exercise with steps, dosage, position and equipment."""

    steps: list[Text]
    dosage: Dosage
    position: Position
    phase: Phase
    weight_bearing: bool
    equipment: list[Id] = []
    alternatives: list[Id] = []
    variant_of: Id | None = None


class ReflexArea(ItemBase):
    """A foot zone that reflexology says reflects another part of the body."""

    location: Text
    technique: Text
    dosage: Dosage


class AcupressurePoint(ItemBase):
    """An acupressure point, with where it is and how it is pressed."""

    code: Text
    location: Text
    technique: Text
    dosage: Dosage


class Advice(ItemBase):
    """Lifestyle advice: what to do, in plain words."""

    text: Text


# --- progressions: ladders, the pain-monitoring checks that move along them, rest days ---------

#: What kind of training an exercise is, as rest-day rules select it.
Training = Literal["strength", "motor", "mobility", "stretch", "massage"]
#: Which way a ladder step moves: up (harder) or down (easier).
Move = Literal["up", "down"]
#: The dose fields a ladder step may change (``Dosage``'s numbers, ``rest_seconds`` apart).
DOSE_FIELDS: tuple[str, ...] = ("sets", "reps", "hold_seconds", "duration_seconds", "times_per_day")
#: The days of a week a schedule lays out (1 is Monday).
WEEKDAYS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)


class PainCheck(Strict):
    """When a step of a ladder is taken, read from the pain-monitoring model: moving ``up`` when
    the pain during the exercise stayed at or below ``pain_limit`` (0-10) and had settled by the
    next morning, ``down`` when it went above it or had not settled."""

    id: Id
    move: Move
    pain_limit: Annotated[int, Field(ge=0, le=10)]
    settled_by_morning: bool = True
    text: Text
    """The check in the person's words (shown with every schedule)."""
    source: Id


class LadderStep(Strict):
    """One step along a ladder: a dose change, a move to a variant of the item, or both.

    The dose fields are the step's new values (the fields it leaves out keep the previous step's);
    a ``variant`` step starts from that variant's own dosage.
    """

    condition: Id
    """The ``PainCheck`` that takes this step (one that moves the ladder's way)."""
    after_weeks: Annotated[int, Field(ge=1, le=52)] | None = None
    """The earliest the step is planned: after this many weeks of the programme, when things go
    well. Without it the step is never planned ahead, only taken on how the person is doing."""
    variant: Id | None = None
    sets: int | None = Field(default=None, ge=1)
    reps: int | None = Field(default=None, ge=1)
    hold_seconds: int | None = Field(default=None, ge=1)
    duration_seconds: int | None = Field(default=None, ge=1)
    times_per_day: int | None = Field(default=None, ge=1, le=10)
    description: Text
    """What changes, in the person's words."""
    source: Id

    @model_validator(mode="after")
    def _changes_something(self) -> "LadderStep":
        if self.variant is None and not self.dose():
            raise ValueError(f"a step changes the dose ({', '.join(DOSE_FIELDS)}) or names a `variant`")
        return self

    def dose(self) -> dict[str, int]:
        """The dose fields this step sets."""
        return {name: value for name in DOSE_FIELDS if (value := getattr(self, name)) is not None}


class Ladder(Strict):
    """The ordered steps of one exercise (its ``id``): ``harder`` ones up from the item's own
    dosage, ``easier`` ones down from it. A position on the ladder is a number: 0 is the item's
    own dosage, ``+n`` the n-th harder step, ``-n`` the n-th easier one."""

    id: Id
    training: Training
    source: Id
    harder: list[LadderStep] = []
    easier: list[LadderStep] = []

    def steps(self, move: Move) -> list[LadderStep]:
        """The steps one way, in the order they are taken."""
        return self.harder if move == "up" else self.easier


def _distinct_days(days: list[int]) -> list[int]:
    if len(set(days)) != len(days):
        raise ValueError("each day once")
    return sorted(days)


class RestRule(Strict):
    """On which days of the week exercises of some ``training`` are done, and why (the rest the
    source asks for between them)."""

    id: Id
    training: Annotated[list[Training], Field(min_length=1)]
    days: Annotated[
        list[Annotated[int, Field(ge=1, le=7)]], Field(min_length=1), AfterValidator(_distinct_days)
    ]
    text: Text
    """The rule in the person's words (shown with the schedules it shapes)."""
    source: Id


class Progressions(Strict):
    """``progressions.yaml``: the pain-monitoring checks, the rest-day rules, the ladders."""

    monitoring: list[PainCheck] = []
    rest: list[RestRule] = []
    ladders: list[Ladder] = []

    def ladder(self, item: str) -> "Ladder | None":
        """The ladder of an item, if it has one."""
        return next((ladder for ladder in self.ladders if ladder.id == item), None)


def session_work(dose: Mapping[str, int | None]) -> int:
    """How much one session of a dose holds: sets x reps x the seconds each (1 where a field is
    absent). A dose's minutes scale with it from the item's own dosage and minutes.

    >>> session_work({"sets": 2, "reps": 10, "hold_seconds": 5})
    100
    """
    seconds = (dose.get("hold_seconds") or 0) + (dose.get("duration_seconds") or 0)
    return (dose.get("sets") or 1) * (dose.get("reps") or 1) * (seconds or 1)


def scaled_minutes(
    item_minutes: float, base: Mapping[str, int | None], dose: Mapping[str, int | None]
) -> float:
    """The minutes a day of ``dose`` for an item that takes ``item_minutes`` a session at ``base``.

    >>> scaled_minutes(1.5, {"hold_seconds": 3, "times_per_day": 3}, {"hold_seconds": 5, "times_per_day": 3})
    7.5
    """
    per_session = item_minutes * session_work(dose) / session_work(base)
    return round(per_session * (dose.get("times_per_day") or 1), 2)


class Rung(NamedTuple):
    """A step of a ladder as it is done: its position, the item done, the whole dose, the minutes."""

    position: int
    """``+n`` for the n-th harder step, ``-n`` for the n-th easier one."""
    step: LadderStep
    item: str
    dose: dict[str, int]
    minutes: float
    """Minutes a day at this dose, scaled from the item's own minutes by :func:`session_work`."""


def own_dose(exercise: Exercise) -> dict[str, int]:
    """An exercise's own dose: the fields of its dosage a ladder step may change."""
    return {name: value for name in DOSE_FIELDS if (value := getattr(exercise.dosage, name)) is not None}


def climb(ladder: Ladder, exercises: Mapping[str, Exercise], move: Move) -> list[Rung]:
    """The ladder's steps one way, each with its item, whole dose and minutes a day; it stops at
    a step naming an item that is not an exercise (``footmap knowledge check`` reports it)."""
    current = exercises.get(ladder.id)
    if current is None:
        return []
    base = own_dose(current)
    dose = dict(base)
    rungs: list[Rung] = []
    sign = 1 if move == "up" else -1
    for number, step in enumerate(ladder.steps(move), start=1):
        if step.variant is not None:
            variant = exercises.get(step.variant)
            if variant is None:
                break
            current, base = variant, own_dose(variant)
            dose = dict(base)
        dose = {**dose, **step.dose()}
        minutes = scaled_minutes(current.minutes, base, dose)
        rungs.append(Rung(sign * number, step, current.id, dose, minutes))
    return rungs


# --- the foot map (zones.yaml) -------------------------------------------------------------------

#: A coordinate of the foot map, in its view's units (from the view's top-left corner, y down).
Coordinate = Annotated[float, Field(allow_inf_nan=False)]
#: A point of the foot map: ``[x, y]`` in its view's units.
XY = tuple[Coordinate, Coordinate]


def _encloses_an_area(points: list[XY]) -> list[XY]:
    """A shape's points must enclose an area: three points on one line draw nothing."""
    twice_area = sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, [*points[1:], points[0]], strict=True)
    )
    if abs(twice_area) < 1e-9:
        raise ValueError("the points lie on one line; a shape needs at least 3 points around an area")
    return points


#: A closed shape of the foot map: at least 3 points around an area, drawn as a smooth outline.
Shape = Annotated[list[XY], Field(min_length=3), AfterValidator(_encloses_an_area)]


class FootView(Strict):
    """One drawing of the foot map: the foot (or the foot and lower leg) seen from one side, in a
    box of its own ``width`` by ``height`` units."""

    id: Id
    name: Text
    """What the drawing shows, as a person reads it (``Top of the foot``)."""
    caption: Text | None = None
    """How it is seen, under the drawing (``toes to the left, back of the leg to the right``)."""
    width: Annotated[float, Field(gt=0, le=10_000)]
    height: Annotated[float, Field(gt=0, le=10_000)]
    outline: Annotated[list[Shape], Field(min_length=1)]
    """The foot (and leg) as closed shapes: the sole and each toe, say."""
    marks: list[Shape] = []
    """Landmarks drawn as thin lines, to find the points by (an ankle bone, a kneecap)."""
    mirrored: bool = False
    """Drawn twice: as the left foot, and mirrored left to right as the right foot (both soles)."""
    source: Id


class AreaZone(Strict):
    """Where one reflex area is drawn: a shape in one view (on both feet, if the view is mirrored)."""

    area: Id
    """The reflex area (an id from ``reflexology.yaml``)."""
    view: Id
    shape: Shape
    source: Id


class PointMark(Strict):
    """Where one acupressure point is marked: a spot in one view."""

    point: Id
    """The acupressure point (an id from ``acupressure.yaml``)."""
    view: Id
    at: XY
    source: Id


class ZoneMap(Strict):
    """The foot map (``zones.yaml``): its views, each reflex area's zone and each point's spot."""

    views: list[FootView] = []
    areas: list[AreaZone] = []
    points: list[PointMark] = []

    def view(self, ident: str) -> "FootView | None":
        """The view called ``ident``, if the map has it."""
        return next((view for view in self.views if view.id == ident), None)


def _template(*allowed: str) -> AfterValidator:
    """A check that a template (text with ``{placeholders}``) names only those its use fills in."""

    def check(text: str) -> str:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as error:
            raise ValueError(
                f"not a valid template ({error}); write a literal brace as {{{{ or }}}}"
            ) from None
        unknown = sorted(names - set(allowed))
        if unknown:
            known = ", ".join(f"{{{name}}}" for name in allowed) or "none"
            raise ValueError(
                f"unknown placeholder {{{unknown[0]}}}.{did_you_mean(unknown[0], allowed)} Allowed: {known}"
            )
        return text

    return AfterValidator(check)


class TriageWording(Strict):
    """One headline per triage level."""

    self_care: Text
    see_clinician: Text
    urgent: Text


class EvidenceWording(Strict):
    """How each evidence grade is worded for a person."""

    high: Text
    moderate: Text
    low: Text
    very_low: Text
    none: Text

    def labels(self) -> dict[str, str]:
        """Each grade's words by grade, as ``model_dump()`` gives them, without building the
        model's serializer (the models are built on first use, and a first plan needs only this).

        >>> from footmap._knowledge.base import shipped_knowledge
        >>> words = shipped_knowledge().wording.evidence
        >>> words.labels() == words.model_dump()
        True
        """
        return {grade: getattr(self, grade) for grade in EvidenceWording.model_fields}


class StepWording(EvidenceWording):
    """How one step of a reason's path is graded, briefly (``Tight ankles [no evidence]``): each
    grade's short words, and ``reported`` for what the person said (relevance, not a grade)."""

    step: Annotated[Text, _template("name", "grade")]
    reported: Text


class SectionWording(Strict):
    """The title of each plan section."""

    routine: Text
    reflexology: Text
    acupressure: Text
    advice: Text


class ComposeWording(Strict):
    """What the composer writes into a plan."""

    swapped_in: Annotated[Text, _template("name", "reason")]
    held_back_for_assessment: Text
    held_back_urgent: Text
    over_budget: Annotated[Text, _template("budget", "minutes")]
    where: Annotated[Text, _template("location")]
    how: Annotated[Text, _template("technique")]
    #: How the facts behind a rule's reason are named to the person (never by their ids).
    person_fact: Text
    missing_equipment_fact: Annotated[Text, _template("name")]
    excluded_modality_fact: Annotated[Text, _template("name")]
    #: How the facts of the session logs are named (``footmap.adjust``).
    item_log_fact: Annotated[Text, _template("name")]
    complaint_log_fact: Annotated[Text, _template("name")]
    programme_fact: Text


class DosageWording(Strict):
    """How a structured dosage is put into words (``_compose/words.py``)."""

    sentence: Annotated[Text, _template("frequency", "amount")]
    frequency_only: Annotated[Text, _template("frequency")]
    once: Text
    twice: Text
    times: Annotated[Text, _template("count")]
    count: Annotated[Text, _template("count")]
    sets_of: Annotated[Text, _template("sets", "count")]
    rounds: Annotated[Text, _template("count", "time")]
    duration: Annotated[Text, _template("time")]
    hold_each: Annotated[Text, _template("time")]
    hold: Annotated[Text, _template("time")]
    rest: Annotated[Text, _template("time")]
    per_side: Text
    seconds: Annotated[Text, _template("count")]
    minute: Text
    minutes: Annotated[Text, _template("count")]
    half: Text
    reduced: Annotated[Text, _template("percent")]


class MarkdownWording(Strict):
    """The fixed words of the Markdown (and HTML) plan."""

    title: Text
    safety_net: Text
    safety: Text
    left_out: Text
    time: Annotated[Text, _template("minutes", "budget")]
    minutes_a_day: Annotated[Text, _template("minutes")]
    position: Annotated[Text, _template("position")]
    equipment: Annotated[Text, _template("equipment")]
    evidence: Annotated[Text, _template("label")]
    dose: Text
    dose_source: Annotated[Text, _template("text")]
    why: Annotated[Text, _template("summary", "facts")]
    why_path: Annotated[Text, _template("path")]
    caution: Annotated[Text, _template("message")]
    adjusted: Annotated[Text, _template("note")]


class ChangesWording(Strict):
    """How a plan says what the session logs changed (``plan.changes``): a title, and a sentence
    for each kind of change."""

    title: Text
    progressed: Annotated[Text, _template("name", "before", "after", "dates")]
    regressed: Annotated[Text, _template("name", "before", "after", "dates")]
    dropped: Annotated[Text, _template("name", "before", "dates")]
    dropped_for: Annotated[Text, _template("name", "after", "dates")]
    referred: Annotated[Text, _template("name", "dates")]
    shortened: Annotated[Text, _template("name", "before", "after", "dates")]
    whole_plan: Text
    """What ``name`` is for a change to the whole plan (a referral not tied to one complaint)."""


class ExplainWording(Strict):
    """The fixed words of ``Plan.explain()``, the plan's reasoning as a trace."""

    triage: Annotated[Text, _template("level", "headline")]
    safety_net: Text
    safety_net_sign: Annotated[Text, _template("message", "rule", "source")]
    safety: Annotated[Text, _template("level", "message", "rule", "facts", "source")]
    item: Annotated[Text, _template("name", "id", "time", "evidence", "label")]
    time: Annotated[Text, _template("minutes")]
    why: Annotated[Text, _template("summary", "fact", "path", "rule", "evidence", "source")]
    by_rule: Annotated[Text, _template("rule")]
    path_by_rule: Text
    caution: Annotated[Text, _template("message", "rule")]
    adjusted_by: Annotated[Text, _template("rules")]
    left_out: Text
    excluded: Annotated[Text, _template("name", "id", "reason")]
    excluded_rule: Annotated[Text, _template("rule")]


class ScheduleWording(Strict):
    """The fixed words of the schedule: the week-by-week table and its notes."""

    title: Text
    intro: Annotated[Text, _template("weeks")]
    week: Text
    days: Text
    minutes: Text
    changes: Text
    day_names: Annotated[list[Text], Field(min_length=7, max_length=7)]
    every_day: Text
    rest: Annotated[Text, _template("days")]
    start: Text
    no_change: Text
    item_days: Annotated[Text, _template("name", "days")]
    change: Annotated[Text, _template("name", "change")]
    minutes_a_day: Annotated[Text, _template("minutes")]
    when_to_move: Text


class DisplayWording(Strict):
    """The fixed words of the readable plan: the notebook card (``html``), the printable page
    (``handout``) and the terminal text (``text``), the numbered sources they end with, and a
    knowledge base's notebook summary."""

    language: Text
    """The language these words are in, as a BCP 47 tag (``en``): the HTML's ``lang``."""
    now: Text
    dose: Annotated[Text, _template("dose")]
    how: Text
    minutes: Annotated[Text, _template("minutes")]
    position: Annotated[Text, _template("position")]
    equipment: Annotated[Text, _template("equipment")]
    evidence: Annotated[Text, _template("label")]
    cautions: Text
    why: Text
    for_facts: Annotated[Text, _template("facts")]
    rule: Annotated[Text, _template("rule")]
    source_quote: Annotated[Text, _template("text")]
    sources: Text
    citation: Annotated[Text, _template("number")]
    knowledge: Text
    knowledge_items: Annotated[Text, _template("count")]
    knowledge_kind: Annotated[Text, _template("kind", "count")]
    knowledge_sources: Annotated[Text, _template("count")]
    knowledge_rules: Annotated[Text, _template("count")]
    knowledge_fingerprint: Annotated[Text, _template("fingerprint")]


class FootMapWording(Strict):
    """The fixed words of the foot map (``Plan.foot_map()``, the ``svg`` renderer)."""

    title: Text
    label: Text
    """What the whole map is, for a screen reader (``aria-label``)."""
    left: Text
    right: Text
    orientation: Text
    """How the drawings are seen (the soles from below, left foot on the left …)."""
    highlighted: Text
    other: Text
    point: Text
    unproven: Text
    """That reflexology is a traditional map, not a proven one."""
    areas_in_plan: Annotated[Text, _template("names")]
    points_in_plan: Annotated[Text, _template("names")]
    nothing_in_plan: Text
    not_on_map: Annotated[Text, _template("names")]


class ProgressWording(Strict):
    """The fixed words of ``footmap.progress`` (what session logs show over time)."""

    title: Text
    period: Annotated[Text, _template("first", "last", "days")]
    no_logs: Text
    pain: Text
    side: Annotated[Text, _template("name", "side")]
    pain_line: Annotated[Text, _template("name", "trend")]
    means: Annotated[Text, _template("first", "last")]
    improving: Text
    stable: Text
    worse: Text
    too_soon: Text
    worse_advice: Text
    sessions: Text
    planned: Annotated[Text, _template("done", "planned", "percent")]
    days: Annotated[Text, _template("done", "days", "percent")]
    felt: Annotated[Text, _template("easy", "ok", "hard")]
    items: Text
    item_line: Annotated[Text, _template("name", "done", "skipped", "status")]
    progressed: Text
    regressed: Text
    steady: Text
    dropped: Annotated[Text, _template("count")]
    not_started: Text
    plan_not_started: Annotated[Text, _template("names")]
    last_dose: Annotated[Text, _template("date", "dose")]
    sets: Annotated[Text, _template("count")]
    reps: Annotated[Text, _template("count")]
    holds: Annotated[Text, _template("count")]
    seconds: Annotated[Text, _template("count")]
    new_symptoms: Text
    symptom_on: Annotated[Text, _template("name", "date")]
    urgent: Annotated[Text, _template("symptoms")]
    see_clinician: Annotated[Text, _template("symptoms")]
    chart_title: Text
    chart_label: Annotated[Text, _template("names")]
    before: Text
    after: Text
    next_morning: Text
    no_pain: Text


class ExportWording(Strict):
    """The fixed words of the exports: the calendar (``Plan.to_ics()``, the ``ics`` renderer) and
    the FHIR CarePlan (``Plan.to_fhir()``, the ``fhir`` renderer)."""

    calendar: Text
    """The calendar's name, as a calendar app lists it."""
    summary: Text
    """An event's title, for a day with one session."""
    session: Annotated[Text, _template("number", "count")]
    """An event's title, for a day with more than one session."""
    minutes: Annotated[Text, _template("minutes")]
    item: Annotated[Text, _template("name", "dose")]
    from_week: Annotated[Text, _template("week", "dose")]
    """A later step of an item's dose, in a CarePlan activity's description."""


class Wording(Strict):
    """Every fixed word footmap says to a person (``wording.yaml``): a translation is this file."""

    disclaimer: Text
    evidence: EvidenceWording
    steps: StepWording
    triage: TriageWording
    sections: SectionWording
    compose: ComposeWording
    dosage: DosageWording
    markdown: MarkdownWording
    explain: ExplainWording
    schedule: ScheduleWording
    display: DisplayWording
    foot_map: FootMapWording
    progress: ProgressWording
    exports: ExportWording
    changes: ChangesWording


Item = Exercise | ReflexArea | AcupressurePoint | Advice

#: The entry model of each item kind (``_kinds.ITEM_KINDS`` names them).
ITEM_MODELS: dict[str, type[ItemBase]] = {
    kind.name: getattr(sys.modules[__name__], kind.model) for kind in ITEM_KINDS
}


class Knowledge(Strict):
    """Everything in one knowledge directory, validated but not yet cross-checked.

    ``items`` holds each item kind's entries (by kind name, as ``_kinds.ITEM_KINDS`` lists them),
    in file order.
    """

    sources: list[Source]
    vocabulary: Vocabulary
    factors: list[Factor]
    items: dict[str, list[Item]]
    links: list[Link]
    rules: list[Rule]
    # Factories, not instances: an instance made here would build its model's validator on import.
    progressions: Progressions = Field(default_factory=Progressions)
    #: ``None`` only where ``wording.yaml`` did not validate (a loaded ``KnowledgeBase`` always
    #: has its wording: see ``KnowledgeBase.wording``).
    wording: Wording | None
    #: The foot map (``zones.yaml``): where each reflex area and acupressure point is drawn.
    zones: ZoneMap = Field(default_factory=ZoneMap)

    def items_by_kind(self) -> list[tuple[str, Item]]:
        """Every item with its kind, in the kinds table's order, then file order."""
        return [(kind.name, item) for kind in ITEM_KINDS for item in self.items.get(kind.name, [])]

    def as_files(self) -> dict[str, object]:
        """The knowledge as its files hold it: one key per file (items under their file's name)."""
        data = self.model_dump(mode="json", by_alias=True, exclude={"items"})
        for kind in ITEM_KINDS:
            data[kind.file] = [
                item.model_dump(mode="json", by_alias=True) for item in self.items.get(kind.name, [])
            ]
        return data
