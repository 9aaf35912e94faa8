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
    facts: dict[tuple[Level, str], set[str]] = defaultdict(set)
    first: dict[tuple[Level, str], Effect] = {}
    plan_wide = [c for c in cautions if c.target is None and _about_the_plan(c, in_plan)]
    for effect in [*refers, *plan_wide]:
        level: Level = _LEVELS.get(effect.level or "", "info")
        key = (level, effect.rule)
        facts[key].update(without_items(effect.matched))
        first.setdefault(key, effect)
    return [
        {
            "level": level,
            "message": first[key].message,
            "rule": rule,
            "source": parts.citation(first[key].source),
            "facts": sorted(facts[key]),
        }
        for key in sorted(facts, key=lambda k: (_LEVEL_ORDER[k[0]], k[1]))
        for level, rule in [key]
    ]


def safety_net(parts: KnowledgeParts, nets: Sequence[Effect]) -> list[SafetyNetData]:
    """The signs to get help today for: one entry per ``safety_net`` rule that applies, naming
    every fact set that triggered it, in the order of the knowledge's rules."""
    facts: dict[str, set[str]] = defaultdict(set)
    first: dict[str, Effect] = {}
    for effect in nets:
        facts[effect.rule].update(without_items(effect.matched))
        first.setdefault(effect.rule, effect)
    return [
        {
            "message": first[rule].message,
            "rule": rule,
            "source": parts.citation(first[rule].source),
            "facts": sorted(facts[rule]),
        }
        for rule in sorted(first, key=parts.rule_order.__getitem__)
    ]


def _about_the_plan(caution: Effect, in_plan: set[str]) -> bool:
    """A plan-wide caution that matched an item (say, any exercise) speaks only of items kept."""
    items = matched_items(caution.matched)
    return not items or any(item in in_plan for item in items)
