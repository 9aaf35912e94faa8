"""The order of each plan section: the routine warm-up first, then by position; the rest by id or
evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from footmap._compose.parts import EVIDENCE_RANK, ExcludedData, ItemData
from footmap._kinds import Section
from footmap._knowledge import schema

_PHASES: tuple[schema.Phase, ...] = ("warm_up", "main", "cool_down")
_POSITIONS: tuple[schema.Position, ...] = ("standing", "sitting", "floor", "lying")


def _routine_order(item: ItemData) -> tuple[int, int, str]:
    return (
        _PHASES.index(item["phase"] or "main"),
        _POSITIONS.index(item["position"]) if item["position"] else 0,
        item["id"],
    )


def _by_id(item: ItemData) -> tuple[str]:
    return (item["id"],)


def _best_evidence_first(item: ItemData) -> tuple[int, str]:
    return (-EVIDENCE_RANK[item["evidence"]], item["id"])


_SECTION_ORDER: dict[Section, Callable[[ItemData], tuple[int | str, ...]]] = {
    "routine": _routine_order,
    "reflexology": _by_id,
    "acupressure": _by_id,
    "advice": _best_evidence_first,
}


def ordered(section: Section, items: Iterable[ItemData]) -> list[ItemData]:
    """A section's items in reading order."""
    return sorted(items, key=_SECTION_ORDER[section])


def ordered_excluded(entries: Iterable[ExcludedData]) -> list[ExcludedData]:
    """What was left out, by item then reason."""
    return sorted(entries, key=lambda entry: (entry["id"], entry["reason"]))
