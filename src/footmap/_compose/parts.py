"""The plan under construction: its parts as typed plain data, and what they take from the knowledge.

The plan is built as plain data (``TypedDict``s shaped like the ``Plan`` models) and validated
once, as a whole, at the end: one pass of pydantic's validator over the tree costs a fraction of
constructing every reason, dosage and item as a model on the way, and gives the same models.
What depends on the knowledge alone (each path's reason, each item's fixed fields, each unadjusted
dosage, each source as cited) is worked out once per knowledge base and kept while it lives; so is
each plan item as validated (:meth:`KnowledgeParts.validated_item`), since the same item recurs
from plan to plan and a ``PlanItem`` is immutable all through.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypedDict

from pydantic import BaseModel

from footmap._compose.shared import SharedParts
from footmap._kinds import (
    COMPLAINT_LOG_FACT,
    EXCLUDED_MODALITY_FACT,
    ITEM_LOG_FACT,
    MISSING_EQUIPMENT_FACT,
    PAIN_FACT,
    PERSON_FACT,
    PROGRAMME_FACT,
    node_id,
    split_node,
)
from footmap._knowledge import schema
from footmap._knowledge.base import Item, KnowledgeBase, PerKnowledge
from footmap._knowledge.graph import Path
from footmap._plan import WEEK_DAYS, CitedSource, PlanItem, Schedule

Level = Literal["info", "warning", "critical"]
#: The grade a swap's own reason carries: it is a rule's decision, not a claim with evidence.
SWAP_EVIDENCE: schema.Evidence = schema.EVIDENCE_ORDER[0]
EVIDENCE_RANK = {grade: rank for rank, grade in enumerate(schema.EVIDENCE_ORDER)}


class ReasonData(TypedDict):
    """A ``Reason``: why an item is in the plan."""

    summary: str
    fact: str
    path: list[str]
    links: list[str]
    step_evidence: list[schema.Evidence | None]
    rule: str | None
    evidence: schema.Evidence
    source: str


class DosageData(TypedDict):
    """A ``DosagePlan``: how much to do, after adjustments."""

    text: str
    words: str
    sets: int | None
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int | None
    duration_seconds: int | None
    times_per_day: int
    per_side: bool
    adjusted_by: list[str]
    notes: list[str]


class CautionData(TypedDict):
    """A ``Caution`` on one item."""

    message: str
    rule: str
    source: str


class ItemFields(TypedDict):
    """The fields of a ``PlanItem`` that come from the knowledge alone."""

    id: str
    name: str
    kind: str
    modality: str
    summary: str
    steps: list[str]
    position: schema.Position | None
    phase: schema.Phase | None
    equipment: list[str]


class ItemData(ItemFields):
    """A ``PlanItem``."""

    dosage: DosageData | None
    minutes: float
    evidence: schema.Evidence
    why: list[ReasonData]
    cautions: list[CautionData]
    replaces: str | None


class ExcludedData(TypedDict):
    """An ``Excluded`` entry: an item left out, and why."""

    id: str
    name: str
    reason: str
    rule: str | None
    source: str | None
    replaced_by: str | None


class SafetyNetData(TypedDict):
    """A ``SafetyNetSign``."""

    message: str
    rule: str
    source: str
    facts: list[str]


class SafetyData(TypedDict):
    """A ``SafetyMessage``."""

    level: Level
    message: str
    rule: str
    source: str
    facts: list[str]


class LeftOutItemData(TypedDict):
    """A ``LeftOutItem``."""

    id: str
    name: str
    replaced_by: str | None


class LeftOutData(TypedDict):
    """A ``LeftOut`` group: the items left out for one reason."""

    reason: str
    rule: str | None
    source: str | None
    items: list[LeftOutItemData]


def excluded(
    item: Item, reason: str, rule: str | None, source: str | None, replaced_by: str | None = None
) -> ExcludedData:
    """An item left out of the plan: the one place an ``Excluded`` entry is made."""
    return {
        "id": item.id,
        "name": item.name,
        "reason": reason,
        "rule": rule,
        "source": source,
        "replaced_by": replaced_by,
    }


class Ladders:
    """What a schedule reads of the knowledge's ladders, by item, each worked out once: the
    item's ladder, the days of the week it is done, and the harder steps it may be planned up.

    Never mutated once built: the schedule copies what it changes.
    """

    def __init__(self, progressions: schema.Progressions, exercises: Mapping[str, schema.Exercise]) -> None:
        self.progressions = progressions
        self.exercises = exercises
        self._ladders: dict[str, schema.Ladder] = {}
        for ladder in progressions.ladders:
            self._ladders.setdefault(ladder.id, ladder)  # the first of an id, as ``ladder()`` finds
        self._days: dict[str, tuple[int, ...]] = {}
        self._planned: dict[str, tuple[schema.Rung, ...]] = {}

    def ladder(self, item: str) -> schema.Ladder | None:
        """The ladder of an item, if it has one (``Progressions.ladder``)."""
        return self._ladders.get(item)

    def days(self, item: str) -> tuple[int, ...]:
        """The days of the week an item is done: those every rest-day rule of its training allows."""
        days = self._days.get(item)
        if days is None:
            ladder = self.ladder(item)
            allowed = set(WEEK_DAYS)
            for rule in self.progressions.rest:
                if ladder is not None and ladder.training in rule.training:
                    allowed &= set(rule.days)
            days = self._days.setdefault(item, tuple(sorted(allowed)))
        return days

    def planned(self, item: str) -> tuple[schema.Rung, ...]:
        """The harder steps an item may be planned up: those with ``after_weeks``, up to the
        first without one or the first that moves to a variant."""
        planned = self._planned.get(item)
        if planned is None:
            ladder = self.ladder(item)
            rungs: list[schema.Rung] = []
            for rung in schema.climb(ladder, self.exercises, "up") if ladder is not None else ():
                if rung.step.after_weeks is None or rung.step.variant is not None:
                    break
                rungs.append(rung)
            planned = self._planned.setdefault(item, tuple(rungs))
        return planned


class KnowledgeParts:
    """What the plan takes from the knowledge alone: each path's reason, each item's fields.

    Never mutated once built (the plan's validation copies every list it takes from here). It
    holds its knowledge base by weak reference: it is a :class:`PerKnowledge` value, and a value
    that held its key strongly would keep the knowledge base, and itself, alive for ever.
    """

    #: How many paths the identity cache holds before it starts again.
    IDENTITY_LIMIT = 65_536
    #: How many validated plan items it keeps before it starts again.
    ITEM_LIMIT = 16_384

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._knowledge = weakref.ref(knowledge)
        self._reasons: dict[Path, ReasonData] = {}
        #: The same reasons by ``id(path)``, holding the path so that its id stays its own:
        #: hashing a ``Path`` (nested dataclasses) costs more than building the rest of a reason.
        self._by_identity: dict[int, tuple[Path, ReasonData, str]] = {}
        self._items: dict[str, ItemFields] = {}
        self._names: dict[str, str] = {}
        self._fact_names: dict[str, str] = {}
        self.wording = knowledge.wording
        #: How each evidence grade is worded.
        self.evidence_labels: dict[str, str] = self.wording.evidence.labels()
        #: Each source as the plan cites it.
        self.cited_sources: dict[str, CitedSource] = {
            ident: CitedSource(citation=source.citation, url=source.url, verified=source.verified)
            for ident, source in knowledge.sources.items()
        }
        #: The plan items validated so far, by id, minutes, what they replace and how many reasons
        #: and cautions they have: each with the data it was validated from (compared whole, so
        #: only an equal item is reused).
        self._validated: dict[tuple[str, float, str | None, int, int], list[tuple[ItemData, PlanItem]]] = {}
        self._validated_count = 0
        #: The same items by the ``id`` of the data they were validated from or found equal to,
        #: holding that data so that its id stays its own: a kept plan item (``plan_items``) is
        #: the same dict each time. Bounded at twice ``ITEM_LIMIT``.
        self._validated_by_identity: dict[int, tuple[ItemData, PlanItem]] = {}
        #: The ids of the reasons of graph paths and swaps (kept for ever in ``_reasons`` and
        #: ``_swaps``: ids stay theirs).
        self._reason_ids: set[int] = set()
        #: Each swap's reason, by what it is made from (:meth:`swap_reason`).
        self._swaps: dict[tuple[str, str, str, str, str], ReasonData] = {}
        #: The plan items worked out so far, by what they are made from (``footmap._compose.dose``).
        self.plan_items: dict[tuple[object, ...], ItemData] = {}
        #: The rules whose messages reassure: never shown beside a referral.
        self.reassuring_rules = frozenset(rule.id for rule in knowledge.knowledge.rules if rule.reassures)
        #: Each rule's position in the knowledge (its file's order), for messages shown in it.
        self.rule_order = {rule.id: index for index, rule in enumerate(knowledge.knowledge.rules)}
        #: Each item's own dosage, by id, as ``footmap._compose.dose`` works it out on first use.
        self.dosages: dict[str, DosageData | None] = {}
        #: Each exercise's dosage in words at a whole dose, by id and dose (``footmap._compose.dose``).
        self.dose_words: dict[tuple[str, tuple[tuple[str, int], ...]], str] = {}
        #: The exercises, by id (what the schedule's ladders step through).
        self.exercises: dict[str, schema.Exercise] = {
            ident: item for ident, item in knowledge.items.items() if isinstance(item, schema.Exercise)
        }
        #: The ladders as the schedule reads them.
        self.ladders = Ladders(knowledge.knowledge.progressions, self.exercises)
        #: Each schedule worked out, by its routine items' ids and its other inputs, with the
        #: routine (held, so that the ids stay theirs): ``footmap._compose._schedule``.
        self.schedules: dict[tuple[object, ...], tuple[list[ItemData], Any, Schedule]] = {}
        #: What each plan item puts in the plan's tables, by the ``id`` of its data (held, so that
        #: the id stays its own): ``footmap._compose.tables``.
        self.item_tables: dict[int, tuple[ItemData, frozenset[str], frozenset[tuple[str, str]]]] = {}
        #: Each match's facts split into its items and the rest (``footmap._compose.safety``).
        self.matched_split: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        #: The plan's small parts that recur from plan to plan, each validated once.
        self.shared = SharedParts()

    @property
    def knowledge(self) -> KnowledgeBase:
        """The knowledge base these parts come from (alive while anyone can ask for them)."""
        knowledge = self._knowledge()
        if knowledge is None:  # only a caller that kept the parts and dropped the knowledge
            raise ReferenceError("the knowledge base of these plan parts has been freed")
        return knowledge

    def held_shared_parts(self) -> tuple[BaseModel, ...]:
        """Every shared plan part these parts hold now (``footmap._plan.SHARED_PARTS``), each
        once (each cache validates a part once): what a worker forked from this process starts
        with on both ends of its pipe (``footmap._wire``)."""
        return (
            *self.cited_sources.values(),
            *(item for items in self._validated.values() for _, item in items),
            *(schedule for _, _, schedule in self.schedules.values()),
            *self.shared.held(),
        )

    def reason(self, path: Path) -> ReasonData:
        """The reason a graph path gives for its item."""
        return self.item_reason(path)[1]

    def item_reason(self, path: Path) -> tuple[str, ReasonData]:
        """The id of the item a graph path leads to, and the reason it gives for it."""
        known = self._by_identity.get(id(path))
        if known is not None and known[0] is path:
            return known[2], known[1]
        reason = self._reasons.get(path)
        if reason is None:
            reason = self._reasons[path] = self._reason_of(path)
            self._reason_ids.add(id(reason))
        if len(self._by_identity) >= self.IDENTITY_LIMIT:
            self._by_identity.clear()
        ident = split_node(path.item)[1]
        self._by_identity[id(path)] = (path, reason, ident)
        return ident, reason

    def _reason_of(self, path: Path) -> ReasonData:
        last = path.steps[-1]
        return {
            "summary": last.reason,
            "fact": path.fact,
            "path": list(path.nodes),
            "links": [step.link for step in path.steps],
            "step_evidence": [step.evidence for step in path.steps],
            "rule": None,
            "evidence": path.evidence,
            "source": last.cited,
        }

    def swap_reason(self, name: str, message: str, fact: str, rule: str, source: str) -> ReasonData:
        """The reason an alternative stands in for the item ``name`` that a rule left out (with its
        ``message``, on the reported ``fact``): one object for all equal reasons (kept for ever,
        as a path's: there are as many as the knowledge's items, rules and terms allow)."""
        key = (name, message, fact, rule, source)
        reason = self._swaps.get(key)
        if reason is None:
            reason = self._swaps[key] = {
                "summary": self.wording.compose.swapped_in.format(name=name, reason=message),
                "fact": fact,
                "path": [],
                "links": [],
                "step_evidence": [],
                "rule": rule,
                "evidence": SWAP_EVIDENCE,
                "source": source,
            }
            self._reason_ids.add(id(reason))
        return reason

    def own_reasons(self, reasons: Iterable[ReasonData]) -> bool:
        """Whether every reason is the knowledge's own: a graph path's (:meth:`reason`) or a
        swap's (:meth:`swap_reason`), the same object each time."""
        ids = self._reason_ids
        return all(id(reason) in ids for reason in reasons)

    def keep_plan_item(self, key: tuple[object, ...], item: ItemData) -> ItemData:
        """Keep a plan item worked out from ``key`` (bounded: it starts again when full)."""
        if len(self.plan_items) >= self.ITEM_LIMIT:
            self.plan_items.clear()
        return self.plan_items.setdefault(key, item)

    def validated_item(self, data: ItemData) -> PlanItem:
        """The ``PlanItem`` of ``data``: validated once for all data equal to it. An item's parts
        are mostly this knowledge's own (its reasons, fields and dosage, the same objects each
        time, which makes comparing them cheap), so the same item recurs from plan to plan; a
        ``PlanItem`` is immutable all through, so plans can share it."""
        known = self._validated_by_identity.get(id(data))  # a kept item is the same dict
        if known is not None and known[0] is data:
            return known[1]
        key = (data["id"], data["minutes"], data["replaces"], len(data["why"]), len(data["cautions"]))
        seen = self._validated.get(key)
        if seen is not None:
            for validated_from, item in seen:
                if validated_from == data:  # equal data kept under another key, or made again
                    if len(self._validated_by_identity) >= 2 * self.ITEM_LIMIT:
                        self._validated_by_identity.clear()
                    self._validated_by_identity[id(data)] = (data, item)
                    return item
        item = PlanItem.model_validate(data)
        if self._validated_count >= self.ITEM_LIMIT:
            self._validated.clear()
            self._validated_by_identity.clear()
            self._validated_count = 0
        self._validated.setdefault(key, []).append((data, item))
        self._validated_by_identity[id(data)] = (data, item)
        self._validated_count += 1
        return item

    def item(self, ident: str) -> ItemFields:
        """The fixed fields of an item."""
        fields = self._items.get(ident)
        if fields is None:
            fields = self._items[ident] = self._item_of(ident)
        return fields

    def _item_of(self, ident: str) -> ItemFields:
        item = self.knowledge.items[ident]
        exercise = item if isinstance(item, schema.Exercise) else None
        return {
            "id": item.id,
            "name": item.name,
            "kind": self.knowledge.item_kinds[ident],
            "modality": item.modality,
            "summary": item.summary,
            "steps": self._steps(item),
            "position": exercise.position if exercise else None,
            "phase": exercise.phase if exercise else None,
            "equipment": list(exercise.equipment) if exercise else [],
        }

    def _steps(self, item: Item) -> list[str]:
        if isinstance(item, schema.Exercise):
            return list(item.steps)
        if isinstance(item, schema.ReflexArea | schema.AcupressurePoint):
            words = self.wording.compose
            return [words.where.format(location=item.location), words.how.format(technique=item.technique)]
        return [item.text]

    def fact_name(self, description: str) -> str:
        """A reported fact (``pain:back``, ``missing_equipment:towel``, ``person``) in the person's
        words (kept: the words depend on the knowledge alone)."""
        name = self._fact_names.get(description)
        if name is None:
            name = self._fact_names.setdefault(description, self._fact_name_of(description))
        return name

    def _fact_name_of(self, description: str) -> str:
        words, knowledge = self.wording.compose, self.knowledge
        kind, _, ident = description.partition(":")
        if kind == PERSON_FACT:
            return words.person_fact
        if kind == MISSING_EQUIPMENT_FACT:
            return words.missing_equipment_fact.format(
                name=knowledge.terms[("equipment", ident)].name.lower()
            )
        if kind == ITEM_LOG_FACT:
            return words.item_log_fact.format(name=knowledge.items[ident].name.lower())
        if kind == COMPLAINT_LOG_FACT:
            node = knowledge.nodes.get(node_id(PAIN_FACT, ident))
            name = str(node["name"]) if node is not None else ident.replace("_", " ")
            return words.complaint_log_fact.format(name=name.lower())
        if kind == PROGRAMME_FACT:
            return words.programme_fact
        if kind == EXCLUDED_MODALITY_FACT:
            return words.excluded_modality_fact.format(
                name=knowledge.terms[("modalities", ident)].name.lower()
            )
        node = knowledge.nodes.get(description)
        return str(node["name"]) if node is not None else ident.replace("_", " ")

    def name(self, node: str) -> str:
        """A graph node's name (kept: a plan names every node of its reasons' paths)."""
        name = self._names.get(node)
        if name is None:
            name = self._names[node] = str(self.knowledge.nodes[node]["name"])
        return name


knowledge_parts = PerKnowledge(KnowledgeParts)
