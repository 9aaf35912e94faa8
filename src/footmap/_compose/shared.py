"""The small parts of a plan that recur from plan to plan, each validated once and then shared.

Besides its items (``KnowledgeParts.validated_item``), a plan is made of parts that depend on
little: an item left out (its id, name and stand-in), a safety message or warning sign (its rule
and the facts that triggered it), a schedule's note, a routine item's step of dose. Plans made
with one knowledge base repeat them: each is validated once for all equal values and then the same
object in every plan that has it. Every one is a frozen model whose lists are
:class:`footmap.ImmutableList`, so sharing them is safe; a batch's workers send each once
(``footmap._plan.SHARED_PARTS``, ``footmap._wire``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from footmap._plan import (
    LeftOut,
    LeftOutItem,
    SafetyMessage,
    SafetyNetSign,
    Schedule,
    ScheduledItem,
    ScheduledStep,
    ScheduleNote,
)

if TYPE_CHECKING:
    from footmap._compose.parts import LeftOutData, SafetyData, SafetyNetData
    from footmap._compose.schedule import NoteData, ScheduleData, ScheduledItemData, StepData

M = TypeVar("M", bound=BaseModel)


class Shared(Generic[M]):
    """The validated parts of one model, by a key that fixes their values: each validated once.

    Bounded: once it holds ``LIMIT`` parts it starts again (the plans that hold them keep them).
    A key holds values, or the ``id`` of a shared part it contains: such a key stays that part's
    own while the part kept under it holds the part alive.
    """

    LIMIT = 16_384

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self._parts: dict[Hashable, M] = {}

    def get(self, key: Hashable, data: Mapping[str, object]) -> M:
        """The part validated from ``data``, whose values ``key`` fixes."""
        part = self._parts.get(key)
        if part is None:
            if len(self._parts) >= self.LIMIT:
                self._parts.clear()
            part = self._parts[key] = self.model.model_validate(data)
        return part

    def held(self) -> Iterable[M]:
        """Every part validated and held now."""
        return self._parts.values()


class SharedParts:
    """The shared small parts of the plans of one knowledge base, one :class:`Shared` per model."""

    def __init__(self) -> None:
        self._left_out_items = Shared(LeftOutItem)
        self._left_out = Shared(LeftOut)
        self._signs = Shared(SafetyNetSign)
        self._messages = Shared(SafetyMessage)
        self._notes = Shared(ScheduleNote)
        self._steps = Shared(ScheduledStep)
        self._scheduled = Shared(ScheduledItem)
        self._every: tuple[Shared[Any], ...] = (
            self._left_out_items,
            self._left_out,
            self._signs,
            self._messages,
            self._notes,
            self._steps,
            self._scheduled,
        )

    def held(self) -> Iterator[BaseModel]:
        """Every part held now, of every model."""
        for shared in self._every:
            yield from shared.held()

    def left_out(self, group: LeftOutData) -> LeftOut:
        """A ``LeftOut`` group, with its items shared too."""
        items = [
            self._left_out_items.get((item["id"], item["name"], item["replaced_by"]), item)
            for item in group["items"]
        ]
        key = (group["reason"], group["rule"], group["source"], *map(id, items))
        return self._left_out.get(key, {**group, "items": items})

    def safety_net_sign(self, sign: SafetyNetData) -> SafetyNetSign:
        """A ``SafetyNetSign``."""
        return self._signs.get((sign["message"], sign["rule"], sign["source"], *sign["facts"]), sign)

    def safety_message(self, message: SafetyData) -> SafetyMessage:
        """A ``SafetyMessage``."""
        key = (message["level"], message["message"], message["rule"], message["source"], *message["facts"])
        return self._messages.get(key, message)

    def schedule(self, schedule: ScheduleData) -> Schedule:
        """A ``Schedule``, its items and notes shared: validated once for each schedule laid out
        (``footmap._compose._schedule`` keeps it), and the same object in every plan it is in."""
        return Schedule.model_validate(
            {
                "weeks": schedule["weeks"],
                "items": [self._scheduled_item(item) for item in schedule["items"]],
                "notes": [self._note(note) for note in schedule["notes"]],
            }
        )

    def _scheduled_item(self, item: ScheduledItemData) -> ScheduledItem:
        steps = [self._step(step) for step in item["steps"]]
        key = (item["id"], tuple(item["days"]), *map(id, steps))
        return self._scheduled.get(key, {**item, "steps": steps})

    def _step(self, step: StepData) -> ScheduledStep:
        # by field and value in the order the schedule writes them; a value's type is part of the
        # key, so ``1`` and ``1.0`` (equal keys) never stand for each other
        key = (*step.items(), *map(type, step.values()))
        return self._steps.get(key, step)

    def _note(self, note: NoteData) -> ScheduleNote:
        return self._notes.get((note["rule"], note["text"], note["source"]), note)
