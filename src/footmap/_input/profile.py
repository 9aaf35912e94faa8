"""``Profile``: what a person reports, validated against the knowledge vocabulary.

Validation reports every problem at once, in one :class:`pydantic.ValidationError` with one
error per bad value, each at its own ``loc``:

- an id not in its vocabulary: type ``footmap.unknown_value``, at ``("symptoms", 1)`` or
  ``("pains", 0, "area")``;
- a field the model does not have: type ``footmap.unknown_field``, at ``("symptom",)`` or
  ``("pains", 0, "severty")``;
- pydantic's own errors (``less_than_equal`` …) for numbers out of range, and for the limits
  below.

Types are strict at this boundary: a number is not a string and a yes/no is not a number, so
``severity: true``, ``severity: 3.7`` or ``"5"``, ``can_get_on_floor: "no"`` or ``0``,
``age: "70"`` and ``minutes_per_day: 20.5`` are errors (``int_type``, ``bool_type`` …), not
quietly read as 1, 3, 5, ``False``, 70 or 20. ``weeks`` takes an int or a finite float.

Bounded input, so that no profile costs much more than an ordinary one:

- every list holds at most :data:`MAX_LIST` entries as given (``too_long``);
- every id holds at most :data:`MAX_TEXT` characters (``string_too_long``);
- the profile and each pain have at most :data:`MAX_FIELDS` fields, known or unknown
  (``too_long`` at the mapping's ``loc``: each unknown field costs a search for its suggestion);
- pains with the same area and side are merged into one with the highest severity, the longest
  ``weeks``, ``assessed`` only if all were and the least reassuring ``trend`` of them (the worst of
  each, so a merge can only add caution); so a profile has at most one pain per area and side.
  The other id lists are de-duplicated.

The ``ctx`` of a footmap error is plain JSON: ``allowed`` (sorted), ``suggestion`` (the nearest
allowed value, or ``None``) and ``value``; an unknown id's also names its ``vocabulary``.

The JSON schema (:func:`profile_json_schema`, and what FastAPI or any pydantic user gets from
``Profile.model_json_schema()``) lists each vocabulary field's allowed ids as an ``enum``, with a
description naming each and an example, from the knowledge: the one given to
:func:`profile_json_schema`, else the shipped one.
"""

from __future__ import annotations

import contextvars
import weakref
from collections.abc import Iterable
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, ErrorDetails, InitErrorDetails, PydanticCustomError, PydanticKnownError

from footmap._kinds import PAIN_AREAS, PROFILE_VOCABULARIES
from footmap._knowledge.base import KnowledgeBase, shipped_knowledge
from footmap._suggest import did_you_mean, nearest

#: The error type of an id that is not in its vocabulary.
UNKNOWN_VALUE = "footmap.unknown_value"
#: The error type of a field the model does not have.
UNKNOWN_FIELD = "footmap.unknown_field"

Side = Literal["left", "right", "both"]
#: How a pain has been going lately, as the person sees it.
Trend = Literal["better", "same", "worse"]
#: Trends from the most to the least reassuring (a merge keeps the later one).
_TREND_ORDER: tuple[Trend, ...] = ("better", "same", "worse")

#: The most entries a list of the profile may hold, as given (before merging and de-duplication).
MAX_LIST = 100
#: The most characters an id may have (the shipped ids have at most 27).
MAX_TEXT = 100
#: The most fields, known or not, one mapping of the input may have.
MAX_FIELDS = 100

#: The vocabulary of each field whose values are ids, by field name (``Pain.area`` too).
_VOCABULARY_OF_FIELD: dict[str, str] = {
    **{kind.field: kind.vocabulary for kind in PROFILE_VOCABULARIES},
    "area": PAIN_AREAS,
}
#: How one id of each vocabulary is named in a message.
_LABEL: dict[str, str] = {
    **{kind.vocabulary: kind.label for kind in PROFILE_VOCABULARIES},
    PAIN_AREAS: "pain area",
}

# Each vocabulary as a set, once per knowledge base; the sorted list of allowed ids is built only
# for an error, so a valid profile never sorts a vocabulary. Not a ``PerKnowledge``: this is read
# for every id of every profile, and taking its lock each time cost more than the old sorting.
# Two threads that miss at once build equal sets, and either one will do.
_id_sets: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()


def _ids(info: ValidationInfo, vocabulary: str) -> frozenset[str]:
    """The ids of a vocabulary, in the knowledge the validation context names (or the shipped one)."""
    context = info.context
    knowledge = context.get("knowledge") if isinstance(context, dict) else None
    if not isinstance(knowledge, KnowledgeBase):
        knowledge = shipped_knowledge()
    sets = _id_sets.get(knowledge)
    if sets is None:
        sets = _id_sets[knowledge] = {name: frozenset(ids) for name, ids in knowledge.vocabulary.items()}
    return sets[vocabulary]


