"""The schedule: weeks in bounds, rest days kept, doses only along the ladder, never over budget."""

from __future__ import annotations

from typing import Any

import pytest

import footmap
from footmap._compose.parts import ItemData
from footmap._compose.schedule import lay_out
from footmap._knowledge import schema
from footmap._knowledge.base import shipped_knowledge
from footmap._plan import DEFAULT_WEEKS, MAX_WEEKS, Plan

KB = shipped_knowledge()
PROGRESSIONS = KB.knowledge.progressions
EXERCISES = {ident: item for ident, item in KB.items.items() if isinstance(item, schema.Exercise)}
EVERYTHING = ["band", "chair", "towel", "pencil", "wall", "tennis_ball"]
#: Flat arches reach strengthening exercises (toe walking, resisted flexion) and daily ones.
STRENGTH = {
    "pains": [{"area": "foot", "severity": 3}],
    "observations": ["flat_arches"],
    "equipment": EVERYTHING,
}


def day_minutes(plan: Plan, week: int) -> list[float]:
    """Each day's timed minutes in ``week``: the scheduled routine and the other timed items."""
    others = sum(item.minutes for item in [*plan.reflexology, *plan.acupressure])
    return [day.minutes + others for day in plan.schedule.week(week).days]


def assert_within_budget(plan: Plan) -> None:
    for week in plan.schedule.by_week():
        for day, minutes in zip(week.days, day_minutes(plan, week.week), strict=True):
            assert minutes <= plan.budget_minutes + 1e-9, (week.week, day.day, minutes)


# --- weeks --------------------------------------------------------------------------------------


def test_a_plan_has_six_weeks_unless_asked() -> None:
    plan = footmap.recommend(STRENGTH)
    assert plan.schedule.weeks == DEFAULT_WEEKS == len(plan.schedule.by_week())


@pytest.mark.parametrize("weeks", [1, 2, MAX_WEEKS])
def test_weeks_from_one_to_the_most(weeks: int) -> None:
    plan = footmap.recommend(STRENGTH, weeks=weeks)
    assert [week.week for week in plan.schedule.by_week()] == list(range(1, weeks + 1))
    assert all(step.week <= weeks for item in plan.schedule.items for step in item.steps)


@pytest.mark.parametrize("weeks", [0, -1, MAX_WEEKS + 1, True, 6.0, "6"])
def test_weeks_out_of_range_is_a_clear_error(weeks: Any) -> None:
    with pytest.raises(ValueError, match=rf"weeks must be a whole number from 1 to {MAX_WEEKS}.*got"):
        footmap.recommend(STRENGTH, weeks=weeks)


def test_a_week_outside_the_schedule_is_refused() -> None:
    schedule = footmap.recommend(STRENGTH, weeks=3).schedule
    with pytest.raises(ValueError, match="week 4 is not in this 3-week schedule"):
        schedule.week(4)


# --- rest days, ladders, budget ----------------------------------------------------------------


def test_rest_day_rules_keep_their_items_to_their_days() -> None:
    plan = footmap.recommend(STRENGTH)
    ruled = 0
    for item in plan.schedule.items:
        ladder = PROGRESSIONS.ladder(item.id)
        assert ladder is not None
        rules = [rule for rule in PROGRESSIONS.rest if ladder.training in rule.training]
        allowed = set(schema.WEEKDAYS).intersection(*(rule.days for rule in rules))
        assert item.days == sorted(allowed)
        ruled += bool(rules)
    assert ruled, "the profile should reach an item a rest-day rule shapes"
    assert {note.rule for note in plan.schedule.notes} >= {rule.id for rule in PROGRESSIONS.rest}
    for week in plan.schedule.by_week():
        for day in week.days:
            assert all(
                day.day in next(i for i in plan.schedule.items if i.id == ident).days
                for ident, _ in day.items
            )


