"""``Plan``: the personalised routine, every item with its reasons, cautions and evidence."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from footmap._knowledge.schema import Evidence, Phase, Position, TriageLevel

DISCLAIMER = (
    "footmap gives general self-care information, not a diagnosis or a treatment plan. "
    "It does not replace a clinician: if your pain is severe, getting worse or not improving, "
    "or you notice any warning sign, see a doctor or physiotherapist."
)

#: How each evidence grade is worded for a person.
EVIDENCE_LABELS: dict[str, str] = {
    "high": "strong evidence",
    "moderate": "moderate evidence",
    "low": "limited evidence",
    "very_low": "very limited evidence; optional",
    "none": "no trial evidence (traditional or unproven claim); optional, not a treatment",
}


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
        """The reasoning behind the plan, as plain text."""
        from footmap.render._text import explain

        return explain(self)

    def to_markdown(self) -> str:
        """The plan as Markdown."""
        from footmap.render._markdown import to_markdown

        return to_markdown(self)

    def _repr_html_(self) -> str:
        from footmap.render._html import to_html

        return to_html(self)

    def __str__(self) -> str:
        return self.to_markdown()