def _custom_error(
    error_type: str, what: str, value: str | int, allowed: Iterable[str], allowed_as: str, **ctx: str
) -> PydanticCustomError:
    """A footmap error: ``<what> 'value'. Did you mean 'x'? <allowed_as> a, b, ….``"""
    ordered = sorted(allowed)
    template = f"{what} '{{value}}'.{did_you_mean(value, ordered)} {allowed_as} {', '.join(ordered)}."
    # pydantic fills the template from ``ctx`` key by key; ``value`` goes last so that braces in
    # a person's input are never filled in themselves.
    context = {**ctx, "allowed": ordered, "suggestion": nearest(value, ordered), "value": value}
    return PydanticCustomError(error_type, template, context)


def unknown_value(vocabulary: str, value: str, allowed: Iterable[str]) -> PydanticCustomError:
    """The error for an id that is not in its vocabulary.

    >>> unknown_value("symptoms", "tinglng", ["tingling", "stiffness"]).message()
    "Unknown symptom 'tinglng'. Did you mean 'tingling'? Allowed: stiffness, tingling."
    """
    what = f"Unknown {_LABEL[vocabulary]}"
    return _custom_error(UNKNOWN_VALUE, what, value, allowed, "Allowed:", vocabulary=vocabulary)


def unknown_field(value: str | int, allowed: Iterable[str]) -> PydanticCustomError:
    """The error for a field the model does not have.

    >>> unknown_field("severty", ["area", "severity"]).message()
    "Unknown field 'severty'. Did you mean 'severity'? Allowed fields: area, severity."
    """
    return _custom_error(UNKNOWN_FIELD, "Unknown field", value, allowed, "Allowed fields:")


def _known_id(value: str, info: ValidationInfo) -> str:
    """One id, checked against its field's vocabulary in the knowledge the context names."""
    assert info.field_name is not None
    vocabulary = _VOCABULARY_OF_FIELD[info.field_name]
    ids = _ids(info, vocabulary)
    if value not in ids:
        raise unknown_value(vocabulary, value, ids)
    return value


#: An id from a vocabulary; checked one by one, so each bad one is an error at its own index.
_Id = Annotated[str, Field(strict=True, max_length=MAX_TEXT), AfterValidator(_known_id)]
#: A list of ids, as given.
_Ids = Annotated[list[_Id], Field(max_length=MAX_LIST)]


def _is_own_extra(error: ErrorDetails) -> bool:
    """Whether an error is pydantic's for an unknown field of this model (not of a nested one)."""
    return error["type"] == "extra_forbidden" and len(error["loc"]) == 1


def _rebuilt(error: ErrorDetails, fields: Iterable[str]) -> InitErrorDetails:
    """An error, ready to raise again; ``extra_forbidden`` becomes ``footmap.unknown_field``."""
    loc, ctx = error["loc"], error.get("ctx", {})
    kind: str | PydanticCustomError = error["type"]
    if _is_own_extra(error):
        kind = unknown_field(loc[0], fields)
    elif kind == UNKNOWN_FIELD:
        kind = unknown_field(ctx["value"], ctx["allowed"])
    elif kind == UNKNOWN_VALUE:
        kind = unknown_value(ctx["vocabulary"], ctx["value"], ctx["allowed"])
    details = InitErrorDetails(type=kind, loc=loc, input=error["input"])
    if isinstance(kind, str) and "ctx" in error:
        details["ctx"] = error["ctx"]
    return details


#: The knowledge whose vocabularies a JSON schema being generated lists (``None``: the shipped).
_schema_knowledge: contextvars.ContextVar[KnowledgeBase | None] = contextvars.ContextVar(
    "footmap_schema_knowledge", default=None
)


def _with_vocabularies(schema: JsonSchemaValue) -> None:
    """Each vocabulary field of a model's JSON schema, given its ids as an ``enum`` (on the items
    of a list), a description that names them, and an example."""
    knowledge = _schema_knowledge.get() or shipped_knowledge()
    for field, prop in schema.get("properties", {}).items():
        vocabulary = _VOCABULARY_OF_FIELD.get(field)
        if vocabulary is None:
            continue
        in_file_order = getattr(knowledge.knowledge.vocabulary, vocabulary)
        terms = sorted(in_file_order, key=lambda term: term.id)
        ids = [term.id for term in terms]
        named = ", ".join(f"{term.id} ({term.name})" for term in terms)
        target = prop["items"] if prop.get("type") == "array" else prop
        target["enum"] = ids
        example = [term.id for term in in_file_order[:1]]  # the knowledge's first: its commonest
        if prop is target:
            prop["description"] = f"The {_LABEL[vocabulary]}, by id: {named}."
            prop["examples"] = example
        else:
            prop["description"] = f"Each {_LABEL[vocabulary]}, by id: {named}."
            prop["examples"] = [example]


