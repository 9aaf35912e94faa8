"""The knowledge graph: complaints → factors → remedies, every edge a sourced, graded claim.

The graph is one list of nodes and one of edges (:func:`graph_nodes`, :func:`graph_edges`), read
two ways: :func:`build_graph` makes the ``networkx.MultiDiGraph`` that ``KnowledgeBase.graph``
shows, :func:`adjacency` the plain dictionaries a plan walks (:func:`find_paths` takes either),
so a plan never needs networkx, nor the time it takes to import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from footmap._kinds import EVERYONE, FACTOR, ITEM_KINDS, REPORTED_KINDS, node_id
from footmap._knowledge import schema

if TYPE_CHECKING:
    import networkx as nx

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


#: A node's attributes: its ``kind`` and its ``name``.
NodeData = Mapping[str, str]
#: An edge: its source and target nodes, its key (the link's id) and its claim's attributes.
Edge = tuple[str, str, str, dict[str, Any]]


class Adjacency(NamedTuple):
    """The graph as plain dictionaries: each node's attributes, and the edges out of each node
    sorted by target then key (the order :func:`find_paths` walks them in)."""

    nodes: Mapping[str, NodeData]
    out: Mapping[str, tuple[Edge, ...]]


def graph_nodes(knowledge: schema.Knowledge) -> Iterator[tuple[str, dict[str, str]]]:
    """Every node of the knowledge's graph and its attributes (``kind``, ``name``)."""
    yield EVERYONE, {"kind": EVERYONE, "name": "everyone"}
    vocabulary = knowledge.vocabulary
    for reported in REPORTED_KINDS:
        for term in getattr(vocabulary, reported.vocabulary):
            yield node_id(reported.name, term.id), {"kind": reported.name, "name": term.name}
    for factor in knowledge.factors:
        yield node_id(FACTOR, factor.id), {"kind": FACTOR, "name": factor.name}
    for kind, item in knowledge.items_by_kind():
        yield node_id(kind, item.id), {"kind": kind, "name": item.name}


def graph_edges(knowledge: schema.Knowledge) -> Iterator[Edge]:
    """Every edge of the knowledge's graph: each item's ``works_on`` claims, then the links."""
    for kind, item in knowledge.items_by_kind():
        for claim in item.works_on:
            key = f"{item.id}.works_on.{claim.factor}"
            yield node_id(FACTOR, claim.factor), node_id(kind, item.id), key, _claim(claim, "targets")
    for link in knowledge.links:
        yield link.source_node, link.target, link.id, _claim(link, link.relation)


def _claim(claim: schema.Claim | schema.Link, relation: str) -> dict[str, Any]:
    return {"relation": relation, "reason": claim.reason, "evidence": claim.evidence, "source": claim.source}


def build_graph(knowledge: schema.Knowledge) -> nx.MultiDiGraph:
    """A typed ``MultiDiGraph`` of the knowledge: nodes carry ``kind`` and ``name``."""
    import networkx as nx  # only the graph's own readers need it: a plan walks ``adjacency``

    graph = nx.MultiDiGraph()
    graph.add_nodes_from(graph_nodes(knowledge))
    for source, target, key, data in graph_edges(knowledge):
        graph.add_edge(source, target, key=key, **data)
    return graph


def adjacency(knowledge: schema.Knowledge) -> Adjacency:
    """The knowledge's graph as an :class:`Adjacency`: the same nodes and edges as
    :func:`build_graph` (an edge given twice keeps its last claim, as ``add_edge`` does)."""
    return _adjacency(dict(graph_nodes(knowledge)), graph_edges(knowledge))


def _adjacency(nodes: dict[str, dict[str, Any]], edges: Iterable[Edge]) -> Adjacency:
    by_key: dict[tuple[str, str, str], Edge] = {}
    for edge in edges:
        nodes.setdefault(edge[0], {})
        nodes.setdefault(edge[1], {})
        by_key[edge[:3]] = edge
    out: dict[str, list[Edge]] = {}
    for edge in by_key.values():
        out.setdefault(edge[0], []).append(edge)
    return Adjacency(
        nodes, {node: tuple(sorted(edges, key=lambda edge: edge[1:3])) for node, edges in out.items()}
    )


def find_paths(graph: nx.MultiDiGraph | Adjacency, facts: Iterable[str]) -> list[Path]:
    """Every path from the given fact nodes to an item, through at most ``MAX_FACTORS`` factors.

    Paths come out sorted, so the same facts always give the same list. ``graph`` is the
    knowledge's ``MultiDiGraph`` or its :func:`adjacency`.
    """
    walked = (
        graph
        if isinstance(graph, Adjacency)
        else _adjacency(dict(graph.nodes(data=True)), graph.edges(keys=True, data=True))
    )
    paths: list[Path] = []
    for fact in sorted(set(facts)):
        if fact in walked.nodes:
            paths.extend(_walk(walked, fact, ()))
    return sorted(paths, key=path_key)


#: How paths sort: by item, then fact, then the links taken (no two paths share a key).
PathKey = tuple[str, str, tuple[str, ...]]


def path_key(path: Path) -> PathKey:
    """The sort key of a path: its item, its fact, then its links."""
    return (path.item, path.fact, tuple(step.link for step in path.steps))


def _walk(graph: Adjacency, node: str, taken: tuple[Step, ...]) -> Iterator[Path]:
    for _, target, key, data in graph.out.get(node, ()):
        if any(step.source == target for step in taken):
            continue
        step = Step(key, node, target, data["relation"], data["reason"], data["evidence"], data["source"])
        kind = graph.nodes[target]["kind"]
        if kind in ITEM_NODE_KINDS:
            yield Path((*taken, step))
        elif kind == FACTOR and len(taken) < MAX_FACTORS:
            yield from _walk(graph, target, (*taken, step))
