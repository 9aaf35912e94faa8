"""``Plan``: the personalised routine, every item with its reasons, cautions and evidence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from footmap import render
from footmap._knowledge.schema import Evidence, Phase, Position, TriageLevel


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reason(_Model):
    """Why an item is in the plan: the fact it answers, the graph path, the rule, the evidence."""

    summary: str
    fact: str
    path: list[str]
    path_names: list[str] = []
    links: list[str]
    rule: str | None
    evidence: Evidence
    source: str


class Caution(_Model):
    """A caution shown on an item, from one rule."""

    message: str
    rule: str
    source: str


class DosagePlan(_Model):
    """How much to do: the source's wording and the structured dosage after adjustments."""

    text: str
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


class Plan(_Model):
    """A personalised, explained plan.

    >>> import footmap
    >>> plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]})
    >>> plan.triage
    'self_care'
    """

    triage: TriageLevel
    safety: list[SafetyMessage]
    routine: list[PlanItem]
    reflexology: list[PlanItem]
    advice: list[PlanItem]
    excluded: list[Excluded]
    minutes_per_day: float
    budget_minutes: int
    disclaimer: str
    knowledge: str

    @property
    def items(self) -> list[PlanItem]:
        """Every item of the plan: routine, reflexology, then advice."""
        return [*self.routine, *self.reflexology, *self.advice]

    def explain(self) -> str:
        """The reasoning behind the plan, as plain text (the ``text`` renderer)."""
        return render.render(self, "text")

    def to_markdown(self) -> str:
        """The plan as Markdown (the ``md`` renderer)."""
        return render.render(self, "md")

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        """The plan for Jupyter: HTML, Markdown and plain text, from the renderer registry."""
        return render.mimebundle(self, include=include, exclude=exclude)

    def __str__(self) -> str:
        return self.to_markdown()
