"""``Plan``: the personalised routine, every item with its reasons, cautions and evidence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from footmap._knowledge.schema import Evidence, Phase, Position, TriageLevel


class Display(Protocol):
    """How a plan is shown: what ``footmap.render`` provides (its registry), and the plan reads.

    The plan declares what it needs and the renderer package installs it (:func:`install`), so
    the plan never imports a renderer and a renderer imports the plan only for its types.
    """

    def render(self, plan: Plan, name: str) -> str:
        """The plan rendered by the renderer called ``name``."""
        ...

    def mimebundle(
        self, plan: Plan, include: Iterable[str] | None, exclude: Iterable[str] | None
    ) -> dict[str, str]:
        """The plan for Jupyter, one rendering per media type."""
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
    minutes_per_day: float
    budget_minutes: int
    disclaimer: str
    knowledge: str

    @property
    def items(self) -> list[PlanItem]:
        """Every item of the plan: routine, reflexology, acupressure, then advice."""
        return [*self.routine, *self.reflexology, *self.acupressure, *self.advice]

    def explain(self) -> str:
        """The reasoning behind the plan, as plain text (the ``text`` renderer)."""
        return _display[0].render(self, "text")

    def to_markdown(self) -> str:
        """The plan as Markdown (the ``md`` renderer)."""
        return _display[0].render(self, "md")

    def foot_map(self) -> str:
        """The foot map as an SVG document (the ``svg`` renderer): both soles and the side views,
        the plan's reflex areas highlighted and named, its acupressure points marked, and a legend.

        >>> import footmap
        >>> plan = footmap.recommend({"pains": [{"area": "neck", "severity": 4}]})
        >>> plan.foot_map().startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
        True
        """
        return _display[0].render(self, "svg")

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        """The plan for Jupyter: HTML, Markdown and plain text, from the renderer registry."""
        return _display[0].mimebundle(self, include, exclude)

    def __str__(self) -> str:
        return self.to_markdown()
