"""Fit the timed items into the person's minutes a day, by priority."""

from __future__ import annotations

from collections import defaultdict

from footmap._compose.parts import EVIDENCE_RANK, ExcludedData, ItemData
from footmap._kinds import SECTIONS, item_kind
from footmap._knowledge.schema import ComposeWording

#: The section of the everyday routine: its items never wait for a turn.
ROUTINE = SECTIONS[0]


def fit_budget(items: list[ItemData], budget: int) -> tuple[list[ItemData], list[ItemData]]:
    """The items that fit in ``budget`` minutes, taken by priority, and those left out.

    The optional kinds (those outside the routine's section: reflexology zones, acupressure points)
    take turns: the best of each comes before the second of any, so that one kind with better
    grades never crowds another out of the plan.
    """
    kept: list[ItemData] = []
    left_out: list[ItemData] = []
    used = 0.0
    for item in _in_turns(items):
        if used + item["minutes"] <= budget:
            kept.append(item)
            used += item["minutes"]
        else:
            left_out.append(item)
    return kept, left_out


def over_budget(item: ItemData, budget: int, wording: ComposeWording) -> ExcludedData:
    """Why an item that did not fit is left out."""
    return {
        "id": item["id"],
        "name": item["name"],
        "rule": None,
        "source": None,
        "reason": wording.over_budget.format(budget=budget, minutes=f"{item['minutes']:g}"),
        "replaced_by": None,
    }


def _in_turns(items: list[ItemData]) -> list[ItemData]:
    """The items by priority, each optional kind's n-th item in the n-th turn."""
    by_priority = sorted(items, key=_priority)
    seen: dict[str, int] = defaultdict(int)
    turns: dict[str, int] = {}
    for item in by_priority:
        if item_kind(item["kind"]).section != ROUTINE:
            turns[item["id"]] = seen[item["kind"]]
            seen[item["kind"]] += 1
    return sorted(by_priority, key=lambda item: (_is_warm_up(item), turns.get(item["id"], 0)))


def _is_warm_up(item: ItemData) -> int:
    return 0 if item["phase"] == "warm_up" else 1


def _priority(item: ItemData) -> tuple[int, int, int, int, str]:
    """Warm-ups first (the seed asks for them), then the best evidence, then the most reasons, then
    the most direct link to a complaint (fewest steps of its shortest path)."""
    facts = {reason["fact"] for reason in item["why"]}
    shortest = min((len(reason["path"]) for reason in item["why"] if reason["path"]), default=0)
    return (_is_warm_up(item), -EVIDENCE_RANK[item["evidence"]], -len(facts), shortest, item["id"])