def test_doses_progress_only_along_the_ladder_after_their_weeks() -> None:
    plan = footmap.recommend({**STRENGTH, "minutes_per_day": 120})
    climbed = 0
    for item in plan.schedule.items:
        ladder = PROGRESSIONS.ladder(item.id)
        assert ladder is not None
        rungs = schema.climb(ladder, EXERCISES, "up")
        first, *later = item.steps
        assert (first.week, first.position, first.change) == (1, 0, "")
        positions = [step.position for step in item.steps]
        assert positions == sorted(set(positions))
        for step in later:
            rung = rungs[step.position - 1]
            assert rung.step.after_weeks is not None and step.week > rung.step.after_weeks
            assert rung.step.variant is None and rung.item == item.id
            assert {name: getattr(step, name) for name in rung.dose} == rung.dose
            assert step.minutes == rung.minutes and rung.step.description in step.change
            climbed += 1
    assert climbed, "with two hours a day, some item should climb its ladder"


def test_a_step_that_does_not_fit_is_not_taken() -> None:
    roomy = footmap.recommend({**STRENGTH, "minutes_per_day": 120})
    tight = footmap.recommend({**STRENGTH, "minutes_per_day": 25})
    assert_within_budget(roomy)
    assert_within_budget(tight)
    steps = sum(len(item.steps) for item in roomy.schedule.items)
    assert sum(len(item.steps) for item in tight.schedule.items) < steps


def test_lay_out_takes_a_step_only_when_the_budget_holds_it() -> None:
    plan = footmap.recommend({"pains": [{"area": "heel", "severity": 3}], "equipment": EVERYTHING})
    routine: list[ItemData] = [item.model_dump(mode="json") for item in plan.routine]  # type: ignore[misc]
    total = sum(item["minutes"] for item in routine)

    def steps(budget: float) -> int:
        schedule = lay_out(
            routine,
            other_minutes=0,
            budget=budget,  # type: ignore[arg-type]
            weeks=6,
            progressions=PROGRESSIONS,
            exercises=EXERCISES,
            progress=True,
        )
        return sum(len(item["steps"]) - 1 for item in schedule["items"])

    assert steps(total) == 0
    assert 0 < steps(total + 1) < steps(total + 100)


def test_a_see_clinician_plan_holds_its_doses_and_an_urgent_one_schedules_nothing() -> None:
    waiting = footmap.recommend({"pains": [{"area": "knee", "severity": 9}], "equipment": EVERYTHING})
    assert waiting.triage == "see_clinician" and waiting.routine
    assert all(len(item.steps) == 1 for item in waiting.schedule.items)
    assert {item.id for item in waiting.schedule.items} == {item.id for item in waiting.routine}
    moves = {check.id: check.move for check in PROGRESSIONS.monitoring}
    assert {moves[note.rule] for note in waiting.schedule.notes if note.rule in moves} == {"down"}
    urgent = footmap.recommend({"pains": [{"area": "back", "severity": 5}], "symptoms": ["saddle_numbness"]})
    assert urgent.triage == "urgent"
    assert urgent.schedule.items == [] and urgent.schedule.notes == []


def test_an_adjusted_dose_is_not_stepped_up() -> None:
    plan = footmap.recommend({**STRENGTH, "symptoms": ["painful_walking"], "minutes_per_day": 120})
    adjusted = [item.id for item in plan.routine if item.dosage and item.dosage.adjusted_by]
    assert adjusted, "painful walking should adjust a weight-bearing item"
    for item in plan.schedule.items:
        if item.id in adjusted:
            assert len(item.steps) == 1


def test_the_schedule_is_the_same_every_time_and_reads_back() -> None:
    first = footmap.recommend(STRENGTH, weeks=8)
    again = footmap.recommend(STRENGTH, weeks=8)
    assert first.model_dump_json() == again.model_dump_json()
    assert Plan.model_validate_json(first.model_dump_json()) == first


def test_a_week_tells_its_sessions_minutes_and_rest_days() -> None:
    plan = footmap.recommend(STRENGTH)
    week = plan.schedule.week(1)
    monday, tuesday = week.days[0], week.days[1]
    assert monday.sessions == max(step.times_per_day for _, step in monday.items)
    assert len(monday.items) > len(tuesday.items)  # the strengthening items rest on Tuesday
    assert week.rest_days == [day.day for day in week.days if not day.items]
