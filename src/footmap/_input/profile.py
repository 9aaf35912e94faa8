"""``Profile``: what a person reports, validated against the knowledge vocabulary."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from footmap._knowledge.base import KnowledgeBase, shipped_knowledge

Side = Literal["left", "right", "both"]


def _knowledge(info: ValidationInfo) -> KnowledgeBase:
    context = info.context or {}
    knowledge = context.get("knowledge") if isinstance(context, dict) else None
    return knowledge if isinstance(knowledge, KnowledgeBase) else shipped_knowledge()


def _nearest_hint(value: str, allowed: list[str]) -> str:
    near = get_close_matches(value, allowed, n=1, cutoff=0.5)
    return f" Did you mean {near[0]!r}?" if near else ""


def _check_ids(values: list[str], vocabulary: str, label: str, info: ValidationInfo) -> list[str]:
    allowed = sorted(_knowledge(info).vocabulary[vocabulary])
    for value in values:
        if value not in allowed:
            raise ValueError(
                f"Unknown {label} {value!r}.{_nearest_hint(value, allowed)} Allowed: {', '.join(allowed)}."
            )
    return sorted(set(values))


def _check_fields(data: Any, model: type[BaseModel]) -> Any:
    if isinstance(data, dict):
        allowed = sorted(model.model_fields)
        for key in data:
            if key not in allowed:
                raise ValueError(
                    f"Unknown field {key!r}.{_nearest_hint(str(key), allowed)}"
                    f" Allowed fields: {', '.join(allowed)}."
                )
    return data


class _Input(BaseModel):
    """Base of the input models: frozen, and an unknown field names the nearest known one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        return _check_fields(data, cls)


class Pain(_Input):
    """One pain: where, how bad (0–10), optionally which side and for how many weeks."""

    area: str
    severity: Annotated[int, Field(ge=0, le=10)]
    side: Side | None = None
    weeks: Annotated[float, Field(ge=0, le=520)] | None = None

    @field_validator("area")
    @classmethod
    def _known_area(cls, value: str, info: ValidationInfo) -> str:
        return _check_ids([value], "pain_areas", "pain area", info)[0]


class Profile(_Input):
    """What a person reports about their pains and their feet.

    Every id is checked against the knowledge vocabulary; lists are sorted and de-duplicated, so
    two profiles that say the same thing are equal.

    >>> Profile(pains=[{"area": "back", "severity": 6}], equipment=["towel"]).pains[0].area
    'back'
    """

    pains: list[Pain] = []
    symptoms: list[str] = []
    observations: list[str] = []
    conditions: list[str] = []
    equipment: list[str] = []
    age: Annotated[int, Field(ge=1, le=120)] | None = None
    can_get_on_floor: bool = True
    can_stand_unaided: bool = True
    minutes_per_day: Annotated[int, Field(ge=5, le=120)] = 20
    exclude: list[str] = []

    @field_validator("pains")
    @classmethod
    def _sorted_pains(cls, value: list[Pain]) -> list[Pain]:
        return sorted(value, key=lambda pain: (pain.area, pain.side or "", -pain.severity, pain.weeks or -1))

    @field_validator("symptoms", "observations", "conditions", "equipment", "exclude")
    @classmethod
    def _known_ids(cls, value: list[str], info: ValidationInfo) -> list[str]:
        assert info.field_name is not None
        vocabulary, label = _VOCABULARY_OF[info.field_name]
        return _check_ids(value, vocabulary, label, info)


#: For each list field of a profile: the vocabulary its ids come from, and how to name one.
_VOCABULARY_OF: dict[str, tuple[str, str]] = {
    "symptoms": ("symptoms", "symptom"),
    "observations": ("observations", "observation"),
    "conditions": ("conditions", "condition"),
    "equipment": ("equipment", "equipment"),
    "exclude": ("modalities", "modality"),
}
