"""``SessionLog``: what a person did in one session and how their pains were, validated like
``Profile`` against the knowledge.

One log is one session: its ``date`` (and ``session``, the session of that day, 1 for the first),
the ``items`` done or skipped (each with the sets, reps, holds and seconds done), the ``pain`` of
each complaint ``before`` and ``after`` the session and, optionally, the ``next_morning``, how hard
it felt (``difficulty``), any ``new_symptoms`` and a free ``note``.

Validation reports every problem at once, in one :class:`pydantic.ValidationError`, the way
``Profile`` does: an item id, pain area or symptom that the knowledge does not know is a
``footmap.unknown_value`` error and an unknown field a ``footmap.unknown_field`` error, each
with the allowed values and the nearest match in ``ctx``. Besides those:

- ``footmap.invalid_date``: a date that is not ``YYYY-MM-DD``, or one the calendar does not have
  (``2027-02-30``), or a date and time where a date is asked for;
- ``footmap.duplicate_entry``: one item id, or one pain area and side, twice in one log (at the
  second one's ``loc``; ``ctx`` names the first one's index);
- ``footmap.skipped_with_dose``: an item marked ``skipped`` that also says how much was done.

Types are strict (``before: true``, ``sets: "3"`` and ``sets: 2.5`` are errors) and sizes are
bounded: lists hold at most :data:`MAX_LIST` entries, ids at most ``MAX_TEXT`` characters, the
note at most :data:`MAX_NOTE`. Items are kept sorted by id, pains by area and side, new symptoms
sorted and de-duplicated, so two logs that say the same thing are equal.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError, PydanticKnownError

from footmap._input.profile import (
    MAX_FIELDS,
    MAX_TEXT,
    UNKNOWN_FIELD,
    UNKNOWN_VALUE,
    Side,
    _custom_error,
    _ids,
    unknown_field,
    unknown_value,
)
from footmap._kinds import ITEMS, PAIN_AREAS
from footmap._knowledge.base import KnowledgeBase, shipped_knowledge

#: The error type of a date that is not a valid ``YYYY-MM-DD`` date.
INVALID_DATE = "footmap.invalid_date"
#: The error type of an item, or a pain area and side, given twice in one log.
DUPLICATE_ENTRY = "footmap.duplicate_entry"
#: The error type of a skipped item that also says how much was done.
SKIPPED_WITH_DOSE = "footmap.skipped_with_dose"

#: The most entries a list of a log may hold.
MAX_LIST = 100
#: The most characters a note may have.
MAX_NOTE = 2000
#: The most sets, reps or holds one item of one session may record.
MAX_COUNT = 1000
#: The most seconds one item of one session may record (two hours).
MAX_SECONDS = 7200
#: The most sessions one day may have.
MAX_SESSIONS = 10

#: How hard a session felt.
Difficulty = Literal["easy", "ok", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "ok", "hard")
#: The dose fields of a logged item, in the order they are written.
DOSE_FIELDS: tuple[str, ...] = ("sets", "reps", "holds", "seconds")

_SYMPTOMS = "symptoms"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- errors --------------------------------------------------------------------------------------


def unknown_item(value: str, allowed: Iterable[str]) -> PydanticCustomError:
    """The error for an item id that the knowledge does not have.

    >>> unknown_item("toe_walkng", ["toe_walking", "toe_press"]).message()
    "Unknown item 'toe_walkng'. Did you mean 'toe_walking'? Allowed: toe_press, toe_walking."
    """
    return _custom_error(UNKNOWN_VALUE, "Unknown item", value, allowed, "Allowed:", vocabulary=ITEMS)


def invalid_date(value: str, reason: str) -> PydanticCustomError:
    """The error for a date that is not a valid ``YYYY-MM-DD`` date.

    >>> invalid_date("2027-02-30", "day is out of range for month").message()
    "Invalid date '2027-02-30': day is out of range for month. Write it as YYYY-MM-DD (2027-01-05)."
    """
    template = "Invalid date '{value}': {reason}. Write it as YYYY-MM-DD (2027-01-05)."
    return PydanticCustomError(INVALID_DATE, template, {"reason": reason, "value": value})


def duplicate_entry(what: str, value: str, first: int) -> PydanticCustomError:
    """The error for an entry given twice in one log (``first``: the index of the first one).

    >>> duplicate_entry("item", "toe_walking", 0).message()
    "The item 'toe_walking' is given twice in one session (first at index 0): give it once."
    """
    template = "The {what} '{value}' is given twice in one session (first at index {first}): give it once."
    return PydanticCustomError(DUPLICATE_ENTRY, template, {"what": what, "first": first, "value": value})


def skipped_with_dose(value: str) -> PydanticCustomError:
    """The error for a skipped item that also says how much was done.

    >>> skipped_with_dose("toe_walking").message()
    "The item 'toe_walking' is marked skipped but has a dose: drop skipped, or the dose."
    """
    template = "The item '{value}' is marked skipped but has a dose: drop skipped, or the dose."
    return PydanticCustomError(SKIPPED_WITH_DOSE, template, {"value": value})


def _again(kind: str, ctx: Mapping[str, Any]) -> PydanticCustomError:
    """A footmap error of this module made again from its ``ctx`` (to raise it once more)."""
    if kind == UNKNOWN_FIELD:
        return unknown_field(ctx["value"], ctx["allowed"])
    if kind == UNKNOWN_VALUE and ctx["vocabulary"] == ITEMS:
        return unknown_item(ctx["value"], ctx["allowed"])
    if kind == UNKNOWN_VALUE:
        return unknown_value(ctx["vocabulary"], ctx["value"], ctx["allowed"])
    if kind == INVALID_DATE:
        return invalid_date(ctx["value"], ctx["reason"])
    if kind == DUPLICATE_ENTRY:
        return duplicate_entry(ctx["what"], ctx["value"], ctx["first"])
    return skipped_with_dose(ctx["value"])


_OWN_ERRORS = frozenset({UNKNOWN_FIELD, UNKNOWN_VALUE, INVALID_DATE, DUPLICATE_ENTRY, SKIPPED_WITH_DOSE})


def _rebuilt(error: ErrorDetails, fields: Iterable[str]) -> InitErrorDetails:
    """An error, ready to raise again; this model's ``extra_forbidden`` becomes
    ``footmap.unknown_field``."""
    loc = error["loc"]
    kind: str | PydanticCustomError = error["type"]
    if kind == "extra_forbidden" and len(loc) == 1:
        kind = unknown_field(loc[0], fields)
    elif kind in _OWN_ERRORS:
        kind = _again(str(kind), error.get("ctx", {}))
    details = InitErrorDetails(type=kind, loc=loc, input=error["input"])
    if isinstance(kind, str) and "ctx" in error:
        details["ctx"] = error["ctx"]
    return details


class _LogInput(BaseModel):
    """Base of the log models: frozen, and an unknown field names the nearest known one.

    Built on first use (``defer_build``): a plan made without session logs never validates one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    @model_validator(mode="wrap")
    @classmethod
    def _known_fields(cls, data: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo) -> Self:
        if isinstance(data, dict) and len(data) > MAX_FIELDS:  # each unknown one is a suggestion to find
            ctx = {"field_type": "Object", "max_length": MAX_FIELDS, "actual_length": len(data)}
            raise PydanticKnownError("too_long", ctx)
        problems = cls._entry_problems(data)
        try:
            value = handler(data)
        except ValidationError as error:
            errors = error.errors()
            if not problems and not any(
                e["type"] == "extra_forbidden" and len(e["loc"]) == 1 for e in errors
            ):
                raise
            rebuilt = [_rebuilt(e, cls.model_fields) for e in errors] + problems
            raise ValidationError.from_exception_data(error.title, rebuilt, input_type=info.mode) from None
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems, input_type=info.mode)
        return value

    @classmethod
    def _entry_problems(cls, data: Any) -> list[InitErrorDetails]:
        """Problems of the input as a whole, found on the raw data (so they are reported with
        every other problem, not only once the rest is valid)."""
        return []


