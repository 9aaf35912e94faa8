"""``footmap.adjust``: session logs as more facts through the same rules, and what they changed.

Each rule of ``knowledge/rules/programme.yaml`` on a small log history, the changes with their
dates, and the invariants as properties over generated profiles and log histories.
"""

from __future__ import annotations

import datetime
import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import footmap
from footmap._facts import gather, item_facts, log_facts
from footmap._input.logs import SessionLog
from footmap._knowledge.base import shipped_knowledge
from footmap._rules import reference
from footmap._rules.compile import knowledge_rules
from footmap._rules.engine import engine_info
from tests.strategies import costly, profile_dicts, session_logs

KB = shipped_knowledge()
RULES = knowledge_rules(KB)
EQUIPMENT = ["towel", "chair", "wall", "tennis_ball", "band", "pencil"]
FOOT = {"pains": [{"area": "foot", "severity": 4}], "equipment": EQUIPMENT, "minutes_per_day": 30}
KNEE = {"pains": [{"area": "knee", "severity": 4}], "minutes_per_day": 30}
START = datetime.date(2027, 1, 1)


def log(day: int, items: list[str], before: int = 3, after: int = 3, **fields: Any) -> dict[str, Any]:
    """A log ``day`` days after ``START`` with the items done and one pain of the profile's area."""
    area = fields.pop("area", "foot")
    pain: dict[str, Any] = {"area": area, "before": before, "after": after}
    if "next_morning" in fields:
        pain["next_morning"] = fields.pop("next_morning")
    date = (START + datetime.timedelta(days=day)).isoformat()
    return {"date": date, "items": [{"id": ident} for ident in items], "pain": [pain], **fields}


def changes(plan: footmap.Plan) -> set[tuple[str | None, str, str]]:
    return {(change.item, change.change, change.rule) for change in plan.changes}


# --- each rule ---------------------------------------------------------------------------------


def test_pain_above_5_twice_steps_toe_walking_back_to_its_easier_variant() -> None:
    plan = footmap.recommend(FOOT)
    assert "toe_walking" in [item.id for item in plan.routine]
    logs = [log(3, ["toe_walking"], after=7), log(5, ["toe_walking"], after=7)]
    adjusted = footmap.adjust(plan, logs)
    routine = {item.id: item for item in adjusted.routine}
    assert "toe_walking" not in routine and "heel_raises_supported" in routine
    assert routine["heel_raises_supported"].replaces == "toe_walking"
    (change,) = [c for c in adjusted.changes if c.item == "toe_walking"]
    assert (change.change, change.rule) == ("regressed", "regress.pain_high")
    assert change.dates == ["2027-01-04", "2027-01-06"]
    assert change.after.startswith(KB.items["heel_raises_supported"].name)
    assert any(reason.rule == "regress.pain_high" for reason in routine["heel_raises_supported"].why)
    left = {entry.id: entry for entry in adjusted.excluded}
    assert left["toe_walking"].rule == "regress.pain_high"
    assert left["toe_walking"].replaced_by == "heel_raises_supported"


def test_pain_at_5_after_an_item_changes_nothing() -> None:
    plan = footmap.recommend(FOOT)
    adjusted = footmap.adjust(plan, [log(3, ["toe_walking"], before=4, after=5, difficulty="ok")])
    assert adjusted.changes == [] and adjusted.routine == plan.routine


def test_a_rise_of_2_steps_the_item_back_one_dose_step_and_holds_its_schedule() -> None:
    plan = footmap.recommend(FOOT)
    adjusted = footmap.adjust(plan, [log(3, ["toe_pencil_pickup"], before=2, after=4)])
    assert ("toe_pencil_pickup", "regressed", "regress.pain_rise") in changes(adjusted)
    item = next(item for item in adjusted.routine if item.id == "toe_pencil_pickup")
    assert item.dosage is not None and item.dosage.hold_seconds == 5
    (scheduled,) = [s for s in adjusted.schedule.items if s.id == "toe_pencil_pickup"]
    assert [step.position for step in scheduled.steps] == [-1]  # no progression planned after it
    assert item.why[-1].fact == "item_log:toe_pencil_pickup"
    assert adjusted.fact_name(item.why[-1]) == f"your logs of {item.name.lower()}"


def test_pain_not_settled_by_the_next_morning_steps_the_item_back() -> None:
    plan = footmap.recommend(FOOT)
    adjusted = footmap.adjust(plan, [log(3, ["toe_press"], before=2, after=3, next_morning=4)])
    assert ("toe_press", "regressed", "regress.not_settled") in changes(adjusted)


