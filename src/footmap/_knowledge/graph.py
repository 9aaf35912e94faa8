"""The knowledge graph: complaints → factors → remedies, every edge a sourced, graded claim."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import networkx as nx

from footmap._kinds import EVERYONE, FACTOR, ITEM_KINDS, REPORTED_KINDS, node_id
from footmap._knowledge import schema

#: The node kinds of items (a path ends at one).
ITEM_NODE_KINDS = frozenset(kind.name for kind in ITEM_KINDS)
#: How many factors a path may pass through between a fact and an item.
MAX_FACTORS = 2


@dataclass(frozen=True)
class Step:
    """One edge of a path, with the claim it makes."""

    link: str
    source: str
    target: str
    relation: str
    reason: str
    evidence: schema.Evidence | None
    """``None`` for a ``reported_as`` step: relevance, not a graded claim."""
    cited: str


@dataclass(frozen=True)
class Path:
    """A path from a profile fact to an item: the raw material of an explanation."""

    steps: tuple[Step, ...]

    @property
    def fact(self) -> str:
        return self.steps[0].source

    @property
    def item(self) -> str:
        return self.steps[-1].target

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.fact, *(step.target for step in self.steps))

    @property
    def evidence(self) -> schema.Evidence:
        """The weakest grade of the claims along the path: a chain of claims is as strong as its
        weakest. A person's own report (``reported_as``) is not a claim and takes no part."""
        grades = [step.evidence for step in self.steps if step.evidence is not None]
        return min(grades, key=schema.EVIDENCE_ORDER.index, default=schema.EVIDENCE_ORDER[0])


def build_graph(knowledge: schema.Knowledge) -> nx.MultiDiGraph:
    """A typed ``MultiDiGraph`` of the knowledge: nodes carry ``kind`` and ``name``."""
    graph = nx.MultiDiGraph()
    graph.add_node(EVERYONE, kind=EVERYONE, name="everyone")
    vocabulary = knowledge.vocabulary
    for reported in REPORTED_KINDS:
        for term in getattr(vocabulary, reported.vocabulary):
            graph.add_node(node_id(reported.name, term.id), kind=reported.name, name=term.name)
    for factor in knowledge.factors:
        graph.add_node(node_id(FACTOR, factor.id), kind=FACTOR, name=factor.name)
    for kind, item in knowledge.items_by_kind():
        graph.add_node(node_id(kind, item.id), kind=kind, name=item.name)
        for claim in item.works_on:
            _add_edge(
                graph,
                f"{item.id}.works_on.{claim.factor}",
                node_id(FACTOR, claim.factor),
                node_id(kind, item.id),
                "targets",
                claim,
            )
    for link in knowledge.links:
        _add_edge(graph, link.id, link.source_node, link.target, link.relation, link)
    return graph


def _add_edge(
    graph: nx.MultiDiGraph,
    key: str,
    source: str,
    target: str,
    relation: str,
    claim: schema.Claim | schema.Link,
) -> None:
    graph.add_edge(
        source,
        target,
        key=key,
        relation=relation,
        reason=claim.reason,
        evidence=claim.evidence,
        source=claim.source,
    )


def find_paths(graph: nx.MultiDiGraph, facts: Iterable[str]) -> list[Path]:
    """Every path from the given fact nodes to an item, through at most ``MAX_FACTORS`` factors.

    Paths come out sorted, so the same facts always give the same list.
    """
    paths: list[Path] = []
    for fact in sorted(set(facts)):
        if fact in graph:
            paths.extend(_walk(graph, fact, ()))
    return sorted(paths, key=path_key)


#: How paths sort: by item, then fact, then the links taken (no two paths share a key).
PathKey = tuple[str, str, tuple[str, ...]]


def path_key(path: Path) -> PathKey:
    """The sort key of a path: its item, its fact, then its links."""
    return (path.item, path.fact, tuple(step.link for step in path.steps))


def _walk(graph: nx.MultiDiGraph, node: str, taken: tuple[Step, ...]) -> Iterator[Path]:
    for _, target, key, data in sorted(
        graph.out_edges(node, keys=True, data=True), key=lambda edge: (edge[1], edge[2])
    ):
        if any(step.source == target for step in taken):
            continue
        step = Step(key, node, target, data["relation"], data["reason"], data["evidence"], data["source"])
        kind = graph.nodes[target]["kind"]
        if kind in ITEM_NODE_KINDS:
            yield Path((*taken, step))
        elif kind == FACTOR and len(taken) < MAX_FACTORS:
            yield from _walk(graph, target, (*taken, step))