# --- fields --------------------------------------------------------------------------------------


def _knowledge(info: ValidationInfo) -> KnowledgeBase:
    context = info.context
    knowledge = context.get("knowledge") if isinstance(context, dict) else None
    return knowledge if isinstance(knowledge, KnowledgeBase) else shipped_knowledge()


def _known_item(value: str, info: ValidationInfo) -> str:
    items = _knowledge(info).items
    if value not in items:
        raise unknown_item(value, items)
    return value


def _in_vocabulary(vocabulary: str) -> Callable[[str, ValidationInfo], str]:
    def check(value: str, info: ValidationInfo) -> str:
        ids = _ids(info, vocabulary)
        if value not in ids:
            raise unknown_value(vocabulary, value, ids)
        return value

    return check


def _iso_date(value: Any) -> Any:
    """A ``datetime.date`` from one, or from a ``YYYY-MM-DD`` string; anything else is an error."""
    if isinstance(value, datetime.datetime):
        raise invalid_date(value.isoformat(), "a date and time, where only the date is asked for")
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise PydanticKnownError("date_type")
    if not _ISO_DATE.fullmatch(value):
        reason = "a date and time, where only the date is asked for" if "T" in value else "not YYYY-MM-DD"
        raise invalid_date(value[:MAX_TEXT], reason)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise invalid_date(value, str(error)) from None


