"""Compose a ``Plan`` from graph paths and rule effects: pure and deterministic."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from footmap.knowledge import schema
from footmap.knowledge.base import Item, KnowledgeBase
from footmap.knowledge.graph import Path
from footmap.plan import (
    DISCLAIMER,
    EVIDENCE_LABELS,
    Caution,
    DosagePlan,
    Excluded,
    Plan,
    PlanItem,
    Reason,
    SafetyMessage,
)
from footmap.profile import Profile
from footmap.rules.engine import Effect

__all__ = ["candidate_ids", "compose"]

_PHASES: tuple[schema.Phase, ...] = ("warm_up", "main", "cool_down")
_POSITIONS: tuple[schema.Position, ...] = ("standing", "sitting", "floor", "lying")
_ROUTINE_KINDS = ("exercise",)
_REFLEX_KINDS = ("reflex_area", "acupressure")
_TIMED_KINDS = _ROUTINE_KINDS + _REFLEX_KINDS
_Level = Literal["info", "warning", "critical"]
_LEVELS: dict[str, _Level] = {"urgent": "critical", "see_clinician": "warning"}


def candidate_ids(paths: Iterable[Path], knowledge: KnowledgeBase) -> list[str]:
    """Items reached by the paths, plus the alternatives that may replace them."""
    ids = {path.item.partition(":")[2] for path in paths}
    for ident in sorted(ids):
        ids.update(_alternatives(knowledge.items[ident]))
    return sorted(ids)


def _alternatives(item: Item) -> list[str]:
    return list(item.alternatives) if isinstance(item, schema.Exercise) else []


@dataclass
class _Draft:
    """An item on its way into the plan."""

    item: Item
    kind: str
    reasons: list[Reason] = field(default_factory=list)
    replaces: str | None = None


def compose(
    profile: Profile, knowledge: KnowledgeBase, paths: Sequence[Path], effects: Sequence[Effect]
) -> Plan:
    """Drop or swap excluded items, apply adjustments and cautions, fit the time budget, order."""
    by_effect: dict[str, list[Effect]] = defaultdict(list)
    for effect in effects:
        by_effect[effect.effect].append(effect)
    triage = _triage(by_effect["refer"])
    excluded_by = _group_by_target(by_effect["exclude"])
    if triage == "see_clinician":
        _hold_back_all_but_gentle(excluded_by, knowledge, paths, by_effect["refer"])
    drafts, excluded = _choose(knowledge, paths, excluded_by)
    if triage == "urgent":
        excluded += _withhold_all(drafts, by_effect["refer"])
        drafts = {}
    items = [
        _plan_item(draft, knowledge, _targeting(by_effect["caution"], ident),
                   _targeting(by_effect["adjust"], ident))
        for ident, draft in sorted(drafts.items())
    ]
    timed, untimed = _fit_budget(
        [item for item in items if item.kind in _TIMED_KINDS], profile.minutes_per_day
    )
    excluded += [_over_budget(item, profile.minutes_per_day) for item in untimed]
    advice = [item for item in items if item.kind not in _TIMED_KINDS]
    routine = [item for item in timed if item.kind in _ROUTINE_KINDS]
    return Plan(
        triage=triage,
        safety=_safety(knowledge, by_effect["refer"], by_effect["caution"]),
        routine=sorted(routine, key=_routine_order),
        reflexology=sorted((i for i in timed if i.kind in _REFLEX_KINDS), key=lambda i: i.id),
        advice=sorted(advice, key=lambda i: (-schema.EVIDENCE_ORDER.index(i.evidence), i.id)),
        excluded=sorted(excluded, key=lambda e: (e.id, e.reason)),
        minutes_per_day=round(sum(item.minutes for item in timed), 2),
        budget_minutes=profile.minutes_per_day,
        disclaimer=DISCLAIMER,
        knowledge=knowledge.fingerprint,
    )


def _triage(refers: Sequence[Effect]) -> schema.TriageLevel:
    levels = [effect.level for effect in refers if effect.level is not None]
    return max(levels, key=schema.TRIAGE_ORDER.index, default="self_care")


def _group_by_target(effects: Iterable[Effect]) -> dict[str, list[Effect]]:
    grouped: dict[str, list[Effect]] = defaultdict(list)
    for effect in effects:
        if effect.target is not None:
            grouped[effect.target].append(effect)
    return grouped


def _targeting(effects: Iterable[Effect], ident: str) -> list[Effect]:
    return [effect for effect in effects if effect.target == ident]


def _reasons(paths: Iterable[Path], knowledge: KnowledgeBase) -> dict[str, list[Reason]]:
    reasons: dict[str, list[Reason]] = defaultdict(list)
    for path in paths:
        last = path.steps[-1]
        reasons[path.item.partition(":")[2]].append(Reason(
            summary=last.reason,
            fact=path.fact,
            path=list(path.nodes),
            path_names=[knowledge.graph.nodes[node]["name"] for node in path.nodes],
            links=[step.link for step in path.steps],
            rule=None,
            evidence=path.evidence,
            source=knowledge.sources[last.cited].citation,
        ))
    return reasons


def _choose(
    knowledge: KnowledgeBase, paths: Sequence[Path], excluded_by: dict[str, list[Effect]]
) -> tuple[dict[str, _Draft], list[Excluded]]:
    """The items to keep, swapping an excluded item for its first allowed alternative.

    A variant (``variant_of``) only ever stands in for its original, never sits beside it.
    """
    drafts: dict[str, _Draft] = {}
    excluded: list[Excluded] = []
    reasons_by_item = _reasons(paths, knowledge)
    for ident, reasons in sorted(reasons_by_item.items()):
        item = knowledge.items[ident]
        if isinstance(item, schema.Exercise) and item.variant_of is not None:
            continue
        if ident not in excluded_by:
            _merge(drafts, item, knowledge, reasons)
            continue
        blocker = excluded_by[ident][0]
        replacement = next((alt for alt in _alternatives(item) if alt not in excluded_by), None)
        excluded.append(Excluded(
            id=ident, name=item.name, reason=blocker.message, rule=blocker.rule,
            source=knowledge.sources[blocker.source].citation, replaced_by=replacement,
        ))
        if replacement is not None:
            swap = Reason(
                summary=f"Offered instead of {item.name}: {blocker.message}",
                fact=_fact_of(blocker), path=[], links=[], rule=blocker.rule,
                evidence=schema.EVIDENCE_ORDER[0], source=knowledge.sources[blocker.source].citation,
            )
            own = reasons_by_item.get(replacement, [])
            _merge(drafts, knowledge.items[replacement], knowledge, [*reasons, *own, swap],
                   replaces=ident)
    return drafts, excluded


def _merge(
    drafts: dict[str, _Draft], item: Item, knowledge: KnowledgeBase, reasons: list[Reason],
    replaces: str | None = None,
) -> None:
    draft = drafts.setdefault(item.id, _Draft(item, knowledge.item_kinds[item.id]))
    draft.reasons += [reason for reason in reasons if reason not in draft.reasons]
    draft.replaces = draft.replaces or replaces


def _fact_of(effect: Effect) -> str:
    facts = [fact for fact in effect.matched if not fact.startswith(("item:", "need:"))]
    return ", ".join(facts) or "knowledge"


def _hold_back_all_but_gentle(
    excluded_by: dict[str, list[Effect]], knowledge: KnowledgeBase, paths: Sequence[Path],
    refers: Sequence[Effect],
) -> None:
    """While waiting to be assessed only gentle items stay; the others are held back by the
    referral itself, so that a gentle alternative can stand in for them."""
    referral = next(effect for effect in refers if effect.level == "see_clinician")
    for ident in candidate_ids(paths, knowledge):
        if not knowledge.items[ident].gentle:
            excluded_by[ident].append(Effect(
                rule=referral.rule, effect="exclude", target=ident, level=None,
                message="Held back until a clinician has assessed you; only gentle items are kept.",
                source=referral.source, scale=None, matched=referral.matched,
            ))


def _withhold_all(drafts: dict[str, _Draft], refers: Sequence[Effect]) -> list[Excluded]:
    urgent = next(effect for effect in refers if effect.level == "urgent")
    return [
        Excluded(id=ident, name=draft.item.name, rule=urgent.rule,
                 source=None, reason="Held back: get urgent care first (see the safety messages).")
        for ident, draft in sorted(drafts.items())
    ]


def _plan_item(
    draft: _Draft, knowledge: KnowledgeBase, cautions: list[Effect], adjusts: list[Effect]
) -> PlanItem:
    item = draft.item
    dosage = _dosage(item, adjusts)
    reasons = sorted(draft.reasons, key=lambda r: (r.rule is not None, r.fact, r.path))
    evidence = max((r.evidence for r in reasons if r.rule is None), default=item.evidence,
                   key=schema.EVIDENCE_ORDER.index)
    per_day = item.minutes * (dosage.times_per_day if dosage else 1) * _scale(adjusts, floor=1)
    return PlanItem(
        id=item.id, name=item.name, kind=draft.kind, modality=item.modality, summary=item.summary,
        dosage=dosage, steps=_steps(item),
        position=item.position if isinstance(item, schema.Exercise) else None,
        phase=item.phase if isinstance(item, schema.Exercise) else None,
        equipment=_equipment(item), minutes=round(per_day, 2), evidence=evidence,
        evidence_label=EVIDENCE_LABELS[evidence], why=reasons,
        cautions=sorted(
            {Caution(message=c.message, rule=c.rule,
                     source=knowledge.sources[c.source].citation) for c in cautions},
            key=lambda c: c.rule,
        ),
        replaces=draft.replaces,
    )


def _scale(adjusts: Sequence[Effect], floor: float = 0.0) -> float:
    scale = min((a.scale for a in adjusts if a.scale is not None), default=1.0)
    return max(scale, floor)


def _steps(item: Item) -> list[str]:
    if isinstance(item, schema.Exercise):
        return list(item.steps)
    if isinstance(item, schema.ReflexArea | schema.AcupressurePoint):
        return [f"Where: {item.location}", f"How: {item.technique}"]
    return [item.text]


def _equipment(item: Item) -> list[str]:
    return list(item.equipment) if isinstance(item, schema.Exercise) else []


def _dosage(item: Item, adjusts: Sequence[Effect]) -> DosagePlan | None:
    if isinstance(item, schema.Advice):
        return None
    base = item.dosage
    scale = _scale(adjusts)
    rules = sorted({a.rule for a in adjusts})

    def scaled(value: int | None) -> int | None:
        return None if value is None else max(1, round(value * scale))

    return DosagePlan(
        text=base.text, sets=base.sets, reps=scaled(base.reps),
        hold_seconds=scaled(base.hold_seconds), rest_seconds=base.rest_seconds,
        duration_seconds=scaled(base.duration_seconds), times_per_day=base.times_per_day,
        per_side=base.per_side, adjusted_by=rules,
        notes=sorted({a.message for a in adjusts}),
    )


def _priority(item: PlanItem) -> tuple[int, int, int, str]:
    """Warm-ups first (the seed asks for them), then the best evidence, then the most reasons."""
    is_warm_up = item.phase == "warm_up"
    facts = {reason.fact for reason in item.why}
    return (0 if is_warm_up else 1, -schema.EVIDENCE_ORDER.index(item.evidence), -len(facts),
            item.id)


def _fit_budget(items: list[PlanItem], budget: int) -> tuple[list[PlanItem], list[PlanItem]]:
    kept: list[PlanItem] = []
    left_out: list[PlanItem] = []
    used = 0.0
    for item in sorted(items, key=_priority):
        if used + item.minutes <= budget:
            kept.append(item)
            used += item.minutes
        else:
            left_out.append(item)
    return kept, left_out


def _over_budget(item: PlanItem, budget: int) -> Excluded:
    return Excluded(
        id=item.id, name=item.name, rule=None, source=None,
        reason=f"Did not fit in your {budget} minutes a day ({item.minutes:g} min a day);"
               " higher-priority items came first.",
    )


def _routine_order(item: PlanItem) -> tuple[int, int, str]:
    return (_PHASES.index(item.phase or "main"),
            _POSITIONS.index(item.position) if item.position else 0, item.id)


def _safety(
    knowledge: KnowledgeBase, refers: Sequence[Effect], cautions: Sequence[Effect]
) -> list[SafetyMessage]:
    """One message per rule, naming every fact set that triggered it."""
    facts: dict[tuple[_Level, str], set[str]] = defaultdict(set)
    first: dict[tuple[_Level, str], Effect] = {}
    for effect in [*refers, *(c for c in cautions if c.target is None)]:
        level: _Level = _LEVELS.get(effect.level or "", "info")
        key = (level, effect.rule)
        facts[key].update(fact for fact in effect.matched if not fact.startswith("item:"))
        first.setdefault(key, effect)
    order = {"critical": 0, "warning": 1, "info": 2}
    return [
        SafetyMessage(level=level, message=first[key].message, rule=rule,
                      source=knowledge.sources[first[key].source].citation,
                      facts=sorted(facts[key]))
        for key in sorted(facts, key=lambda k: (order[k[0]], k[1]))
        for level, rule in [key]
    ]
