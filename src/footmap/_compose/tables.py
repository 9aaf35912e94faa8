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
    reasons = [reason for item in items for reason in item["why"]]
    sources = {
        *(reason["source"] for reason in reasons),
        *(caution["source"] for item in items for caution in item["cautions"]),
        *(source for source in cited if source is not None),
    }
    return {
        "sources": {ident: parts.cited_sources[ident] for ident in sorted(sources)},
        "names": dict(sorted(_names(parts, reasons))),
        "evidence_labels": {
            grade: parts.evidence_labels[grade]
            for grade in sorted({item["evidence"] for item in items}, key=schema.EVIDENCE_ORDER.index)
        },
    }


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
