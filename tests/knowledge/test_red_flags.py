"""Red flags triage: every marked vocabulary term, reported alone, is referred at its level.

``footmap knowledge check`` runs the rules to see it (``unguarded_red_flag``, and
``unmarked_red_flag`` for a referral no mark records); these tests check the shipped marks
against the shipped rules and ``recommend``, and the check against knowledge that loses a guard.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import footmap
from footmap import FindingCode, KnowledgeBase
from footmap._facts import Fact
from footmap._kinds import REPORTED_KINDS
from footmap._knowledge import schema
from footmap._knowledge.base import shipped_knowledge, shipped_knowledge_dir
from footmap._knowledge.check import Referrals, referral
from footmap._knowledge.schema import TRIAGE_ORDER
from tests.strategies import rule_sets_with_facts

_FIELD = {kind.vocabulary: kind.profile_field for kind in REPORTED_KINDS}


def _marked() -> list[tuple[str, str, str]]:
    """Every red-flag term of the shipped vocabulary: (list, id, level)."""
    vocabulary = shipped_knowledge().knowledge.vocabulary
    return [
        (name, term.id, term.red_flag)
        for name in _FIELD
        for term in getattr(vocabulary, name)
        if term.red_flag is not None
    ]


def _profile(name: str, ident: str) -> dict[str, Any]:
    if name == "pain_areas":
        return {"pains": [{"area": ident, "severity": 1}]}
    return {_FIELD[name]: [ident]}


def test_the_shipped_vocabulary_marks_the_red_flags_of_references_md() -> None:
    marked = {ident: level for _, ident, level in _marked()}
    assert marked["saddle_numbness"] == "urgent"
    assert marked["bladder_or_bowel_change"] == "urgent"
    assert marked["calf_swelling_one_side"] == "urgent"
    assert marked["cold_pale_foot"] == "urgent"
    assert marked["fever"] == "see_clinician"
    assert marked["hot_swollen_joint"] == "urgent"  # septic until proven otherwise (Coakley 2006)
    assert marked["sciatica_both_legs"] == "urgent"  # cauda equina (NICE CKS)
    assert len(marked) == 17


def test_every_symptom_a_rule_refers_on_its_own_is_marked_at_that_level() -> None:
    # The marks are set from the rules: a `refer` rule on one symptom alone marks that symptom.
    kb = shipped_knowledge()
    marked = {ident: level for _, ident, level in _marked()}
    for rule in kb.knowledge.rules:
        patterns = rule.when.patterns
        if rule.effect == "refer" and len(patterns) == 1 and patterns[0].is_ is not None:
            assert rule.level is not None
            level = marked.get(patterns[0].is_)
            assert level is not None, f"{rule.id}: {patterns[0].is_!r} is not marked as a red flag"
            assert TRIAGE_ORDER.index(level) <= TRIAGE_ORDER.index(rule.level), rule.id


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_recommend_on_a_red_flag_alone_triages_at_least_at_its_level(data: st.DataObject) -> None:
    name, ident, level = data.draw(st.sampled_from(_marked()), label="red flag")
    plan = footmap.recommend(_profile(name, ident))
    assert TRIAGE_ORDER.index(plan.triage) >= TRIAGE_ORDER.index(level), (ident, plan.triage)


@pytest.mark.parametrize(("name", "ident", "level"), _marked(), ids=lambda value: str(value))
def test_every_red_flag_alone_triages_at_least_at_its_level(name: str, ident: str, level: str) -> None:
    plan = footmap.recommend(_profile(name, ident))
    assert TRIAGE_ORDER.index(plan.triage) >= TRIAGE_ORDER.index(level)


def _copy(tmp_path: Path) -> Path:
    directory = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_dir(), directory)
    return directory


def _unguarded(findings: list[footmap.Finding]) -> list[str]:
    return [f.entry for f in findings if f.code is FindingCode.UNGUARDED_RED_FLAG]


def test_an_empty_triage_file_fails_the_check_and_recommend_would_have_said_self_care(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "rules" / "triage.yaml").write_text("", encoding="utf-8")
    findings = KnowledgeBase.check(directory)
    assert _unguarded(findings) == sorted(ident for _, ident, _ in _marked())
    assert {(f.file, f.field) for f in findings} == {("vocabulary.yaml", "red_flag")}
    with pytest.raises(footmap.KnowledgeError):
        KnowledgeBase.load(directory)


def test_no_rules_directory_fails_the_check(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    shutil.rmtree(directory / "rules")
    assert len(_unguarded(KnowledgeBase.check(directory))) == len(_marked())


def test_deleting_one_red_flag_rule_fails_the_check_on_that_term_alone(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "rules" / "triage.yaml"
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = [rule for rule in rules if rule["id"] != "triage.ischaemia.cold_pale_foot"]
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    assert _unguarded(KnowledgeBase.check(directory)) == ["cold_pale_foot"]


def test_a_rule_that_needs_an_age_or_an_item_does_not_guard_a_red_flag(tmp_path: Path) -> None:
    # "Alone" is the term's fact and a person who answered nothing else: no age, no items.
    rules = [
        {
            "id": "triage.cauda_equina.saddle_numbness",
            "effect": "refer",
            "level": "urgent",
            "message": "Needs an age.",
            "source": "nice_cks_back_pain",
            "when": {
                "all": [
                    {"fact": "symptom", "is": "saddle_numbness"},
                    {"fact": "person", "where": {"age": {"gt": 0}}},
                ]
            },
        },
        {
            "id": "triage.cauda_equina.saddle_numbness_with_item",
            "effect": "refer",
            "level": "urgent",
            "message": "Needs an item.",
            "source": "nice_cks_back_pain",
            "when": {"all": [{"fact": "symptom", "is": "saddle_numbness"}, {"fact": "item", "as": "item"}]},
        },
    ]
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "triage.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    assert _unguarded(KnowledgeBase.check(tmp_path, overlay=True)) == ["saddle_numbness"]


def test_a_rule_with_an_absent_pattern_still_guards_a_red_flag_alone(tmp_path: Path) -> None:
    rule = {
        "id": "triage.cauda_equina.saddle_numbness",
        "effect": "refer",
        "level": "urgent",
        "message": "Unless pregnant.",
        "source": "nice_cks_back_pain",
        "when": {
            "all": [
                {"fact": "symptom", "is": "saddle_numbness"},
                {"fact": "condition", "is": "pregnancy", "absent": True},
            ]
        },
    }
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "triage.yaml").write_text(yaml.safe_dump([rule]), encoding="utf-8")
    assert _unguarded(KnowledgeBase.check(tmp_path, overlay=True)) == []


def test_a_new_red_flag_in_an_overlay_needs_its_own_rule(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.yaml").write_text(
        "conditions:\n  - {id: sepsis, name: Sepsis, red_flag: urgent}\n", encoding="utf-8"
    )
    findings = KnowledgeBase.check(tmp_path, overlay=True)
    assert [(f.entry, f.code) for f in findings] == [("sepsis", FindingCode.UNGUARDED_RED_FLAG)]
    assert "fact: condition, is: sepsis" in findings[0].message


def test_only_reported_terms_can_be_red_flags(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.yaml").write_text(
        "equipment:\n  - {id: towel, name: Towel, red_flag: urgent}\n", encoding="utf-8"
    )
    findings = KnowledgeBase.check(tmp_path, overlay=True)
    assert [(f.entry, f.field, f.code) for f in findings] == [
        ("towel", "red_flag", FindingCode.INVALID_FIELD)
    ]


def test_an_overlay_that_drops_a_red_flag_mark_fails_while_the_rule_still_refers(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.yaml").write_text(
        "symptoms:\n  - {id: saddle_numbness, name: Numbness around the bottom}\n", encoding="utf-8"
    )
    findings = KnowledgeBase.check(tmp_path, overlay=True)
    assert [(f.entry, f.field, f.code) for f in findings] == [
        ("saddle_numbness", "red_flag", FindingCode.UNMARKED_RED_FLAG)
    ]
    assert "'urgent' (by triage.cauda_equina.saddle_numbness)" in findings[0].message


def test_a_mark_above_what_the_rules_give_is_unguarded_and_below_is_unmarked(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.yaml").write_text(
        "symptoms:\n"
        "  - {id: fever, name: Fever, red_flag: urgent}\n"
        "  - {id: cold_pale_foot, name: Cold pale foot, red_flag: see_clinician}\n",
        encoding="utf-8",
    )
    findings = KnowledgeBase.check(tmp_path, overlay=True)
    assert [(f.entry, f.code) for f in findings] == [
        ("cold_pale_foot", FindingCode.UNMARKED_RED_FLAG),
        ("fever", FindingCode.UNGUARDED_RED_FLAG),
    ]


# --- the check runs only the rules a term can fire (linear in the knowledge, not quadratic) ------


def _referring(rule: dict[str, Any], number: int) -> schema.Rule:
    level = "urgent" if number % 2 else "see_clinician"
    return schema.Rule.model_validate({**rule, "effect": "refer", "level": level})


@settings(max_examples=200, deadline=None)
@given(rule_sets_with_facts(max_rules=8, max_facts=4))
def test_the_filed_referrals_give_what_every_rule_gives_on_generated_rules(
    inputs: tuple[list[dict[str, Any]], list[list[dict[str, Any]]]],
) -> None:
    # Filing the rules by the facts they need must never leave out a rule that would fire.
    rule_data, fact_lists = inputs
    referrals = Referrals([_referring(rule, number) for number, rule in enumerate(rule_data)])
    for data in fact_lists:
        facts = [Fact(**fact) for fact in data]  # type: ignore[typeddict-item]
        assert referrals.level(facts) == referral(referrals.every, facts), (rule_data, facts)


def test_the_filed_referrals_give_what_every_rule_gives_on_each_shipped_term_alone() -> None:
    kb = shipped_knowledge()
    referrals = Referrals(kb.knowledge.rules)
    assert len(referrals.every) == sum(rule.effect == "refer" for rule in kb.knowledge.rules)
    person = Fact(t="person")  # type: ignore[typeddict-item]
    levels = set()
    for kind in REPORTED_KINDS:
        for ident in kb.vocabulary[kind.vocabulary]:
            facts = [Fact(t=kind.name, key=ident), person]  # type: ignore[typeddict-item]
            level = referrals.level(facts)
            assert level == referral(referrals.every, facts), ident
            levels.add(level[0])
    assert levels == {"self_care", "see_clinician", "urgent"}
