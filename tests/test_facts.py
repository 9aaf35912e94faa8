"""The facts-and-candidates stage: one place for start nodes, paths, alternatives and facts."""

from __future__ import annotations

from hypothesis import given

import footmap
from footmap._facts import candidate_ids, fact_nodes, gather
from footmap._kinds import split_node
from footmap._knowledge import schema
from footmap._knowledge.base import shipped_knowledge
from footmap._knowledge.graph import find_paths
from tests.strategies import profile_dicts

KB = shipped_knowledge()


@given(profile_dicts())
def test_candidates_are_the_graph_paths_and_their_alternatives(data: dict[str, object]) -> None:
    profile = footmap.Profile.model_validate(data)
    candidates = gather(profile, KB)
    assert list(candidates.paths) == find_paths(KB.graph, fact_nodes(profile))  # the cache changes nothing
    reached = {split_node(path.item)[1] for path in candidates.paths}
    assert reached <= set(candidates.items) == set(candidate_ids(candidates.paths, KB))
    for ident in set(candidates.items) - reached:
        item = KB.items[ident]
        assert any(ident in getattr(KB.items[other], "alternatives", ()) for other in reached), (
            f"{ident} is neither reached nor an alternative ({type(item).__name__})"
        )
    item_facts = {fact["key"] for fact in candidates.facts if fact["t"] == "item"}
    assert item_facts == set(candidates.items)


def test_every_profile_starts_from_everyone_and_its_own_reports() -> None:
    profile = footmap.Profile(pains=[{"area": "back", "severity": 3}], symptoms=["stiffness"])  # type: ignore[list-item]
    assert fact_nodes(profile) == ["everyone", "pain:back", "symptom:stiffness"]


def test_an_item_fact_carries_what_rules_test() -> None:
    profile = footmap.Profile()
    facts = gather(profile, KB).facts
    exercise = next(
        item for item in KB.items.values() if isinstance(item, schema.Exercise) and item.equipment
    )
    from footmap._facts import item_facts

    (*needs, fact) = item_facts([exercise.id], KB)
    assert fact["kind"] == "exercise" and fact["position"] == exercise.position
    assert [need["equipment"] for need in needs] == list(exercise.equipment)
    assert any(f["t"] == "person" for f in facts)


@given(profile_dicts())
def test_the_candidates_worked_out_per_node_are_those_of_the_paths(data: dict[str, object]) -> None:
    knowledge = shipped_knowledge()
    profile = footmap.Profile.model_validate(data, context={"knowledge": knowledge})
    candidates = gather(profile, knowledge)
    assert list(candidates.items) == candidate_ids(candidates.paths, knowledge)
