"""The invariants of DESIGN.md, each a property over generated profiles."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import footmap
from footmap._compose.select import kept_while_waiting
from footmap._facts import fact_nodes, item_facts, profile_facts
from footmap._knowledge import schema
from footmap._knowledge.base import shipped_knowledge
from footmap._plan import MAX_WEEKS
from footmap._rules import reference
from footmap._rules.compile import knowledge_rules
from footmap._rules.match import compile_pattern
from tests.strategies import profile_dicts

KB = shipped_knowledge()
RULES = knowledge_rules(KB)
REFER_RULES = [rule for rule in RULES if rule.effect == "refer"]


def _single_fact_red_flags() -> dict[tuple[str, str], schema.TriageLevel]:
    """Symptoms, observations and conditions that on their own call for a referral."""
    flags: dict[tuple[str, str], schema.TriageLevel] = {}
    for rule in REFER_RULES:
        patterns = rule.when.patterns
        singles = patterns if rule.when.any is not None else (patterns if len(patterns) == 1 else [])
        for pattern in singles:
            if pattern.is_ is not None and not pattern.where and not pattern.absent:
                assert rule.level is not None
                key = (pattern.fact, pattern.is_)
                flags[key] = max(flags.get(key, "self_care"), rule.level, key=schema.TRIAGE_ORDER.index)
    return flags


RED_FLAGS = _single_fact_red_flags()
_FIELD = {"symptom": "symptoms", "observation": "observations", "condition": "conditions"}


@given(profile_dicts(), st.sampled_from(sorted(RED_FLAGS)))
def test_a_red_flag_always_escalates(data: dict[str, Any], flag: tuple[str, str]) -> None:
    fact, ident = flag
    field = _FIELD[fact]
    data = {**data, field: sorted({*data[field], ident})}
    plan = footmap.recommend(data)
    assert schema.TRIAGE_ORDER.index(plan.triage) >= schema.TRIAGE_ORDER.index(RED_FLAGS[flag])
    assert plan.triage != "self_care"


@given(profile_dicts())
def test_triage_is_the_highest_referral_that_applies(data: dict[str, Any]) -> None:
    profile = footmap.Profile.model_validate(data)
    plan = footmap.recommend(profile)
    levels = [e.level for e in reference.evaluate(REFER_RULES, profile_facts(profile, KB)) if e.level]
    assert plan.triage == max(levels, key=schema.TRIAGE_ORDER.index, default="self_care")
    if plan.triage == "urgent":
        assert plan.items == []
        assert any(message.level == "critical" for message in plan.safety)
    if plan.triage == "see_clinician":
        assert all(kept_while_waiting(KB.items[item.id]) for item in plan.items)
        assert any(message.level == "warning" for message in plan.safety)


_REASSURING_RULES = {rule.id for rule in KB.knowledge.rules if rule.reassures}
_REASSURANCES = {item.reassurance for item in KB.items.values() if item.reassurance is not None}


@given(profile_dicts())
def test_no_reassurance_appears_beside_a_referral(data: dict[str, Any]) -> None:
    plan = footmap.recommend(data)
    if plan.triage == "self_care":
        return
    assert not _REASSURING_RULES & {message.rule for message in plan.safety}
    for item in plan.items:
        assert not _REASSURANCES & set(item.steps), item.id
        assert not _REASSURING_RULES & {caution.rule for caution in item.cautions}, item.id


_FORBIDS = {
    rule.id: compile_pattern(schema.Pattern(fact="item", where=rule.forbids.where))
    for rule in KB.knowledge.rules
    if rule.forbids is not None
}


@given(profile_dicts())
def test_no_item_contradicts_a_message_of_its_plan(data: dict[str, Any]) -> None:
    """A message that rules items out (its rule's ``forbids``) never shows above one of them."""
    plan = footmap.recommend(data)
    forbidding = [_FORBIDS[message.rule] for message in plan.safety if message.rule in _FORBIDS]
    for item in plan.items:
        (fact,) = [f for f in item_facts([item.id], KB) if f["t"] == "item"]
        assert not any(matcher.fits(fact, {}) for matcher in forbidding), item.id


@given(profile_dicts())
def test_nothing_excluded_for_this_profile_reaches_the_plan(data: dict[str, Any]) -> None:
    profile = footmap.Profile.model_validate(data)
    plan = footmap.recommend(profile)
    in_plan = [item.id for item in plan.items]
    facts = profile_facts(profile, KB) + item_facts(in_plan, KB)
    blocked = {e.target for e in reference.evaluate(RULES, facts) if e.effect == "exclude"}
    assert not blocked & set(in_plan)
    held = set(profile.equipment)
    for item in plan.routine:
        for name in item.equipment:
            substitutes = set(KB.terms[("equipment", name)].substitutes)  # type: ignore[attr-defined]
            assert name in held or substitutes & held, (item.id, name)
        assert profile.can_get_on_floor or item.position not in ("floor", "lying")
        assert profile.can_stand_unaided or item.position != "standing"
        assert item.modality not in profile.exclude


@given(profile_dicts())
def test_the_routine_fits_the_time_budget(data: dict[str, Any]) -> None:
    plan = footmap.recommend(data)
    timed = sum(item.minutes for item in [*plan.routine, *plan.reflexology, *plan.acupressure])
    assert timed <= data["minutes_per_day"] + 1e-9
    assert plan.minutes_per_day <= data["minutes_per_day"]


@given(profile_dicts(), st.integers(1, MAX_WEEKS))
def test_every_week_of_the_schedule_fits_the_budget_and_holds_only_the_routine(
    data: dict[str, Any], weeks: int
) -> None:
    plan = footmap.recommend(data, weeks=weeks)
    schedule = plan.schedule
    assert schedule.weeks == weeks
    assert [item.id for item in schedule.items] == [item.id for item in plan.routine]
    others = sum(item.minutes for item in [*plan.reflexology, *plan.acupressure])
    for week in schedule.by_week():
        for day in week.days:
            assert day.minutes + others <= plan.budget_minutes + 1e-9, (week.week, day.day)
    for item in schedule.items:
        assert item.steps[0].week == 1
        assert [step.week for step in item.steps] == sorted({step.week for step in item.steps})
        if plan.triage != "self_care":
            assert len(item.steps) == 1  # held where it is until the person is assessed


@given(profile_dicts())
def test_every_item_is_explained_by_a_fact_of_the_profile(data: dict[str, Any]) -> None:
    profile = footmap.Profile.model_validate(data)
    plan = footmap.recommend(profile)
    facts = set(fact_nodes(profile))
    for item in plan.items:
        graph_reasons = [reason for reason in item.why if reason.rule is None]
        assert graph_reasons, item.id
        for reason in graph_reasons:
            assert reason.fact in facts and reason.path[0] == reason.fact
            assert reason.path[-1].endswith(f":{item.id}") or item.replaces is not None


@given(profile_dicts())
def test_every_item_carries_an_honest_evidence_grade(data: dict[str, Any]) -> None:
    plan = footmap.recommend(data)
    for item in plan.items:
        assert item.evidence in schema.EVIDENCE_ORDER
        if item.evidence in ("none", "very_low"):
            assert "optional" in item.evidence_label
    for item in [*plan.reflexology, *plan.acupressure]:
        assert item.evidence in ("none", "very_low", "low"), item.id


@given(profile_dicts())
def test_the_same_profile_gives_the_same_plan_byte_for_byte(data: dict[str, Any]) -> None:
    first = footmap.recommend(data).model_dump_json()
    assert footmap.recommend(dict(data)).model_dump_json() == first
    shuffled = {**data, **{k: list(reversed(v)) for k, v in data.items() if isinstance(v, list)}}
    assert footmap.recommend(shuffled).model_dump_json() == first


_NET_RULES = [rule for rule in RULES if rule.effect == "safety_net"]


@given(profile_dicts())
def test_every_plan_that_is_not_urgent_carries_the_safety_net_of_its_complaints(data: dict[str, Any]) -> None:
    profile = footmap.Profile.model_validate(data)
    plan = footmap.recommend(profile)
    shown = [sign.rule for sign in plan.safety_net]
    if plan.triage == "urgent":
        assert shown == []  # an urgent plan says what to do now instead
        return
    due = {effect.rule for effect in reference.evaluate(_NET_RULES, profile_facts(profile, KB))}
    assert set(shown) == due and len(shown) == len(due)
    assert shown, "a plan that is not urgent always says when to get help today"


#: A fact description as the trace writes it (``pain:back``, ``missing_equipment:towel``).
_FACT_ID = re.compile(
    r"\b(?:pain|symptom|observation|condition|missing_equipment|excluded_modality|need|item):[a-z]"
)


@given(profile_dicts())
def test_what_a_person_reads_never_shows_a_fact_id(data: dict[str, Any]) -> None:
    plan = footmap.recommend(data)
    for text in (plan.to_markdown(), footmap.render.render(plan, "html")):
        assert not _FACT_ID.search(text), _FACT_ID.findall(text)
        assert "(for: person" not in text and "(for: )" not in text
    for item in plan.items:
        assert all(plan.fact_name(reason) for reason in item.why), item.id


@given(profile_dicts())
def test_every_dosage_reads_as_words_with_its_own_numbers(data: dict[str, Any]) -> None:
    plan = footmap.recommend(data)
    for item in plan.items:
        if item.dosage is None:
            continue
        dosage = item.dosage
        assert dosage.words and dosage.words != dosage.text, item.id
        for number in (dosage.reps or dosage.sets, dosage.hold_seconds, dosage.rest_seconds):
            if number is not None:
                assert str(number) in dosage.words, (item.id, number, dosage.words)
