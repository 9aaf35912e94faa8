"""recommend(): the public entry point, end to end."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import footmap

BACK = {
    "pains": [{"area": "back", "severity": 6, "weeks": 3}],
    "symptoms": ["stiffness"],
    "equipment": ["towel", "tennis_ball", "chair", "wall"],
    "minutes_per_day": 15,
}


def test_the_readme_example() -> None:
    plan = footmap.recommend(BACK)
    assert plan.triage == "self_care"
    assert plan.routine and plan.routine[0].phase == "warm_up"
    text = plan.explain()
    for item in plan.items:
        assert item.id in text
    assert plan.to_markdown().startswith("# Your foot plan")
    assert plan.minutes_per_day <= 15


def test_a_profile_and_a_dict_give_the_same_plan() -> None:
    assert footmap.recommend(footmap.Profile.model_validate(BACK)) == footmap.recommend(BACK)


def test_json_round_trip() -> None:
    plan = footmap.recommend(BACK)
    assert footmap.Plan.model_validate_json(plan.model_dump_json()) == plan


def test_every_item_says_why_with_a_fact_from_the_profile() -> None:
    plan = footmap.recommend(BACK)
    for item in plan.items:
        assert item.why, item.id
        assert any(reason.fact in {"pain:back", "symptom:stiffness", "everyone"} for reason in item.why), (
            item.id
        )


def test_same_plan_a_thousand_times_in_a_loop() -> None:
    first = footmap.recommend(BACK).model_dump_json()
    assert all(footmap.recommend(BACK).model_dump_json() == first for _ in range(1_000))


def test_same_plan_from_eight_threads() -> None:
    profile = {**BACK, "conditions": ["pregnancy"], "age": 70}
    expected = footmap.recommend(profile).model_dump_json()
    results: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        plans = [footmap.recommend(profile).model_dump_json() for _ in range(125)]
        with lock:
            results.extend(plans)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 1_000 and set(results) == {expected}


def test_reloading_knowledge_again_and_again_like_a_notebook() -> None:
    plans = {
        footmap.recommend(BACK, knowledge=footmap.KnowledgeBase.load()).model_dump_json() for _ in range(20)
    }
    assert len(plans) == 1


def test_a_second_knowledge_base_in_the_same_process(tmp_path: Path) -> None:
    (tmp_path / "exercises.yaml").write_text(_renamed_toe_press(), encoding="utf-8")
    custom = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    shipped = footmap.recommend(BACK)
    plan = footmap.recommend(BACK, knowledge=custom)
    names = {item.id: item.name for item in plan.items}
    assert names["toe_press"] == "Clinic toe press"
    assert {i.id: i.name for i in shipped.items}["toe_press"] != "Clinic toe press"
    assert plan.knowledge != shipped.knowledge
    assert footmap.recommend(BACK) == shipped


def _renamed_toe_press() -> str:
    import yaml

    kb = footmap.KnowledgeBase.load()
    item = kb.items["toe_press"]
    entry: dict[str, Any] = item.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    entry["name"] = "Clinic toe press"
    return yaml.safe_dump([entry])


def test_knowledge_load_rejects_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(footmap.KnowledgeError, match="not a directory"):
        footmap.KnowledgeBase.load(tmp_path / "nowhere")