def _description(doc: str | None) -> str:
    """A docstring without its examples (a schema's description is for people, not doctest)."""
    paragraphs = (doc or "").strip().split("\n\n")
    kept = [" ".join(part.split()) for part in paragraphs if not part.lstrip().startswith(">>>")]
    return "\n\n".join(kept)


def profile_json_schema(knowledge: KnowledgeBase | None = None) -> dict[str, Any]:
    """The JSON schema of a profile: every vocabulary field lists the ids ``knowledge`` allows (the
    shipped knowledge's by default) as an ``enum``, with a description and an example.

    >>> schema = profile_json_schema()
    >>> schema["properties"]["symptoms"]["items"]["enum"][:2]
    ['bladder_or_bowel_change', 'burning']
    >>> schema["$defs"]["Pain"]["properties"]["area"]["examples"]
    ['back']
    """
    token = _schema_knowledge.set(knowledge)
    try:
        return Profile.model_json_schema()
    finally:
        _schema_knowledge.reset(token)


class _Input(BaseModel):
    """Base of the input models: frozen, and an unknown field names the nearest known one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler.resolve_ref_schema(handler(schema))
        json_schema["description"] = _description(cls.__doc__)
        _with_vocabularies(json_schema)
        return json_schema

    @model_validator(mode="wrap")
    @classmethod
    def _known_fields(cls, data: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo) -> Self:
        if isinstance(data, dict) and len(data) > MAX_FIELDS:  # each unknown one is a suggestion to find
            ctx = {"field_type": "Object", "max_length": MAX_FIELDS, "actual_length": len(data)}
            raise PydanticKnownError("too_long", ctx)
        try:
            return handler(data)
        except ValidationError as error:
            errors = error.errors()
            if not any(_is_own_extra(e) for e in errors):
                raise
            # Rebuilt from each error's ctx, so every other error of the input stays as it was.
            rebuilt = [_rebuilt(e, cls.model_fields) for e in errors]
            raise ValidationError.from_exception_data(error.title, rebuilt, input_type=info.mode) from None


class Pain(_Input):
    """One pain: where, how bad (0–10), optionally which side, for how many weeks, whether a
    clinician has already checked it (``assessed``) and how it has been going (``trend``)."""

    area: _Id
    severity: Annotated[int, Field(strict=True, ge=0, le=10)]
    side: Side | None = None
    weeks: Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=520)] | None = None
    assessed: Annotated[bool, Field(strict=True)] = False
    """A clinician has already checked this pain: rules that ask for a check once do not fire."""
    trend: Trend | None = None
    """``better``, ``same`` or ``worse`` lately; ``None`` when the person did not say."""

    def _worst_with(self, other: Pain) -> Pain:
        """One pain for two at the same area and side, the worst of each field: the highest
        severity, the longest weeks, assessed only if both were, the least reassuring trend."""
        pains = (self, other)
        weeks = [pain.weeks for pain in pains if pain.weeks is not None]
        trends = [pain.trend for pain in pains if pain.trend is not None]
        update = {
            "severity": max(self.severity, other.severity),
            "weeks": max(weeks) if weeks else None,
            "assessed": self.assessed and other.assessed,
            "trend": max(trends, key=_TREND_ORDER.index) if trends else None,
        }
        return self.model_copy(update=update)


class Profile(_Input):
    """What a person reports about their pains and their feet.

    Every id is checked against the knowledge vocabulary (``context={"knowledge": kb}`` names
    the knowledge; the shipped one by default) and every problem is reported at once; lists are
    sorted and de-duplicated (pains at one area and side merged into the worst of them), so two
    profiles that say the same thing are equal. Types are strict and sizes bounded (see the
    module's docstring).

    >>> Profile(pains=[{"area": "back", "severity": 6}], equipment=["towel"]).pains[0].area
    'back'
    """

    pains: Annotated[list[Pain], Field(max_length=MAX_LIST)] = []
    symptoms: _Ids = []
    observations: _Ids = []
    conditions: _Ids = []
    equipment: _Ids = []
    age: Annotated[int, Field(strict=True, ge=1, le=120)] | None = None
    can_get_on_floor: Annotated[bool, Field(strict=True)] = True
    can_stand_unaided: Annotated[bool, Field(strict=True)] = True
    minutes_per_day: Annotated[int, Field(strict=True, ge=5, le=120)] = 20
    exclude: _Ids = []

    @field_validator("pains")
    @classmethod
    def _merged_pains(cls, value: list[Pain]) -> list[Pain]:
        worst: dict[tuple[str, str], Pain] = {}
        for pain in value:
            key = (pain.area, pain.side or "")
            known = worst.get(key)
            worst[key] = pain if known is None or known == pain else known._worst_with(pain)
        return [worst[key] for key in sorted(worst)]

    @field_validator(*(kind.field for kind in PROFILE_VOCABULARIES))
    @classmethod
    def _sorted_ids(cls, value: list[str]) -> list[str]:
        return sorted(set(value))
