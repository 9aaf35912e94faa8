"""The knowledge graph: typed nodes, claims on every edge, paths from complaints to remedies."""

from __future__ import annotations

import networkx as nx

import footmap
from footmap._knowledge import schema
from footmap._knowledge.graph import ITEM_NODE_KINDS


def test_the_graph_is_a_typed_multidigraph(kb: footmap.KnowledgeBase) -> None:
    graph = kb.graph
    assert isinstance(graph, nx.MultiDiGraph)
    for node, data in graph.nodes(data=True):
        assert data["kind"] and data["name"], node
        assert node == "everyone" or node.startswith(f"{data['kind']}:")


def test_every_edge_is_a_sourced_claim_graded_unless_it_is_a_report(kb: footmap.KnowledgeBase) -> None:
    for source, target, key, data in kb.graph.edges(keys=True, data=True):
        assert data["relation"] in schema.Relation.__args__, key  # type: ignore[attr-defined]
        assert data["reason"].strip(), key
        if data["relation"] == schema.REPORTED_AS:
            assert data["evidence"] is None, key
        else:
            assert data["evidence"] in schema.EVIDENCE_ORDER, key
        assert data["source"] in kb.sources, key
        assert source in kb.graph and target in kb.graph


def test_knee_pain_reaches_ankle_circles_through_ankle_stiffness(kb: footmap.KnowledgeBase) -> None:
    paths = kb.candidates(["pain:knee"])
    nodes = {path.nodes for path in paths}
    assert ("pain:knee", "factor:ankle_stiffness", "exercise:ankle_circles") in nodes


def test_path_evidence_is_the_weakest_link(kb: footmap.KnowledgeBase) -> None:
    for path in kb.candidates(["pain:back", "symptom:poor_balance", "observation:stiff_ankles"]):
        grades = [schema.EVIDENCE_ORDER.index(step.evidence) for step in path.steps if step.evidence]
        assert schema.EVIDENCE_ORDER.index(path.evidence) == min(grades)


def test_candidates_are_sorted_and_repeatable(kb: footmap.KnowledgeBase) -> None:
    facts = ["pain:hip", "pain:back", "symptom:tingling"]
    assert kb.candidates(facts) == kb.candidates(list(reversed(facts)))


def test_every_item_can_be_reached_from_some_complaint(kb: footmap.KnowledgeBase) -> None:
    graph = kb.graph
    starts = [
        n
        for n, d in graph.nodes(data=True)
        if d["kind"] in ("pain", "symptom", "observation", "condition", "everyone")
    ]
    reached = {path.item for path in kb.candidates(starts)}
    variants = {
        f"exercise:{item.id}" for item in kb.knowledge.items["exercise"] if item.variant_of is not None
    }
    items = {n for n, d in graph.nodes(data=True) if d["kind"] in ITEM_NODE_KINDS}
    assert items - variants <= reached, sorted(items - variants - reached)


def test_every_complaint_leads_somewhere(kb: footmap.KnowledgeBase) -> None:
    red_flag_ids = {
        pattern.is_
        for rule in kb.knowledge.rules
        if rule.effect == "refer"
        for pattern in rule.when.patterns
        if pattern.is_ is not None
    }
    for area in kb.vocabulary["pain_areas"]:
        assert kb.candidates([f"pain:{area}"]), area
    for symptom in kb.vocabulary["symptoms"]:
        if symptom not in red_flag_ids:
            assert kb.candidates([f"symptom:{symptom}"]), symptom
    for observation in kb.vocabulary["observations"]:
        assert kb.candidates([f"observation:{observation}"]), observation


def test_no_claim_is_graded_above_none_by_footmap_policy_the_seed_or_tradition() -> None:
    kb = footmap.KnowledgeBase.load()
    ungraded_kinds = {"policy", "seed", "tradition"}
    for _, _, data in kb.graph.edges(data=True):
        if kb.sources[data["source"]].kind in ungraded_kinds:
            assert data["evidence"] in (None, "none"), data


def test_a_reported_fact_is_relevance_and_never_sets_a_paths_grade() -> None:
    kb = footmap.KnowledgeBase.load()
    reported = [
        path for path in kb.candidates(["symptom:poor_balance"]) if path.steps[0].relation == "reported_as"
    ]
    assert reported
    for path in reported:
        assert path.steps[0].evidence is None
        graded = [step.evidence for step in path.steps[1:] if step.evidence is not None]
        assert path.evidence == min(graded, key=schema.EVIDENCE_ORDER.index)
