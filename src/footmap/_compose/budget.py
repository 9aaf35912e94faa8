"""Fit the timed items into the person's minutes a day, by priority."""

from __future__ import annotations

from footmap._compose.parts import EVIDENCE_RANK, ExcludedData, ItemData
from footmap._knowledge.schema import ComposeWording


def fit_budget(items: list[ItemData], budget: int) -> tuple[list[ItemData], list[ItemData]]:
    """The items that fit in ``budget`` minutes, taken by priority, and those left out."""
    kept: list[ItemData] = []
    left_out: list[ItemData] = []
    used = 0.0
    for item in sorted(items, key=_priority):
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


def _priority(item: ItemData) -> tuple[int, int, int, str]:
    """Warm-ups first (the seed asks for them), then the best evidence, then the most reasons."""
    is_warm_up = item["phase"] == "warm_up"
    facts = {reason["fact"] for reason in item["why"]}
    return (0 if is_warm_up else 1, -EVIDENCE_RANK[item["evidence"]], -len(facts), item["id"])
