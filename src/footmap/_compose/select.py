"""Which items stay: triage, exclusions with their swaps, and what a referral holds back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from footmap._compose.parts import ExcludedData, KnowledgeParts, ReasonData, excluded
from footmap._knowledge import schema
from footmap._knowledge.base import Item
from footmap._knowledge.graph import Path
from footmap._rules.effects import Effect, reported


@dataclass
class Draft:
    """An item on its way into the plan: its reasons, and the item it stands in for."""

    item: Item
    kind: str
    reasons: list[ReasonData] = field(default_factory=list)
    replaces: str | None = None


def by_effect(effects: Iterable[Effect]) -> dict[str, list[Effect]]:
    """The effects grouped by their kind (``refer``, ``exclude`` …)."""
    grouped: dict[str, list[Effect]] = defaultdict(list)
    for effect in effects:
        grouped[effect.effect].append(effect)
    return grouped


def by_target(effects: Iterable[Effect]) -> dict[str, list[Effect]]:
    """The effects that target an item, grouped by the item."""
    grouped: dict[str, list[Effect]] = defaultdict(list)
    for effect in effects:
        if effect.target is not None:
            grouped[effect.target].append(effect)
    return grouped


def triage(refers: Sequence[Effect]) -> schema.TriageLevel:
    """The highest level any referral asks for; ``self_care`` without one."""
    levels = [effect.level for effect in refers if effect.level is not None]
    return max(levels, key=schema.TRIAGE_ORDER.index, default="self_care")


def choose(
    parts: KnowledgeParts, paths: Sequence[Path], excluded_by: dict[str, list[Effect]]
) -> tuple[dict[str, Draft], list[ExcludedData]]:
    """The items to keep, swapping an excluded item for its first allowed alternative.

    A variant (``variant_of``) only ever stands in for its original, never sits beside it.
    """
    knowledge = parts.knowledge
    drafts: dict[str, Draft] = {}
    left_out: list[ExcludedData] = []
    reasons_by_item = _reasons(paths, parts)
    for ident, reasons in sorted(reasons_by_item.items()):
        item = knowledge.items[ident]
        if isinstance(item, schema.Exercise) and item.variant_of is not None:
            continue
        if ident not in excluded_by:
            _merge(drafts, item, parts, reasons)
            continue
        blocker = excluded_by[ident][0]
        replacement = next((alt for alt in _alternatives(item) if alt not in excluded_by), None)
        left_out.append(excluded(item, blocker.message, blocker.rule, blocker.source, replacement))
        if replacement is not None:
            swap = parts.swap_reason(
                item.name, blocker.message, _fact_of(blocker), blocker.rule, blocker.source
            )
            own = reasons_by_item.get(replacement, [])
            _merge(drafts, knowledge.items[replacement], parts, [*reasons, *own, swap], replaces=ident)
    return drafts, left_out


def kept_while_waiting(item: Item) -> bool:
    """Whether an item stays while the person waits to be assessed: gentle items, and the care the
    guidelines give meanwhile (``while_waiting``)."""
    return item.gentle or item.while_waiting


def hold_back_for_assessment(
    excluded_by: dict[str, list[Effect]],
    parts: KnowledgeParts,
    candidates: Iterable[str],
    refers: Sequence[Effect],
) -> None:
    """While waiting to be assessed only what cannot harm before it stays (gentle items, and the
    guideline care meant for the wait); the others are held back by the referral itself, so that
    an alternative kept meanwhile can stand in for them. What a referral's message rules out goes
    by its own rule (``forbids``)."""
    referral = next(effect for effect in refers if effect.level == "see_clinician")
    message = parts.wording.compose.held_back_for_assessment

    def held_back(ident: str) -> Effect:  # the referral, as an exclusion of one item
        return Effect(referral.rule, "exclude", ident, None, message, referral.source, None, referral.matched)

    for ident in candidates:
        if not kept_while_waiting(parts.knowledge.items[ident]):
            excluded_by[ident].append(held_back(ident))


def withhold_all(
    parts: KnowledgeParts, drafts: dict[str, Draft], refers: Sequence[Effect]
) -> list[ExcludedData]:
    """Every item held back by an urgent referral."""
    urgent = next(effect for effect in refers if effect.level == "urgent")
    reason = parts.wording.compose.held_back_urgent
    return [excluded(draft.item, reason, urgent.rule, None) for _, draft in sorted(drafts.items())]


def _reasons(paths: Iterable[Path], parts: KnowledgeParts) -> dict[str, list[ReasonData]]:
    reasons: dict[str, list[ReasonData]] = defaultdict(list)
    item_reason = parts.item_reason
    for path in paths:
        ident, reason = item_reason(path)
        reasons[ident].append(reason)
    return reasons


def _alternatives(item: Item) -> list[str]:
    return list(item.alternatives) if isinstance(item, schema.Exercise) else []


def _merge(
    drafts: dict[str, Draft],
    item: Item,
    parts: KnowledgeParts,
    reasons: list[ReasonData],
    replaces: str | None = None,
) -> None:
    draft = drafts.get(item.id)
    if draft is None:  # most drafts: one merge, nothing to dedupe against
        drafts[item.id] = Draft(item, parts.knowledge.item_kinds[item.id], list(reasons), replaces)
        return
    draft.reasons += [reason for reason in reasons if reason not in draft.reasons]
    draft.replaces = draft.replaces or replaces


def _fact_of(effect: Effect) -> str:
    return ", ".join(reported(effect.matched)) or "knowledge"