def test_two_easy_weeks_with_steady_pain_move_an_item_one_step_up_and_plan_on_from_there() -> None:
    plan = footmap.recommend(KNEE)
    logs = [log(day, ["ankle_circles"], area="knee", difficulty="easy") for day in range(0, 14, 2)]
    adjusted = footmap.adjust(plan, logs)
    assert changes(adjusted) == {("ankle_circles", "progressed", "progress.going_well")}
    (scheduled,) = [s for s in adjusted.schedule.items if s.id == "ankle_circles"]
    assert scheduled.steps[0].position == 1
    before = next(item for item in plan.routine if item.id == "ankle_circles")
    after = next(item for item in adjusted.routine if item.id == "ankle_circles")
    assert before.dosage and after.dosage and after.dosage.reps and before.dosage.reps
    assert after.dosage.reps > before.dosage.reps


def test_one_easy_week_is_not_enough_to_move_up() -> None:
    logs = [log(day, ["ankle_circles"], area="knee", difficulty="easy") for day in (0, 2, 4, 6)]
    assert footmap.adjust(footmap.recommend(KNEE), logs).changes == []


def test_regress_wins_over_progress() -> None:
    logs = [log(day, ["ankle_circles"], area="knee", difficulty="easy") for day in (0, 2, 4, 6, 8, 10)]
    logs.append(log(13, ["ankle_circles"], area="knee", before=3, after=3, next_morning=5, difficulty="easy"))
    kinds = {
        c.change for c in footmap.adjust(footmap.recommend(KNEE), logs).changes if c.item == "ankle_circles"
    }
    assert kinds == {"regressed"}


def test_a_red_flag_in_any_log_escalates_at_once() -> None:
    plan = footmap.recommend(KNEE)
    logs = [log(day, ["ankle_circles"], area="knee", difficulty="easy") for day in (0, 4, 8, 13)]
    logs[1]["new_symptoms"] = ["saddle_numbness"]
    adjusted = footmap.adjust(plan, logs)
    assert adjusted.triage == "urgent" and adjusted.routine == []
    (referral,) = [c for c in adjusted.changes if c.change == "referred"]
    assert (referral.before, referral.after, referral.dates) == ("self_care", "urgent", ["2027-01-05"])


def test_no_improvement_after_six_weeks_refers_the_complaint() -> None:
    logs = [log(day, ["ankle_circles"], area="knee", before=4, after=4) for day in (0, 21, 42)]
    adjusted = footmap.adjust(footmap.recommend(KNEE), logs)
    assert adjusted.triage == "see_clinician"
    (referral,) = [c for c in adjusted.changes if c.change == "referred"]
    assert (referral.item, referral.rule) == ("knee", "refer.programme.not_improving")


def test_a_pain_that_came_down_by_a_point_is_not_referred() -> None:
    logs = [log(0, ["ankle_circles"], area="knee", before=4, after=4)]
    logs += [log(day, ["ankle_circles"], area="knee", before=3, after=3) for day in (21, 42)]
    assert footmap.adjust(footmap.recommend(KNEE), logs).triage == "self_care"


def test_poor_adherence_shortens_the_exercises_and_says_so_kindly_and_does_not_progress() -> None:
    plan = footmap.recommend(KNEE)
    adjusted = footmap.adjust(plan, [log(0, ["ankle_circles"], area="knee"), log(13, [], area="knee")])
    shortened = {c.item for c in adjusted.changes if c.change == "shortened"}
    assert shortened == {item.id for item in adjusted.routine if item.kind == "exercise"} != set()
    message = next(m for m in adjusted.safety if m.rule == "caution.programme.hard_to_keep_up")
    assert "normal" in message.message and "should" not in message.message
    assert adjusted.minutes_per_day <= adjusted.budget_minutes
    optional = {item.id for item in [*plan.reflexology, *plan.acupressure]}
    assert optional and not adjusted.reflexology and not adjusted.acupressure
    assert {c.item for c in adjusted.changes if c.change == "dropped"} == optional
    easy = [log(day, ["ankle_circles"], area="knee", difficulty="easy") for day in (0, 5, 9, 13)]
    assert {c.change for c in footmap.adjust(plan, easy).changes} == {"dropped", "shortened"}


# --- facts -------------------------------------------------------------------------------------


