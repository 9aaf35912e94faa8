"""Turn a profile and candidate items into the facts the rules match."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from footmap._input.profile import Profile
from footmap._kinds import EVERYONE, node_id
from footmap._knowledge.base import KnowledgeBase
from footmap._knowledge.schema import Exercise

Fact = dict[str, Any]


def fact_nodes(profile: Profile) -> list[str]:
    """The graph nodes a profile starts from: its pains, symptoms, observations and conditions."""
    nodes = [EVERYONE]
    nodes += [node_id("pain", pain.area) for pain in profile.pains]
    nodes += [node_id("symptom", ident) for ident in profile.symptoms]
    nodes += [node_id("observation", ident) for ident in profile.observations]
    nodes += [node_id("condition", ident) for ident in profile.conditions]
    return sorted(set(nodes))


def missing_equipment(profile: Profile, knowledge: KnowledgeBase) -> list[str]:
    """Equipment the person has neither of, nor a substitute for."""
    held = set(profile.equipment)
    return [
        term.id
        for term in knowledge.knowledge.vocabulary.equipment
        if term.id not in held and not held.intersection(term.substitutes)
    ]


def profile_facts(profile: Profile, knowledge: KnowledgeBase) -> list[Fact]:
    """One fact per thing the person reported, plus one ``person`` fact."""
    facts: list[Fact] = []
    for pain in profile.pains:
        pain_fact: Fact = {"t": "pain", "key": pain.area, "severity": pain.severity}
        if pain.side is not None:
            pain_fact["side"] = pain.side
        if pain.weeks is not None:
            pain_fact["weeks"] = pain.weeks
        facts.append(pain_fact)
    for fact_type, values in (
        ("symptom", profile.symptoms),
        ("observation", profile.observations),
        ("condition", profile.conditions),
        ("excluded_modality", profile.exclude),
        ("missing_equipment", missing_equipment(profile, knowledge)),
    ):
        facts += [{"t": fact_type, "key": value} for value in values]
    person: Fact = {
        "t": "person",
        "can_get_on_floor": profile.can_get_on_floor,
        "can_stand_unaided": profile.can_stand_unaided,
        "minutes_per_day": profile.minutes_per_day,
    }
    if profile.age is not None:
        person["age"] = profile.age
    facts.append(person)
    return facts


_item_facts: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, tuple[Fact, ...]]] = (
    weakref.WeakKeyDictionary()
)


def item_facts(item_ids: Iterable[str], knowledge: KnowledgeBase) -> list[Fact]:
    """One ``item`` fact per candidate, and one ``need`` fact per piece of equipment it needs.

    An item's facts depend on the knowledge alone: they are built once per knowledge base, and
    each call returns fresh copies.
    """
    cache = _item_facts.get(knowledge)
    if cache is None:
        cache = _item_facts.setdefault(knowledge, {})
    facts: list[Fact] = []
    for ident in sorted(set(item_ids)):
        built = cache.get(ident)
        if built is None:
            built = cache[ident] = tuple(_facts_of_item(ident, knowledge))
        facts += [dict(fact) for fact in built]
    return facts


def _facts_of_item(ident: str, knowledge: KnowledgeBase) -> list[Fact]:
    item = knowledge.items[ident]
    facts: list[Fact] = []
    fact: Fact = {
        "t": "item",
        "key": ident,
        "kind": knowledge.item_kinds[ident],
        "modality": item.modality,
    }
    if isinstance(item, Exercise):
        fact |= {"position": item.position, "phase": item.phase, "weight_bearing": item.weight_bearing}
        facts += [{"t": "need", "item": ident, "equipment": name} for name in item.equipment]
    facts.append(fact)
    return facts
