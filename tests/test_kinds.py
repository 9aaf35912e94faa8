"""The kinds table is the one list of kinds, and every reader agrees with it."""

from __future__ import annotations

import typing

import footmap
from footmap import _kinds
from footmap._facts import gather, item_facts
from footmap._knowledge import schema
from footmap._knowledge.loader import LIST_FILES
from footmap._plan import PlanItem
from tests.strategies import SAMPLE_PROFILES


def test_every_item_kind_has_its_model_file_and_section(kb: footmap.KnowledgeBase) -> None:
    for kind in _kinds.ITEM_KINDS:
        model = schema.ITEM_MODELS[kind.name]
        assert issubclass(model, schema.ItemBase) and model.__name__ == kind.model
        assert model in typing.get_args(schema.Item), f"{kind.model} is not in the Item union"
        assert LIST_FILES[kind.file] is model
        assert footmap.KnowledgeBase.load().origin + f"/{kind.file}.yaml"
        assert kind.section in _kinds.SECTIONS
    assert {kb.item_kinds[ident] for ident in kb.items} == {kind.name for kind in _kinds.ITEM_KINDS}


def test_the_plan_sections_are_the_plan_fields_that_hold_items() -> None:
    holding = [
        name
        for name, field in footmap.Plan.model_fields.items()
        if typing.get_args(field.annotation) == (PlanItem,)
    ]
    assert tuple(holding) == _kinds.SECTIONS


def test_reported_kinds_and_profile_vocabularies_name_real_fields() -> None:
    vocabularies = set(schema.Vocabulary.model_fields)
    profile_fields = set(footmap.Profile.model_fields)
    for kind in _kinds.REPORTED_KINDS:
        assert kind.vocabulary in vocabularies and kind.profile_field in profile_fields
        assert kind.name in _kinds.FACT_TYPES and kind.name in _kinds.NODE_KINDS
    for field in _kinds.PROFILE_VOCABULARIES:
        assert field.vocabulary in vocabularies and field.field in profile_fields


def test_the_graph_has_exactly_the_node_kinds_of_the_table(kb: footmap.KnowledgeBase) -> None:
    kinds = {data["kind"] for _, data in kb.graph.nodes(data=True)}
    assert kinds == {*_kinds.NODE_KINDS, _kinds.EVERYONE}


def test_every_fact_the_facts_stage_makes_has_only_fields_of_its_type(kb: footmap.KnowledgeBase) -> None:
    everything = {"symptoms": ["stiffness"], "observations": ["dry_skin"], "exclude": ["reflexology"]}
    profiles = [*SAMPLE_PROFILES, everything]
    facts = [fact for data in profiles for fact in gather(footmap.Profile(**data), kb).facts]
    log = footmap.SessionLog.model_validate(
        {
            "date": "2027-01-05",
            "items": [{"id": "toe_press"}],
            "pain": [{"area": "back", "before": 2, "after": 3}],
        }
    )
    facts += gather(footmap.Profile(), kb, [log]).facts
    facts += item_facts(kb.items, kb)
    for fact in facts:
        fields = _kinds.FACT_TYPES[fact["t"]]
        assert set(fact) - {"t"} <= set(fields), fact
    assert {fact["t"] for fact in facts} == set(_kinds.FACT_TYPES)


def test_effect_kinds_are_the_rule_effects() -> None:
    assert typing.get_args(_kinds.EffectKind) == _kinds.EFFECT_KINDS
    assert typing.get_args(schema.Rule.model_fields["effect"].annotation) == _kinds.EFFECT_KINDS


def test_node_ids_are_made_and_split_in_one_place() -> None:
    assert _kinds.split_node(_kinds.node_id("exercise", "toe_press")) == ("exercise", "toe_press")
    assert _kinds.split_node(_kinds.EVERYONE) == (_kinds.EVERYONE, "")
