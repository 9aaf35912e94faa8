"""The plan's safety messages: one per referral or plan-wide caution rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from footmap._compose.parts import KnowledgeParts, Level, SafetyData, SafetyNetData
from footmap._rules.effects import Effect, matched_items, without_items

_LEVELS: dict[str, Level] = {"urgent": "critical", "see_clinician": "warning"}
_LEVEL_ORDER: dict[Level, int] = {"critical": 0, "warning": 1, "info": 2}


def safety_messages(
    parts: KnowledgeParts, refers: Sequence[Effect], cautions: Sequence[Effect], in_plan: set[str]
) -> list[SafetyData]:
    """One message per rule, naming every fact set that triggered it."""
    plan_wide = [c for c in cautions if c.target is None and _about_the_plan(parts, c, in_plan)]
    first, facts = _by_rule(parts, [*refers, *plan_wide])
    levels: dict[str, Level] = {rule: _LEVELS.get(e.level or "", "info") for rule, e in first.items()}
    return [
        {
            "level": levels[rule],
            "message": first[rule].message,
            "rule": rule,
            "source": first[rule].source,
            "facts": facts[rule],
        }
        for rule in sorted(first, key=lambda rule: (_LEVEL_ORDER[levels[rule]], rule))
    ]


def safety_net(parts: KnowledgeParts, nets: Sequence[Effect]) -> list[SafetyNetData]:
    """The signs to get help today for: one entry per ``safety_net`` rule that applies, naming
    every fact set that triggered it, in the order of the knowledge's rules."""
    first, facts = _by_rule(parts, nets)
    return [
        {
            "message": first[rule].message,
            "rule": rule,
            "source": first[rule].source,
            "facts": facts[rule],
        }
        for rule in sorted(first, key=parts.rule_order.__getitem__)
    ]


def _by_rule(
    parts: KnowledgeParts, effects: Sequence[Effect]
) -> tuple[dict[str, Effect], dict[str, list[str]]]:
    """Each rule's first effect, and the reported facts of all of its matches, sorted."""
    first: dict[str, Effect] = {}
    facts: dict[str, set[str]] = defaultdict(set)
    for effect in effects:
        facts[effect.rule].update(_split(parts, effect.matched)[1])
        first.setdefault(effect.rule, effect)
    return first, {rule: sorted(found) for rule, found in facts.items()}


def _about_the_plan(parts: KnowledgeParts, caution: Effect, in_plan: set[str]) -> bool:
    """A plan-wide caution that matched an item (say, any exercise) speaks only of items kept."""
    items = _split(parts, caution.matched)[0]
    return not items or any(item in in_plan for item in items)


def _split(parts: KnowledgeParts, matched: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The items among a match's facts, and its other facts: worked out once per match (the same
    matches recur from plan to plan), kept in the knowledge's parts (bounded)."""
    split = parts.matched_split.get(matched)
    if split is None:
        if len(parts.matched_split) >= parts.ITEM_LIMIT:
            parts.matched_split.clear()
        split = parts.matched_split[matched] = (
            tuple(matched_items(matched)),
            tuple(without_items(matched)),
        )
    return split
