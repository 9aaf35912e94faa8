"""The composer's budget and order, on hand-made plan items."""

from __future__ import annotations

from typing import Any

import footmap
from footmap._compose.budget import fit_budget, over_budget
from footmap._compose.order import ordered
from footmap._compose.parts import ItemData
from footmap._knowledge.base import shipped_knowledge


def item(ident: str, minutes: float, **fields: Any) -> ItemData:
    data: dict[str, Any] = {
        "id": ident,
        "name": ident.title(),
        "kind": "exercise",
        "modality": "exercise_therapy",
        "summary": "",
        "steps": [],
        "position": None,
        "phase": "main",
        "equipment": [],
        "dosage": None,
        "minutes": minutes,
        "evidence": "low",
        "why": [],
        "cautions": [],
        "replaces": None,
    }
    data.update(fields)
    return data  # type: ignore[return-value]


def test_the_budget_takes_warm_ups_first_then_the_best_evidence() -> None:
    items = [
        item("a", 6, evidence="none"),
        item("b", 6, evidence="high"),
        item("c", 6, phase="warm_up", evidence="none"),
    ]
    kept, left_out = fit_budget(items, 12)
    assert [i["id"] for i in kept] == ["c", "b"] and [i["id"] for i in left_out] == ["a"]


def test_the_budget_is_never_exceeded_and_smaller_items_still_fit() -> None:
    kept, left_out = fit_budget([item("big", 15, evidence="high"), item("small", 4)], 10)
    assert [i["id"] for i in kept] == ["small"] and sum(i["minutes"] for i in kept) <= 10
    assert [i["id"] for i in left_out] == ["big"]


def test_an_item_over_budget_says_why_in_the_knowledge_wording() -> None:
    wording = shipped_knowledge().wording.compose
    entry = over_budget(item("big", 12.5), 10, wording)
    assert entry["reason"] == wording.over_budget.format(budget=10, minutes="12.5")
    assert entry["rule"] is None and entry["replaced_by"] is None


def test_the_routine_reads_warm_up_main_cool_down_then_by_position() -> None:
    items = [
        item("stretch", 1, phase="cool_down", position="sitting"),
        item("lying", 1, position="lying"),
        item("standing", 1, position="standing"),
        item("warm", 1, phase="warm_up", position="floor"),
    ]
    assert [i["id"] for i in ordered("routine", items)] == ["warm", "standing", "lying", "stretch"]


def test_advice_reads_best_evidence_first() -> None:
    items = [item("x", 0, evidence="none"), item("y", 0, evidence="moderate"), item("w", 0, evidence="none")]
    assert [i["id"] for i in ordered("advice", items)] == ["y", "w", "x"]


def test_reflexology_and_acupressure_take_turns_so_neither_crowds_the_other_out() -> None:
    back = {"pains": [{"area": "back", "severity": 5, "weeks": 12}], "equipment": ["towel", "chair"]}
    plan = footmap.recommend(back)
    assert plan.reflexology and plan.acupressure  # acupressure's better grade takes no more turns
    assert all(item.kind == "reflex_area" for item in plan.reflexology)
    assert all(item.kind == "acupressure_point" for item in plan.acupressure)
    without = footmap.recommend({**back, "exclude": ["reflexology"]})
    assert not without.reflexology and without.acupressure
