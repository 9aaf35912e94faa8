"""``progressions.yaml``: a ladder per exercise, read strictly, laid over by id, optional."""

from __future__ import annotations

import shutil
from pathlib import Path

import footmap
from footmap import FindingCode, KnowledgeBase
from footmap._knowledge import schema
from footmap._knowledge.base import shipped_knowledge, shipped_knowledge_dir

KB = shipped_knowledge()
PROGRESSIONS = KB.knowledge.progressions
EXERCISES = {ident: item for ident, item in KB.items.items() if isinstance(item, schema.Exercise)}


def test_every_exercise_has_one_ladder() -> None:
    assert sorted(ladder.id for ladder in PROGRESSIONS.ladders) == sorted(EXERCISES)


def test_every_step_moves_the_way_of_its_check_and_cites_a_source() -> None:
    moves = {check.id: check.move for check in PROGRESSIONS.monitoring}
    for ladder in PROGRESSIONS.ladders:
        for move in ("up", "down"):
            for step in ladder.steps(move):  # type: ignore[arg-type]
                assert moves[step.condition] == move, (ladder.id, step)
                assert step.source in KB.sources


def test_the_pain_monitoring_checks_follow_the_trial() -> None:
    checks = {check.move: check for check in PROGRESSIONS.monitoring}
    assert set(checks) == {"up", "down"}
    assert all(check.pain_limit == 5 and check.settled_by_morning for check in checks.values())
    assert all(check.source == "silbernagel_2007" for check in checks.values())
    assert not KB.sources["silbernagel_2007"].verified  # until checked against the paper


def test_a_variant_step_starts_from_the_variants_own_dose() -> None:
    ladder = PROGRESSIONS.ladder("toe_walking")
    assert ladder is not None
    down = schema.climb(ladder, EXERCISES, "down")
    for rung in down:
        if rung.step.variant is not None:
            variant = EXERCISES[rung.step.variant]
            assert rung.item == variant.id
            assert rung.dose == {**schema.own_dose(variant), **rung.step.dose()}
    assert [rung.position for rung in down] == [-n for n in range(1, len(down) + 1)]


def test_minutes_scale_with_the_work_of_a_session() -> None:
    exercise = EXERCISES["resisted_flexion"]
    base = schema.own_dose(exercise)
    double = {**base, "sets": 2 * (base.get("sets") or 1)}
    assert schema.scaled_minutes(exercise.minutes, base, base) == exercise.minutes * base["times_per_day"]
    assert (
        schema.scaled_minutes(exercise.minutes, base, double) == 2 * exercise.minutes * base["times_per_day"]
    )


def _overlay(tmp_path: Path, text: str) -> Path:
    (tmp_path / "progressions.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_misspelt_list_is_reported_with_the_name_meant(tmp_path: Path) -> None:
    findings = KnowledgeBase.check(_overlay(tmp_path, "ladder: []\n"), overlay=True)
    assert [(f.file, f.entry, f.code, f.suggestion) for f in findings] == [
        ("progressions.yaml", "ladder", FindingCode.UNKNOWN_FIELD, "ladders")
    ]


def test_a_step_that_changes_nothing_is_reported(tmp_path: Path) -> None:
    text = (
        "ladders:\n  - id: toe_press\n    training: motor\n    source: acsm_garber_2011\n"
        "    harder:\n      - {condition: going_well, description: Nothing., source: acsm_garber_2011}\n"
    )
    findings = KnowledgeBase.check(_overlay(tmp_path, text), overlay=True)
    assert [(f.entry, f.field, f.code) for f in findings] == [
        ("toe_press", "harder.0", FindingCode.INVALID_FIELD)
    ]
    assert "changes the dose" in findings[0].message


def test_an_overlay_replaces_a_ladder_by_id(tmp_path: Path) -> None:
    text = "ladders:\n  - id: ankle_circles\n    training: mobility\n    source: acsm_garber_2011\n"
    kb = KnowledgeBase.load(_overlay(tmp_path, text), overlay=True)
    ladder = kb.knowledge.progressions.ladder("ankle_circles")
    assert ladder is not None and ladder.harder == [] and ladder.easier == []
    assert len(kb.knowledge.progressions.ladders) == len(PROGRESSIONS.ladders)


def test_knowledge_without_ladders_plans_no_steps(tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_dir(), directory)
    (directory / "progressions.yaml").unlink()
    kb = KnowledgeBase.load(directory)
    plan = footmap.recommend({"pains": [{"area": "heel", "severity": 3}]}, knowledge=kb)
    assert plan.schedule.items and all(len(item.steps) == 1 for item in plan.schedule.items)
    assert all(item.days == list(schema.WEEKDAYS) for item in plan.schedule.items)
