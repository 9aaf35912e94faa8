"""The pipe between a batch's workers and the parent: each shared plan part sent once."""

from __future__ import annotations

import io
import pickle
from typing import Any

import pytest
from pydantic import BaseModel

import footmap
from footmap import _wire
from footmap._plan import SHARED_PARTS, ImmutableList
from footmap._wire import Receiver, Sender

PROFILES: list[dict[str, Any]] = [
    {"pains": [{"area": "back", "severity": 6}], "equipment": ["towel", "chair"]},
    {"pains": [{"area": "back", "severity": 5}], "equipment": ["towel", "chair"]},
    {"pains": [{"area": "knee", "severity": 4}], "observations": ["flat_arches"], "age": 70},
    {"pains": [{"area": "back", "severity": 9}], "symptoms": ["saddle_numbness"]},
]


def _shared(plans: list[footmap.Plan]) -> list[object]:
    return [part for plan in plans for part in [*plan.items, *plan.sources.values()]]


def _distinct_shared_parts(value: object, found: dict[int, object] | None = None) -> dict[int, object]:
    """Every part of ``SHARED_PARTS`` in ``value``, by id, however deep."""
    found = {} if found is None else found
    if type(value) in SHARED_PARTS:
        found[id(value)] = value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _distinct_shared_parts(getattr(value, name), found)
    elif isinstance(value, list | tuple):
        for one in value:
            _distinct_shared_parts(one, found)
    elif isinstance(value, dict):
        for one in value.values():
            _distinct_shared_parts(one, found)
    return found


def test_messages_arrive_equal_and_in_order() -> None:
    sender, receiver = Sender(), Receiver()
    for start in range(3):
        plans = [footmap.recommend(profile) for profile in PROFILES]
        message = (start, [(True, plan) for plan in plans])
        assert receiver.loads(sender.dumps(message)) == message


def test_a_shared_part_crosses_once_and_is_then_the_same_object() -> None:
    sender, receiver = Sender(), Receiver()
    plans = [footmap.recommend(profile) for profile in PROFILES]
    first = sender.dumps(plans)
    again = sender.dumps(plans)
    assert len(again) < len(first) / 3  # the parts are numbers now
    received, received_again = receiver.loads(first), receiver.loads(again)
    for one, other in zip(_shared(received), _shared(received_again), strict=True):
        assert one is other
    shared_items = [item for plan in plans for item in plan.items]
    assert len({id(item) for item in shared_items}) < len(shared_items)  # plans share items here
    received_items = [item for plan in received for item in plan.items]
    assert len({id(item) for item in received_items}) == len({id(item) for item in shared_items})


def test_everything_else_crosses_as_plain_pickle() -> None:
    message = ("failed", "ValueError: no", [1, 2.5, None, {"a": (1, 2)}])
    assert Receiver().loads(Sender().dumps(message)) == message


def test_a_full_table_starts_again_on_both_sides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_wire, "TABLE_LIMIT", 3)
    sender, receiver = Sender(), Receiver()
    for round_ in range(6):
        plans = [footmap.recommend(profile) for profile in PROFILES[round_ % 2 :]]
        assert receiver.loads(sender.dumps(plans)) == plans
        assert len(sender._sent) == len(receiver._parts)
        assert len(receiver._parts) <= 3 + len(_distinct_shared_parts(plans))


def test_a_part_number_read_outside_a_receiver_says_so() -> None:
    sender = Sender()
    plan = footmap.recommend(PROFILES[0])
    sender.dumps(plan)
    plain = pickle.Unpickler(io.BytesIO(sender.dumps(plan)))  # not a Receiver
    assert plain.load() is False
    with pytest.raises(RuntimeError, match="outside a footmap Receiver"):
        plain.load()


def test_the_shared_parts_are_immutable_all_through() -> None:
    plans = [footmap.recommend(profile) for profile in PROFILES]
    found = _distinct_shared_parts(plans)
    assert {type(part) for part in found.values()} == SHARED_PARTS  # every kind is seen here
    for part in found.values():
        assert type(part).model_config.get("frozen") is True
        for name in type(part).model_fields:
            value = getattr(part, name)
            assert not isinstance(value, list) or isinstance(value, ImmutableList), (type(part), name)


def test_seeded_parts_cross_as_numbers_from_the_first_message_and_arrive_as_the_seeds_objects() -> None:
    plans = [footmap.recommend(profile) for profile in PROFILES]
    seed = tuple(_distinct_shared_parts(plans).values())
    sender, receiver = Sender(seed), Receiver(seed)
    first = sender.dumps(plans)
    assert len(first) < len(Sender().dumps(plans)) / 3  # no part sent in full
    received = receiver.loads(first)
    assert received == plans
    for one, own in zip(_shared(received), _shared(plans), strict=True):
        assert one is own  # the receiver's own objects, not copies


def test_a_part_not_in_the_seed_is_sent_in_full_once_beside_it() -> None:
    plans = [footmap.recommend(profile) for profile in PROFILES]
    seed = tuple(_distinct_shared_parts(plans[:1]).values())
    sender, receiver = Sender(seed), Receiver(seed)
    for _ in range(2):
        assert receiver.loads(sender.dumps(plans)) == plans
        assert len(sender._sent) == len(receiver._parts) == len(_distinct_shared_parts(plans))
