"""The facts-and-candidates stage: a profile becomes the facts the rules match and the items they
judge.

One stage owns everything between the profile and the rules: the graph nodes a profile starts
from, the graph paths from them to items, the declared alternatives that may stand in for an
item, and the facts (the profile's and each candidate item's). The session logs of the feedback
loop will enter here, as more facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypedDict

from footmap._input.profile import Pain, Profile
from footmap._kinds import (
    EVERYONE,
    EXCLUDED_MODALITY_FACT,
    ITEM_FACT,
    MISSING_EQUIPMENT_FACT,
    NEED_FACT,
    PAIN_FACT,
    PERSON_FACT,
    REPORTED_KINDS,
    node_id,
    split_node,
)
from footmap._knowledge import schema
from footmap._knowledge.base import KnowledgeBase, PerKnowledge
from footmap._knowledge.graph import Path


class Fact(TypedDict, total=False):
    """One fact the rules match: ``t`` is its type (``_kinds.FACT_TYPES``), the rest its fields."""

    t: str
    key: str
    severity: int
    side: str
    weeks: float
    assessed: bool
    trend: str
    age: int
    can_get_on_floor: bool
    can_stand_unaided: bool
    minutes_per_day: int
    kind: str
    modality: str
    position: str
    phase: str
    weight_bearing: bool
    item: str
    equipment: str


@dataclass(frozen=True)
class Candidates:
    """What the rules run over and the composer chooses from, for one profile."""

    profile: Profile
    knowledge: KnowledgeBase
    paths: tuple[Path, ...]
    """Every graph path from the profile's nodes to an item, sorted."""
    items: tuple[str, ...]
    """The items the paths reach, and the alternatives that may replace them, sorted."""
    facts: tuple[Fact, ...]
    """The profile's facts, then one ``item`` fact (and its ``need`` facts) per candidate."""


def gather(profile: Profile, knowledge: KnowledgeBase) -> Candidates:
    """The candidates of a validated profile: paths, items and facts."""
    paths = tuple(knowledge.candidates(fact_nodes(profile)))
    items = tuple(candidate_ids(paths, knowledge))
    facts = (*profile_facts(profile, knowledge), *item_facts(items, knowledge))
    return Candidates(profile, knowledge, paths, items, facts)


def fact_nodes(profile: Profile) -> list[str]:
    """The graph nodes a profile starts from: ``everyone``, and each pain, symptom, observation and
    condition it reports."""
    nodes = [EVERYONE]
    nodes += [node_id(PAIN_FACT, pain.area) for pain in profile.pains]
    for kind in REPORTED_KINDS:
        if kind.name != PAIN_FACT:
            ids: list[str] = getattr(profile, kind.profile_field)
            nodes += [node_id(kind.name, ident) for ident in ids]
    return sorted(set(nodes))


def candidate_ids(paths: Iterable[Path], knowledge: KnowledgeBase) -> list[str]:
    """Items reached by the paths, plus the alternatives that may replace them."""
    ids = {split_node(path.item)[1] for path in paths}
    alternatives = _alternatives(knowledge)
    for ident in list(ids):
        ids.update(alternatives.get(ident, ()))
    return sorted(ids)


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
    facts: list[Fact] = [_pain_fact(pain) for pain in profile.pains]
    keyed: list[tuple[str, Sequence[str]]] = [
        *(
            (kind.name, getattr(profile, kind.profile_field))
            for kind in REPORTED_KINDS
            if kind.name != PAIN_FACT
        ),
        (EXCLUDED_MODALITY_FACT, profile.exclude),
        (MISSING_EQUIPMENT_FACT, missing_equipment(profile, knowledge)),
    ]
    for fact_type, values in keyed:
        facts += [{"t": fact_type, "key": value} for value in values]
    person: Fact = {
        "t": PERSON_FACT,
        "can_get_on_floor": profile.can_get_on_floor,
        "can_stand_unaided": profile.can_stand_unaided,
        "minutes_per_day": profile.minutes_per_day,
    }
    if profile.age is not None:
        person["age"] = profile.age
    facts.append(person)
    return facts


def _pain_fact(pain: Pain) -> Fact:
    fact: Fact = {"t": PAIN_FACT, "key": pain.area, "severity": pain.severity, "assessed": pain.assessed}
    if pain.side is not None:
        fact["side"] = pain.side
    if pain.weeks is not None:
        fact["weeks"] = pain.weeks
    if pain.trend is not None:
        fact["trend"] = pain.trend
    return fact


def item_facts(item_ids: Iterable[str], knowledge: KnowledgeBase) -> list[Fact]:
    """One ``item`` fact per candidate, and one ``need`` fact per piece of equipment it needs.

    An item's facts depend on the knowledge alone: they are built once per knowledge base, and
    each call returns fresh copies.
    """
    built = _item_facts(knowledge)
    facts: list[Fact] = []
    for ident in sorted(set(item_ids)):
        facts += [Fact(**fact) for fact in built[ident]]
    return facts


def _facts_of_items(knowledge: KnowledgeBase) -> dict[str, tuple[Fact, ...]]:
    return {ident: tuple(_facts_of_item(ident, knowledge)) for ident in knowledge.items}


def _facts_of_item(ident: str, knowledge: KnowledgeBase) -> list[Fact]:
    item = knowledge.items[ident]
    facts: list[Fact] = []
    fact: Fact = {
        "t": ITEM_FACT,
        "key": ident,
        "kind": knowledge.item_kinds[ident],
        "modality": item.modality,
    }
    if isinstance(item, schema.Exercise):
        fact |= {"position": item.position, "phase": item.phase, "weight_bearing": item.weight_bearing}
        facts += [{"t": NEED_FACT, "item": ident, "equipment": name} for name in item.equipment]
    facts.append(fact)
    return facts


def _alternatives_of(knowledge: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    return {
        ident: tuple(item.alternatives)
        for ident, item in knowledge.items.items()
        if isinstance(item, schema.Exercise) and item.alternatives
    }


_item_facts = PerKnowledge(_facts_of_items)
_alternatives = PerKnowledge(_alternatives_of)
