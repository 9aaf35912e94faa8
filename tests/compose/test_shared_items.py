"""Plan items are validated once and shared between plans: so they must never change, and a
shared item must be exactly the item validation would give."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from hypothesis import given

import footmap
from footmap._compose.parts import knowledge_parts
from footmap._plan import ImmutableList, PlanItem
from tests.strategies import profile_dicts

BACK = {"pains": [{"area": "back", "severity": 5}], "equipment": ["towel"]}


def test_two_plans_alike_share_their_items() -> None:
    first, second = footmap.recommend(BACK), footmap.recommend(BACK)
    assert first.routine and all(a is b for a, b in zip(first.items, second.items, strict=True))


@pytest.mark.parametrize(
    "change",
    [
        lambda item: item.steps.append("jump"),
        lambda item: item.why.clear(),
        lambda item: item.why[0].path.extend(["pain:knee"]),
        lambda item: item.equipment.__setitem__(slice(None), ["towel"]),
        lambda item: item.dosage.notes.insert(0, "more"),
        lambda item: item.cautions.sort(),
    ],
    ids=["append", "clear", "extend", "setitem", "insert", "sort"],
)
def test_an_items_lists_cannot_change(change: Any) -> None:
    item = footmap.recommend(BACK).routine[0]
    before = item.model_dump_json()
    with pytest.raises(TypeError, match="cannot change"):
        change(item)
    assert footmap.recommend(BACK).routine[0].model_dump_json() == before


def test_an_items_lists_equal_lists_and_copy_and_pickle_as_themselves() -> None:
    plan = footmap.recommend(BACK)
    item = plan.routine[0]
    assert isinstance(item.steps, list) and item.steps == list(item.steps)
    assert item.why[0].path == list(item.why[0].path)
    for copied in (pickle.loads(pickle.dumps(plan)), copy.deepcopy(plan), plan.model_copy(deep=True)):
        assert copied == plan
        assert isinstance(copied.routine[0].steps, ImmutableList)
    read = footmap.Plan.model_validate_json(plan.model_dump_json())
    assert read == plan and isinstance(read.routine[0].why, ImmutableList)
    joined = ImmutableList([1, 2]) + [3]  # noqa: RUF005 (what a caller writes)
    assert type(joined) is list and joined == [1, 2, 3]  # a new list is a plain list


@given(profile_dicts())
def test_a_shared_item_is_the_item_validation_gives(data: dict[str, Any]) -> None:
    plan = footmap.recommend(data)
    for item in plan.items:
        validated = PlanItem.model_validate(item.model_dump())
        assert validated == item
        assert validated.model_dump_json() == item.model_dump_json()


def test_the_kept_items_are_bounded() -> None:
    parts = knowledge_parts(footmap.KnowledgeBase.load())
    item = footmap.recommend(BACK).routine[0]
    data: Any = {**item.model_dump(), "why": [r.model_dump() for r in item.why]}
    for minutes in range(parts.ITEM_LIMIT + 10):
        parts.validated_item({**data, "minutes": float(minutes)})
    assert sum(map(len, parts._validated.values())) <= parts.ITEM_LIMIT


# --- the small parts: left out, safety, schedule ---------------------------------------------------

#: A plan with every kind of small part: items left out, warning signs, a caution, a schedule.
OLDER = {
    "pains": [{"area": "knee", "severity": 5}, {"area": "back", "severity": 4}],
    "observations": ["stiff_ankles"],
    "age": 72,
    "can_get_on_floor": False,
    "minutes_per_day": 20,
}


def _small_parts(plan: footmap.Plan) -> list[Any]:
    parts: list[Any] = [*plan.left_out, *plan.safety_net, *plan.safety, *plan.schedule.notes]
    parts += [item for group in plan.left_out for item in group.items]
    parts += plan.schedule.items + [step for item in plan.schedule.items for step in item.steps]
    return parts


def test_two_plans_alike_share_their_small_parts() -> None:
    first, second = footmap.recommend(OLDER), footmap.recommend(OLDER)
    parts = _small_parts(first)
    assert first.left_out and first.safety_net and first.schedule.items and first.schedule.notes
    assert all(a is b for a, b in zip(parts, _small_parts(second), strict=True))


@pytest.mark.parametrize(
    "change",
    [
        lambda plan: plan.left_out[0].items.append(plan.left_out[0].items[0]),
        lambda plan: plan.safety_net[0].facts.clear(),
        lambda plan: plan.schedule.items[0].days.remove(plan.schedule.items[0].days[0]),
        lambda plan: plan.schedule.items[0].steps.pop(),
    ],
    ids=["left-out items", "sign facts", "days", "steps"],
)
def test_the_small_parts_lists_cannot_change(change: Any) -> None:
    plan = footmap.recommend(OLDER)
    before = plan.model_dump_json()
    with pytest.raises(TypeError, match="cannot change"):
        change(plan)
    assert footmap.recommend(OLDER).model_dump_json() == before


@given(profile_dicts())
def test_shared_small_parts_are_the_parts_validation_gives(data: dict[str, Any]) -> None:
    plan = footmap.recommend(data)
    for part in _small_parts(plan):
        validated = type(part).model_validate(part.model_dump())
        assert validated == part
        assert validated.model_dump_json() == part.model_dump_json()


def test_the_kept_small_parts_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from footmap._compose.shared import Shared
    from footmap._plan import LeftOutItem

    monkeypatch.setattr(Shared, "LIMIT", 5)
    kept = Shared(LeftOutItem)
    made = [kept.get(("a", str(n), None), {"id": "a", "name": str(n)}) for n in range(12)]
    assert len(kept._parts) <= 5
    assert [part.name for part in made] == [str(n) for n in range(12)]
    assert kept.get(("a", "11", None), {"id": "a", "name": "11"}) is made[-1]