def test_log_facts_measure_what_the_rules_test() -> None:
    logs = [
        SessionLog.model_validate(
            log(0, ["toe_press"], before=2, after=5, next_morning=3, difficulty="easy")
        ),
        SessionLog.model_validate(log(9, ["toe_press"], before=4, after=3, difficulty="easy")),
        SessionLog.model_validate({"date": "2027-01-12", "items": [{"id": "toe_press", "skipped": True}]}),
    ]
    facts = {fact["t"]: fact for fact in log_facts(logs, footmap.Profile())}
    item = facts["item_log"]
    assert (item["sessions"], item["skips"], item["max_after"], item["max_rise"]) == (2, 1, 5, 3)
    assert (item["unsettled"], item["easy_weeks"], item["dates"]) == (1, 1, "2027-01-01,2027-01-10")
    assert facts["complaint_log"]["weeks"] == pytest.approx(9 / 7)
    assert facts["complaint_log"]["change"] == 2.0
    assert facts["programme"] == {"t": "programme", "days": 12, "adherence": round(2 / 12, 6)}


def test_a_symptom_the_profile_already_has_is_not_a_new_fact() -> None:
    profile = footmap.Profile.model_validate({"symptoms": ["stiffness"]})
    logs = [
        SessionLog.model_validate({"date": "2027-01-01", "new_symptoms": ["stiffness", "saddle_numbness"]})
    ]
    symptoms = [fact["key"] for fact in log_facts(logs, profile) if fact["t"] == "symptom"]
    assert symptoms == ["saddle_numbness"]


# --- the API -----------------------------------------------------------------------------------


def test_a_plan_carries_its_profile_and_adjusting_with_no_logs_is_recommending() -> None:
    plan = footmap.recommend(FOOT)
    assert plan.profile == footmap.Profile.model_validate(FOOT).model_dump(mode="json", exclude_defaults=True)
    assert footmap.adjust(plan, []).model_dump_json() == plan.model_dump_json()


def test_adjust_names_only_items_the_plan_held_and_recommend_every_one() -> None:
    back = {"pains": [{"area": "back", "severity": 4}]}  # more optional items than fit its budget
    plan = footmap.recommend(back)
    logs = [log(0, ["toe_press"], area="back"), log(13, [], area="back")]
    everything = {c.item for c in footmap.recommend(back, logs=logs).changes}
    held = {item.id for item in plan.items}
    assert {c.item for c in footmap.adjust(plan, logs).changes} == everything & held != everything


def test_a_plan_read_back_from_json_adjusts_the_same() -> None:
    plan = footmap.recommend(FOOT, weeks=8)
    logs = [log(3, ["toe_walking"], after=7)]
    again = footmap.Plan.model_validate_json(plan.model_dump_json())
    assert footmap.adjust(again, logs).model_dump_json() == footmap.adjust(plan, logs).model_dump_json()
    assert footmap.adjust(again, logs).schedule.weeks == 8


def test_a_plan_of_other_knowledge_needs_its_knowledge() -> None:
    plan = footmap.recommend(KNEE).model_copy(update={"knowledge": "0000000000000000"})
    with pytest.raises(footmap.FootmapError, match="knowledge="):
        footmap.adjust(plan, [])


def test_a_plan_without_its_profile_says_to_recommend_again() -> None:
    plan = footmap.recommend(KNEE).model_copy(update={"profile": None})
    with pytest.raises(footmap.FootmapError, match="recommend"):
        footmap.adjust(plan, [])


def test_logs_in_any_order_give_the_same_plan() -> None:
    logs = [
        log(day, ["toe_walking", "toe_press"], after=day % 8, difficulty="easy") for day in range(0, 20, 2)
    ]
    plan = footmap.recommend(FOOT)
    expected = footmap.adjust(plan, logs).model_dump_json()
    for seed in range(3):
        shuffled = logs[:]
        random.Random(seed).shuffle(shuffled)
        assert footmap.adjust(plan, shuffled).model_dump_json() == expected


def test_the_same_inputs_give_the_same_json_in_any_thread() -> None:
    plan = footmap.recommend(FOOT)
    logs = [log(3, ["toe_walking"], after=7), log(5, ["toe_press"], before=2, after=4)]
    expected = footmap.adjust(plan, logs).model_dump_json()
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: footmap.adjust(plan, logs).model_dump_json(), range(8)))
    assert set(found) == {expected}


@pytest.mark.skipif(not engine_info().durable_importable, reason="durable-rules is not installed")
def test_both_engines_give_the_same_adjusted_plan() -> None:
    logs = [log(day, ["ankle_circles"], area="knee", difficulty="easy") for day in (0, 4, 8, 13)]
    logs.append(log(14, ["heel_tendon_stretch"], area="knee", before=2, after=7))
    python = footmap.recommend(KNEE, logs=logs, engine="python").model_dump_json()
    assert footmap.recommend(KNEE, logs=logs, engine="durable").model_dump_json() == python


# --- properties --------------------------------------------------------------------------------