_ItemId = Annotated[str, Field(strict=True, max_length=MAX_TEXT), AfterValidator(_known_item)]
_PainArea = Annotated[
    str, Field(strict=True, max_length=MAX_TEXT), AfterValidator(_in_vocabulary(PAIN_AREAS))
]
_Symptom = Annotated[str, Field(strict=True, max_length=MAX_TEXT), AfterValidator(_in_vocabulary(_SYMPTOMS))]
_Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
_Seconds = Annotated[int, Field(strict=True, ge=0, le=MAX_SECONDS)]
#: A pain score, 0–10, an int like ``Pain.severity``.
_Score = Annotated[int, Field(strict=True, ge=0, le=10)]
#: A date: a ``datetime.date`` or a ``YYYY-MM-DD`` string.
LogDate = Annotated[datetime.date, BeforeValidator(_iso_date)]


# --- models --------------------------------------------------------------------------------------


class LoggedItem(_LogInput):
    """One item of a session: its id, how much of it was done, or that it was skipped.

    >>> LoggedItem(id="toe_walking", sets=2, seconds=30).sets
    2
    """

    id: _ItemId
    sets: _Count | None = None
    reps: _Count | None = None
    """Repetitions in each set."""
    holds: _Count | None = None
    """Holds (of a stretch or a pressure point) in each set."""
    seconds: _Seconds | None = None
    """How long each hold lasted or, for an item done without holds, how long it took."""
    skipped: Annotated[bool, Field(strict=True)] = False

    @model_validator(mode="after")
    def _no_dose_when_skipped(self) -> Self:
        if self.skipped and self.dose:
            raise skipped_with_dose(self.id)
        return self

    @property
    def dose(self) -> dict[str, int]:
        """The dose fields given, in ``DOSE_FIELDS`` order (``{"sets": 2, "seconds": 30}``)."""
        return {field: value for field in DOSE_FIELDS if (value := getattr(self, field)) is not None}


class LoggedPain(_LogInput):
    """The pain of one complaint (an area, and optionally a side) around one session, 0–10:
    ``before`` it, ``after`` it and, if the person noted it, the ``next_morning``.

    >>> LoggedPain(area="back", before=3, after=4).next_morning is None
    True
    """

    area: _PainArea
    side: Side | None = None
    before: _Score
    after: _Score
    next_morning: _Score | None = None

    @property
    def complaint(self) -> tuple[str, str]:
        """The complaint this pain belongs to: its area and side (``""`` for none)."""
        return self.area, self.side or ""


