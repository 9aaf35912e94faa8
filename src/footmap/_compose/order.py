"""The order of each plan section: the routine warm-up first, then by position; the rest by id or
evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from footmap._compose.parts import EVIDENCE_RANK, ExcludedData, ItemData, LeftOutData
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


def grouped_left_out(entries: Iterable[ExcludedData]) -> list[LeftOutData]:
    """What was left out, one group per reason, rule and source (the reason said once), in the
    order of their first item (by item, then reason: ``Excluded.order``)."""
    groups: dict[tuple[str, str | None, str | None], LeftOutData] = {}
    for entry in sorted(entries, key=_excluded_order):
        key = (entry["reason"], entry["rule"], entry["source"])
        group = groups.setdefault(key, {"reason": key[0], "rule": key[1], "source": key[2], "items": []})
        group["items"].append({"id": entry["id"], "name": entry["name"], "replaced_by": entry["replaced_by"]})
    return list(groups.values())


def _excluded_order(entry: ExcludedData) -> tuple[str, str, str, str, str]:
    return (
        entry["id"],
        entry["reason"],
        entry["rule"] or "",
        entry["source"] or "",
        entry["replaced_by"] or "",
    )
