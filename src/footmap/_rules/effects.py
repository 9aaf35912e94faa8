"""What the rule stage writes: effects, each with its trace.

A leaf of the rule stage: both engines and the composer read these types, and this module
imports nothing later in the pipeline (facts themselves are the facts stage's ``Fact``). Fact
descriptions (``pain:back``, ``item:toe_curls``, ``need:toe_curls:towel``, ``person``), the trace
an effect carries, are made and read here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from footmap._kinds import ITEM_FACT, NEED_FACT, EffectKind
from footmap._knowledge.schema import Rule, TriageLevel

#: Facts bound to a rule's patterns by binding name (``as:``), for one match.
Bindings = Mapping[str, Mapping[str, object]]


class Effect(NamedTuple):
    """What one rule decided for one match: the trace an explanation reads.

    A tuple, so that effects dedupe and sort field by field, in this order.
    """

    rule: str
    effect: EffectKind
    target: str | None
    level: TriageLevel | None
    message: str
    source: str
    scale: float | None
    matched: tuple[str, ...]


_new_effect = tuple.__new__


@dataclass(frozen=True)
class RuleHead:
    """The effect side of a rule: what every match of it records."""

    id: str
    effect: EffectKind
    level: TriageLevel | None
    message: str
    source: str
    target: str | None
    """The binding whose fact's ``key`` the effect targets (an item), if any."""
    scale: float | None

    @classmethod
    def of(cls, rule: Rule) -> RuleHead:
        """The head of a rule from the knowledge."""
        scale = rule.adjust.scale if rule.adjust is not None else None
        return cls(rule.id, rule.effect, rule.level, rule.message, rule.source, rule.target, scale)

    def effect_of(self, bindings: Bindings) -> Effect:
        """The effect of one match; the one place an ``Effect`` is made from a rule."""
        target = str(bindings[self.target]["key"]) if self.target is not None else None
        matched = tuple(sorted(describe_fact(fact) for fact in bindings.values()))
        return self.effect_for(target, matched)

    def effect_for(self, target: str | None, matched: tuple[str, ...]) -> Effect:
        """The effect of one match, from its target key and its sorted fact descriptions."""
        # tuple.__new__ directly: the named tuple's own __new__ is one more Python call per match
        return _new_effect(
            Effect, (self.id, self.effect, target, self.level, self.message, self.source, self.scale, matched)
        )


def describe_fact(fact: Mapping[str, object]) -> str:
    """A short, stable description of a matched fact, such as ``pain:back`` or ``person``.

    >>> describe_fact({"t": "need", "item": "toe_curls", "equipment": "towel"})
    'need:toe_curls:towel'
    """
    fact_type = fact.get("t", "?")
    if fact_type == NEED_FACT:
        return f"{NEED_FACT}:{fact.get('item')}:{fact.get('equipment')}"
    key = fact.get("key")
    return f"{fact_type}:{key}" if key is not None else str(fact_type)


def is_reported(description: str) -> bool:
    """Whether a fact description is something the person reported (not an item or its needs)."""
    return not description.startswith((f"{ITEM_FACT}:", f"{NEED_FACT}:"))


def reported(matched: Iterable[str]) -> list[str]:
    """The descriptions among ``matched`` of what the person reported."""
    return [fact for fact in matched if is_reported(fact)]


def without_items(matched: Iterable[str]) -> list[str]:
    """The descriptions among ``matched`` that are not item facts."""
    prefix = f"{ITEM_FACT}:"
    return [fact for fact in matched if not fact.startswith(prefix)]


def matched_items(matched: Iterable[str]) -> list[str]:
    """The ids of the item facts among ``matched``."""
    prefix = f"{ITEM_FACT}:"
    return [fact[len(prefix) :] for fact in matched if fact.startswith(prefix)]


def sorted_effects(effects: Iterable[Effect]) -> list[Effect]:
    """Distinct effects, sorted field by field."""
    return sorted(set(effects))
