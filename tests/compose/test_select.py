"""Which items stay: triage, swaps for excluded items, and what referrals hold back."""

from __future__ import annotations

import footmap
from footmap._compose import compose
from footmap._compose.select import by_effect, kept_while_waiting, triage
from footmap._facts import gather
from footmap._knowledge import schema
from footmap._knowledge.base import shipped_knowledge
from footmap._rules.effects import Effect
from footmap._rules.engine import Decisions, decide

KB = shipped_knowledge()


def refer(level: schema.TriageLevel, rule: str = "test.refer") -> Effect:
    return Effect(rule, "refer", None, level, "m", "footmap_policy", None, ("symptom:x",))


def test_triage_is_the_highest_referral() -> None:
    assert triage([]) == "self_care"
    assert triage([refer("see_clinician"), refer("urgent")]) == "urgent"
    assert by_effect([refer("urgent")])["refer"] == [refer("urgent")]


def test_an_excluded_item_is_swapped_for_its_alternative_and_listed() -> None:
    exercise = next(i for i in KB.items.values() if isinstance(i, schema.Exercise) and i.alternatives)
    candidates = gather(footmap.Profile(pains=[{"area": "back", "severity": 4}]), KB)  # type: ignore[list-item]
    assert exercise.id in candidates.items
    block = Effect("test.block", "exclude", exercise.id, None, "Not for you.", "footmap_policy", None, ())
    plan = compose(Decisions(candidates, (*decide(candidates).effects, block)))
    entry = next(e for e in plan.excluded if e.id == exercise.id and e.rule == "test.block")
    assert entry.replaced_by in exercise.alternatives
    assert exercise.id not in {i.id for i in plan.items}
    swapped = next(i for i in plan.items if i.id == entry.replaced_by)
    assert swapped.replaces == exercise.id and any(r.rule == "test.block" for r in swapped.why)


def test_an_urgent_referral_holds_back_every_item() -> None:
    candidates = gather(footmap.Profile(pains=[{"area": "knee", "severity": 4}]), KB)  # type: ignore[list-item]
    plan = compose(Decisions(candidates, (*decide(candidates).effects, refer("urgent"))))
    assert plan.triage == "urgent" and not plan.items
    held = [e for e in plan.excluded if e.reason == KB.wording.compose.held_back_urgent]
    assert held and {e.rule for e in held} == {"test.refer"}


def test_a_see_clinician_referral_keeps_gentle_items_and_the_guideline_care_for_the_wait() -> None:
    candidates = gather(footmap.Profile(pains=[{"area": "knee", "severity": 4}]), KB)  # type: ignore[list-item]
    plan = compose(Decisions(candidates, (*decide(candidates).effects, refer("see_clinician"))))
    assert plan.triage == "see_clinician"
    assert all(kept_while_waiting(KB.items[i.id]) for i in plan.items)
    assert "knee_exercise_therapy" in {i.id for i in plan.items}  # while_waiting guideline care
    held = {e.id for e in plan.excluded if e.reason == KB.wording.compose.held_back_for_assessment}
    assert held and not any(kept_while_waiting(KB.items[ident]) for ident in held)