#: An entry to check for duplicates: its index, its key, how it is named, and its ``loc``.
_Key = tuple[int, object, str, tuple[str, int, str]]


def _first_seen(keys: list[_Key], what: str) -> list[InitErrorDetails]:
    """A ``duplicate_entry`` error at every key seen before; ``keys`` holds ``(index, key, label, loc)``."""
    first: dict[Any, int] = {}
    problems: list[InitErrorDetails] = []
    for index, key, label, loc in keys:
        if key in first:
            problems.append(
                InitErrorDetails(type=duplicate_entry(what, label, first[key]), loc=loc, input=label)
            )
        else:
            first[key] = index
    return problems


def _raw(entry: Any, field: str) -> Any:
    return entry.get(field) if isinstance(entry, Mapping) else getattr(entry, field, None)


class SessionLog(_LogInput):
    """One session as the person logged it: the date, the items done or skipped, the pain of each
    complaint before, after and the next morning (0–10), how hard it felt, new symptoms, a note.

    Ids are checked against the knowledge (``context={"knowledge": kb}`` names it; the shipped one
    by default) and every problem is reported at once (see the module's docstring).

    >>> log = SessionLog(date="2027-01-05", items=[{"id": "toe_walking", "sets": 5}],
    ...                  pain=[{"area": "back", "before": 3, "after": 7, "next_morning": 6}],
    ...                  difficulty="hard", new_symptoms=[])
    >>> log.date, log.items[0].sets, log.pain[0].after
    (datetime.date(2027, 1, 5), 5, 7)
    """

    date: LogDate
    session: Annotated[int, Field(strict=True, ge=1, le=MAX_SESSIONS)] = 1
    """Which session of the day (1 for the first), for days with more than one."""
    items: Annotated[list[LoggedItem], Field(max_length=MAX_LIST)] = []
    pain: Annotated[list[LoggedPain], Field(max_length=MAX_LIST)] = []
    difficulty: Difficulty | None = None
    new_symptoms: Annotated[list[_Symptom], Field(max_length=MAX_LIST)] = []
    """Symptoms that are new since the last session, from the profile's vocabulary (red flags too)."""
    note: Annotated[str, Field(strict=True, max_length=MAX_NOTE)] = ""

    @classmethod
    def _entry_problems(cls, data: Any) -> list[InitErrorDetails]:
        items, pains = _raw(data, "items"), _raw(data, "pain")
        problems: list[InitErrorDetails] = []
        if isinstance(items, list) and len(items) <= MAX_LIST:
            keys: list[_Key] = [
                (n, ident, ident, ("items", n, "id"))
                for n, item in enumerate(items)
                if isinstance(ident := _raw(item, "id"), str)
            ]
            problems += _first_seen(keys, "item")
        if isinstance(pains, list) and len(pains) <= MAX_LIST:
            keys = []  # the same list type: a pain's key is its area and side
            for n, pain in enumerate(pains):
                area, side = _raw(pain, "area"), _raw(pain, "side")
                if isinstance(area, str) and (side is None or isinstance(side, str)):
                    label = f"{area} ({side})" if side else area
                    keys.append((n, (area, side or ""), label, ("pain", n, "area")))
            problems += _first_seen(keys, "pain area")
        return problems

    @field_validator("items")
    @classmethod
    def _sorted_items(cls, value: list[LoggedItem]) -> list[LoggedItem]:
        return sorted(value, key=lambda item: item.id)

    @field_validator("pain")
    @classmethod
    def _sorted_pains(cls, value: list[LoggedPain]) -> list[LoggedPain]:
        return sorted(value, key=lambda pain: pain.complaint)

    @field_validator("new_symptoms")
    @classmethod
    def _sorted_symptoms(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @property
    def key(self) -> tuple[datetime.date, int]:
        """The date and the session of the day: what orders logs, and what one file holds once."""
        return self.date, self.session

    @property
    def done(self) -> bool:
        """Whether the session was done: at least one item logged and not skipped."""
        return any(not item.skipped for item in self.items)
