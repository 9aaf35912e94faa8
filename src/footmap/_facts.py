"""The facts-and-candidates stage: a profile becomes the facts the rules match and the items they
judge.

One stage owns everything between the profile and the rules: the graph nodes a profile starts
from, the graph paths from them to items, the declared alternatives that may stand in for an
item, and the facts (the profile's and each candidate item's). The session logs of the feedback
loop will enter here, as more facts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypedDict

from footmap._input.logs import SessionLog
from footmap._input.profile import Pain, Profile
from footmap._kinds import (
    COMPLAINT_LOG_FACT,
    EVERYONE,
    EXCLUDED_MODALITY_FACT,
    ITEM_FACT,
    ITEM_LOG_FACT,
    MISSING_EQUIPMENT_FACT,
    NEED_FACT,
    PAIN_FACT,
    PERSON_FACT,
    PROGRAMME_FACT,
    REPORTED_KINDS,
    node_id,
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
    sessions: int
    skips: int
    max_after: int
    max_rise: int
    unsettled: int
    easy_weeks: int
    dates: str
    change: float
    days: int
    adherence: float


#: The days of one window of the logs (a week), counted back from the last log.
WEEK = 7
#: How many decimals a log fact's fractions keep (so that sums in any order give one value).
_DECIMALS = 6


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
    """The profile's facts, the logs' facts, then one ``item`` fact (and its ``need`` facts) per
    candidate."""
    logs: tuple[SessionLog, ...] = ()
    """The session logs, sorted by date then session."""
    known: int = 0
    """How many of the last facts depend on the knowledge alone (the items' facts): the same
    from run to run, so an engine works out which of its tests they pass once."""


def gather(profile: Profile, knowledge: KnowledgeBase, logs: Iterable[SessionLog] = ()) -> Candidates:
    """The candidates of a validated profile and its validated session logs: paths, items, facts."""
    ordered = tuple(sorted(logs, key=lambda log: log.key))
    nodes = fact_nodes(profile)
    paths = tuple(knowledge.candidates(nodes))
    items = tuple(_candidate_ids_from(nodes, knowledge))
    own = (*profile_facts(profile, knowledge), *log_facts(ordered, profile))
    known = item_facts(items, knowledge)
    return Candidates(profile, knowledge, paths, items, (*own, *known), ordered, len(known))


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
    ids = {path.item.partition(":")[2] for path in paths}  # split_node's id, without a call each
    alternatives = _alternatives(knowledge)
    for ident in list(ids):
        ids.update(alternatives.get(ident, ()))
    return sorted(ids)


def _candidate_ids_from(nodes: Iterable[str], knowledge: KnowledgeBase) -> list[str]:
    """:func:`candidate_ids` of the nodes' paths, from each node's items, worked out once (the
    alternatives of a union are the union of each part's alternatives)."""
    by_node = _items_by_node(knowledge)
    ids: set[str] = set()
    for node in nodes:
        items = by_node.get(node)
        if items is None:
            items = by_node[node] = frozenset(candidate_ids(knowledge.candidates([node]), knowledge))
        ids |= items
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


def log_facts(logs: Sequence[SessionLog], profile: Profile) -> list[Fact]:
    """The facts of session logs sorted by date: each symptom new in a log and not in the profile
    (a ``symptom`` fact, so every triage rule applies), one ``item_log`` fact per logged item, one
    ``complaint_log`` fact per logged pain area, and one ``programme`` fact; none without logs.

    >>> log = SessionLog(date="2027-01-05", items=[{"id": "toe_walking"}],
    ...                  pain=[{"area": "back", "before": 3, "after": 7}])
    >>> [fact["t"] for fact in log_facts([log], Profile())]
    ['item_log', 'complaint_log', 'programme']
    """
    if not logs:
        return []
    known = set(profile.symptoms)
    new = sorted({s for log in logs for s in log.new_symptoms} - known)
    facts: list[Fact] = [{"t": "symptom", "key": symptom} for symptom in new]
    last = logs[-1].date
    items = sorted({item.id for log in logs for item in log.items})
    facts += [_item_log(ident, logs, last) for ident in items]
    areas = sorted({pain.area for log in logs for pain in log.pain})
    facts += [_complaint_log(area, logs) for area in areas]
    facts.append(_programme(logs))
    return facts


def logs_doing(item: str, logs: Iterable[SessionLog]) -> list[SessionLog]:
    """The logs of the sessions in which an item was done (not skipped)."""
    return [log for log in logs if any(entry.id == item and not entry.skipped for entry in log.items)]


def _item_log(item: str, logs: Sequence[SessionLog], last: datetime.date) -> Fact:
    done = logs_doing(item, logs)
    skips = sum(1 for log in logs for entry in log.items if entry.id == item and entry.skipped)
    fact: Fact = {
        "t": ITEM_LOG_FACT,
        "key": item,
        "sessions": len(done),
        "skips": skips,
        "unsettled": sum(1 for log in done if _unsettled(log)),
        "easy_weeks": _easy_weeks(done, last),
        "dates": ",".join(sorted({log.date.isoformat() for log in done})),
    }
    pains = [pain for log in done for pain in log.pain]
    if pains:
        fact["max_after"] = max(pain.after for pain in pains)
        fact["max_rise"] = max(pain.after - pain.before for pain in pains)
    return fact


def _unsettled(log: SessionLog) -> bool:
    """Whether some pain was higher the next morning than before the session."""
    return any(p.next_morning is not None and p.next_morning > p.before for p in log.pain)


def _easy_weeks(done: Sequence[SessionLog], last: datetime.date) -> int:
    """Consecutive weeks, counted back from the last log, in which the item was done, every
    session of it felt easy, and no pain was higher after it than before."""
    weeks = 0
    while True:
        end = last - datetime.timedelta(days=WEEK * weeks)
        start = end - datetime.timedelta(days=WEEK)
        window = [log for log in done if start < log.date <= end]
        if not window or not all(_went_easily(log) for log in window):
            return weeks
        weeks += 1


def _went_easily(log: SessionLog) -> bool:
    return log.difficulty == "easy" and all(pain.after <= pain.before for pain in log.pain)


def _complaint_log(area: str, logs: Sequence[SessionLog]) -> Fact:
    """How a pain area went: the weeks its logs span, and its mean pain before a session over its
    last week minus over its first week (below zero: better)."""
    scored = [(log.date, pain.before) for log in logs for pain in log.pain if pain.area == area]
    first, last = scored[0][0], scored[-1][0]
    opening = [score for day, score in scored if (day - first).days < WEEK]
    closing = [score for day, score in scored if (last - day).days < WEEK]
    return {
        "t": COMPLAINT_LOG_FACT,
        "key": area,
        "weeks": round((last - first).days / WEEK, _DECIMALS),
        "change": round(_mean(closing) - _mean(opening), _DECIMALS),
    }


def _mean(scores: list[int]) -> float:
    """The mean of whole-number pain scores (exact: their sum is an integer; ``statistics`` would
    cost a new process its import)."""
    return sum(scores) / len(scores)


def _programme(logs: Sequence[SessionLog]) -> Fact:
    """The span of the logs in days (inclusive), and the share of its days with a session done."""
    days = (logs[-1].date - logs[0].date).days + 1
    done = {log.date for log in logs if log.done}
    return {"t": PROGRAMME_FACT, "days": days, "adherence": round(len(done) / days, _DECIMALS)}


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
    every call returns those same facts, which nothing may change (an engine remembers what its
    tests said of each: :class:`footmap._rules.network.KnownFits`).
    """
    built = _item_facts(knowledge)
    facts: list[Fact] = []
    for ident in sorted(set(item_ids)):
        facts += built[ident]
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
#: Each graph node's candidate items (:func:`_candidate_ids_from`), filled as nodes are met.
_items_by_node: PerKnowledge[dict[str, frozenset[str]]] = PerKnowledge(lambda knowledge: {})
