"""The plan's tables: what its parts say once for the whole plan.

Every ``source`` field of a plan holds a source id, and the plan cites each source once, in full,
in ``sources``; the facts and graph nodes of its reasons are named once in ``names``; each
evidence grade of its items is worded once in ``evidence_labels``. A table holds exactly what the
plan uses, so that two plans with the same parts have the same tables, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from footmap._compose.parts import ItemData, KnowledgeParts, ReasonData
from footmap._knowledge import schema
from footmap._plan import CitedSource

#: The fact of a rule's reason that matched no reported fact: it has no name.
NO_FACT = "knowledge"


class TablesData(TypedDict):
    """The tables of a ``Plan``."""

    sources: dict[str, CitedSource]
    names: dict[str, str]
    evidence_labels: dict[schema.Evidence, str]


def plan_tables(parts: KnowledgeParts, items: Iterable[ItemData], cited: Iterable[str | None]) -> TablesData:
    """The tables of a plan made of ``items`` whose other parts cite the source ids ``cited``."""
    items = list(items)
    sources = {source for source in cited if source is not None}
    names: set[tuple[str, str]] = set()
    for item in items:
        item_sources, item_names = _item_tables(parts, item)
        sources |= item_sources
        names |= item_names
    return {
        "sources": {ident: parts.cited_sources[ident] for ident in sorted(sources)},
        "names": dict(sorted(names)),
        "evidence_labels": {
            grade: parts.evidence_labels[grade]
            for grade in sorted({item["evidence"] for item in items}, key=schema.EVIDENCE_ORDER.index)
        },
    }


def _item_tables(parts: KnowledgeParts, item: ItemData) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """What one item puts in the tables: the sources it cites, and the names of its reasons'
    nodes and facts. Worked out once for a kept item (the same dict from plan to plan)."""
    known = parts.item_tables.get(id(item))
    if known is not None and known[0] is item:
        return known[1], known[2]
    sources = frozenset(
        [*(reason["source"] for reason in item["why"]), *(caution["source"] for caution in item["cautions"])]
    )
    names = frozenset(_names(parts, item["why"]))
    if len(parts.item_tables) >= parts.ITEM_LIMIT:
        parts.item_tables.clear()
    parts.item_tables[id(item)] = (item, sources, names)
    return sources, names


def _names(parts: KnowledgeParts, reasons: Iterable[ReasonData]) -> set[tuple[str, str]]:
    """Each node of each reason's path, and each reported fact of a rule's reason, with its name."""
    nodes: set[str] = set()
    facts: set[str] = set()
    for reason in reasons:
        if reason["path"]:
            nodes.update(reason["path"])
        elif reason["fact"] != NO_FACT:
            facts.update(reason["fact"].split(", "))
    return {(node, parts.name(node)) for node in nodes} | {(fact, parts.fact_name(fact)) for fact in facts}
