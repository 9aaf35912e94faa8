"""footmap's rules in the one shape every peer of the peers table is translated from.

A rule of footmap's model (``docs/knowledge.md``, "What a rule means") becomes one or more
:class:`Branch` es: an ``all`` rule is one branch, an ``any`` rule one branch per pattern (it fires
once per pattern per fitting fact, with that binding alone). A branch is a list of
:class:`PeerPattern` s (a binding name, a fact type, a key, one-fact checks, ``ref`` checks on
earlier bindings, ``absent``) and the rule's head, which turns one match (facts by binding) into
footmap's :class:`~footmap._rules.effects.Effect`. Every translator reads only this module, so none
of them names a fact type, a field or an item: they are generic over the rule model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from footmap._facts import Fact
from footmap._knowledge import schema
from footmap._rules.effects import Effect, RuleHead, sorted_effects
from footmap._rules.match import Check, compile_pattern

#: A ``ref`` check: this fact's field, the earlier binding, that binding's field.
Ref = tuple[str, str, str]
#: One match of a branch: its number among all branches, and the facts it bound, by name.
Match = tuple[int, Mapping[str, Mapping[str, object]]]


@dataclass(frozen=True)
class PeerPattern:
    """One pattern: the name it binds, the fact type and key (``is``), one-fact checks and refs."""

    name: str
    fact: str
    key: str | None
    checks: tuple[Check, ...]
    refs: tuple[Ref, ...]
    absent: bool


@dataclass(frozen=True)
class Branch:
    """One way a rule fires: all of its patterns hold (the absent ones: no fact fits them)."""

    head: RuleHead
    patterns: tuple[PeerPattern, ...]

    @property
    def bound(self) -> tuple[PeerPattern, ...]:
        """The patterns that bind a fact (not ``absent``), in order."""
        return tuple(pattern for pattern in self.patterns if not pattern.absent)


def peer_pattern(number: int, pattern: schema.Pattern) -> PeerPattern:
    """A rule pattern for the peers: its ``ref`` checks apart from its one-fact checks."""
    matcher = compile_pattern(pattern)
    checks = tuple(check for check in matcher.checks if check[1] != "ref")
    refs = tuple(
        (name, operand[0], operand[1]) for name, operator, operand in matcher.checks if operator == "ref"
    )
    return PeerPattern(pattern.bind or f"p{number}", pattern.fact, pattern.is_, checks, refs, pattern.absent)


def branches(rules: Sequence[schema.Rule]) -> list[Branch]:
    """Every branch of the rules, in rule order."""
    found: list[Branch] = []
    for rule in rules:
        head = RuleHead.of(rule)
        patterns = tuple(peer_pattern(number, one) for number, one in enumerate(rule.when.patterns))
        if rule.when.any is not None:
            found += [Branch(head, (pattern,)) for pattern in patterns]
        else:
            found.append(Branch(head, patterns))
    return found


def effects(all_branches: Sequence[Branch], matches: Sequence[Match]) -> list[Effect]:
    """footmap's effects of the matches, distinct and sorted (what its engines return)."""
    return sorted_effects(all_branches[number].head.effect_of(bound) for number, bound in matches)


def has_absent(rule: schema.Rule) -> bool:
    """Whether a rule has an ``absent`` pattern."""
    return any(pattern.absent for pattern in rule.when.patterns)


def fact_fields(facts: Sequence[Fact]) -> list[str]:
    """Every field name of the facts, sorted."""
    return sorted({name for fact in facts for name in fact})


def rule_fields(all_branches: Sequence[Branch]) -> list[str]:
    """Every field name the branches test or join on, sorted."""
    names: set[str] = set()
    for branch in all_branches:
        for pattern in branch.patterns:
            names.update(name for name, _, _ in pattern.checks)
            names.update(name for name, _, field in pattern.refs)
            names.update(field for _, _, field in pattern.refs)
    return sorted(names)


def is_number(value: Any) -> bool:
    """A number in footmap's sense: an int or a float, never a flag."""
    return isinstance(value, int | float) and not isinstance(value, bool)
