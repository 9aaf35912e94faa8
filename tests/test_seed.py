"""Walk the seed article's list: every exercise, dosage, therapy and symptom is in the knowledge
and reaches some plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import footmap
from footmap._knowledge import schema
from footmap._knowledge.base import shipped_knowledge

INVENTORY: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "data" / "seed_inventory.yaml").read_text(encoding="utf-8")
)
KB = shipped_knowledge()
ALL_EQUIPMENT = list(KB.vocabulary["equipment"])


def _profile_reaching(item_id: str) -> dict[str, Any]:
    """A profile whose complaints have a graph path to the item, with everything at hand."""
    path = next(p for p in KB.candidates(_all_complaints()) if p.item.endswith(f":{item_id}"))
    kind, _, ident = path.fact.partition(":")
    profile: dict[str, Any] = {"equipment": ALL_EQUIPMENT, "minutes_per_day": 120}
    if kind == "pain":
        profile["pains"] = [{"area": ident, "severity": 3}]
    elif kind in ("symptom", "observation", "condition"):
        profile[f"{kind}s"] = [ident]
    return profile


def _all_complaints() -> list[str]:
    return sorted(
        n for n, d in KB.graph.nodes(data=True) if d["kind"] in ("pain", "symptom", "observation", "everyone")
    )


@pytest.mark.parametrize("entry", INVENTORY["exercises"], ids=lambda e: e["id"])
def test_every_seed_exercise_with_its_dosage(entry: dict[str, Any]) -> None:
    exercise = KB.items[entry["id"]]
    assert isinstance(exercise, schema.Exercise)
    assert exercise.seed is not None and entry["seed"].lower() in exercise.seed.lower()
    for field, value in entry.items():
        if field not in ("id", "seed"):
            assert getattr(exercise.dosage, field) == value, field
    plan = footmap.recommend(_profile_reaching(entry["id"]))
    assert entry["id"] in {item.id for item in plan.routine}, plan.explain()


@pytest.mark.parametrize("modality", INVENTORY["modalities"])
def test_every_seed_therapy_reaches_a_plan(modality: str) -> None:
    items = sorted(
        i.id for i in KB.items.values() if i.modality == modality and getattr(i, "variant_of", None) is None
    )
    assert items, modality
    plan = footmap.recommend(_profile_reaching(items[0]))
    assert modality in {item.modality for item in plan.items}, plan.explain()


@pytest.mark.parametrize(
    ("field", "ident"),
    [("pain_areas", a) for a in INVENTORY["pain_areas"]]
    + [("symptoms", s) for s in INVENTORY["symptoms"]]
    + [("observations", o) for o in INVENTORY["observations"]],
)
def test_every_seed_complaint_gets_a_plan_with_items(field: str, ident: str) -> None:
    assert ident in KB.vocabulary[field]
    profile: dict[str, Any] = {"equipment": ALL_EQUIPMENT, "minutes_per_day": 60}
    if field == "pain_areas":
        profile["pains"] = [{"area": ident, "severity": 4}]
    else:
        profile[field] = [ident]
    plan = footmap.recommend(profile)
    node = f"pain:{ident}" if field == "pain_areas" else f"{field[:-1]}:{ident}"
    answering = [item for item in plan.items if any(r.fact == node for r in item.why)]
    assert answering, plan.explain()