#: Items the generated histories log: the exercises the generated profiles' plans most often hold.
_LOGGED = [
    "toe_press",
    "toe_walking",
    "ankle_circles",
    "heel_tendon_stretch",
    "toe_pencil_pickup",
    "resisted_flexion",
]


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A few weeks of logs of plan items and pains, on distinct days."""
    days = draw(st.lists(st.integers(0, 60), min_size=1, max_size=14, unique=True))
    areas = ["back", "knee", "foot", "heel"]
    logs = []
    for day in days:
        items = draw(st.lists(st.sampled_from(_LOGGED), max_size=3, unique=True))
        area = draw(st.sampled_from(areas))
        before, after = draw(st.integers(0, 10)), draw(st.integers(0, 10))
        extra: dict[str, Any] = {"difficulty": draw(st.sampled_from(["easy", "ok", "hard"]))}
        if draw(st.booleans()):
            extra["next_morning"] = draw(st.integers(0, 10))
        logs.append(log(day, items, before, after, area=area, **extra))
    return logs


@costly(40)
@given(profile_dicts(), histories())
def test_adjusting_never_brings_in_an_excluded_item_nor_exceeds_the_budget(
    data: dict[str, Any], logs: list[dict[str, Any]]
) -> None:
    profile = footmap.Profile.model_validate(data)
    plan = footmap.recommend(profile, logs=logs)
    in_plan = [item.id for item in plan.items]
    validated = [SessionLog.model_validate(entry) for entry in logs]
    facts = gather(profile, KB, validated).facts
    facts = (*(f for f in facts if f["t"] != "item"), *item_facts(in_plan, KB))
    blocked = {e.target for e in reference.evaluate(RULES, list(facts)) if e.effect == "exclude"}
    assert not blocked & set(in_plan)
    assert plan.minutes_per_day <= plan.budget_minutes + 1e-9
    for week in plan.schedule.by_week():
        for day in week.days:
            minutes = sum(step.minutes for _, step in day.items)
            other = sum(item.minutes for item in [*plan.reflexology, *plan.acupressure])
            assert minutes + other <= plan.budget_minutes + 1e-6


@costly(40)
@given(profile_dicts(), histories(), st.sampled_from(sorted({"saddle_numbness", "bladder_or_bowel_change"})))
def test_a_red_flag_in_any_log_always_escalates(
    data: dict[str, Any], logs: list[dict[str, Any]], flag: str
) -> None:
    logs[-1] = {**logs[-1], "new_symptoms": [flag]}
    assert footmap.recommend(data, logs=logs).triage == "urgent"


@costly(40)
@given(profile_dicts(), histories(), st.randoms(use_true_random=False))
def test_logs_in_any_order_give_the_same_json(
    data: dict[str, Any], logs: list[dict[str, Any]], rnd: random.Random
) -> None:
    shuffled = logs[:]
    rnd.shuffle(shuffled)
    assert (
        footmap.recommend(data, logs=shuffled).model_dump_json()
        == footmap.recommend(data, logs=logs).model_dump_json()
    )


@costly(40)
@given(profile_dicts(), histories())
def test_a_dose_never_progresses_when_its_item_had_pain_above_5(
    data: dict[str, Any], logs: list[dict[str, Any]]
) -> None:
    plan = footmap.recommend(data, logs=logs)
    for change in plan.changes:
        if change.change == "progressed":
            done = [entry for entry in logs if any(i["id"] == change.item for i in entry["items"])]
            assert all(pain["after"] <= 5 for entry in done for pain in entry["pain"]), change


@costly(25)
@given(profile_dicts(), st.lists(session_logs(), max_size=4, unique_by=lambda entry: entry.key))
def test_any_valid_logs_give_a_valid_plan_whose_changes_name_log_dates(
    data: dict[str, Any], logs: list[SessionLog]
) -> None:
    plan = footmap.recommend(data, logs=logs)
    dates = {entry.date.isoformat() for entry in logs}
    for change in plan.changes:
        assert change.dates and set(change.dates) <= dates, change
    assert footmap.Plan.model_validate_json(plan.model_dump_json()) == plan


@costly(30)
@given(profile_dicts())
def test_adjusting_with_no_logs_is_recommending_byte_for_byte(data: dict[str, Any]) -> None:
    plan = footmap.recommend(data)
    assert footmap.adjust(plan, []).model_dump_json() == plan.model_dump_json()


@pytest.mark.skipif(not engine_info().durable_importable, reason="durable-rules is not installed")
@costly(30)
@given(profile_dicts(), histories())
def test_both_engines_agree_on_generated_histories(data: dict[str, Any], logs: list[dict[str, Any]]) -> None:
    python = footmap.recommend(data, logs=logs, engine="python").model_dump_json()
    assert footmap.recommend(data, logs=logs, engine="durable").model_dump_json() == python
