"""Whether one fact fits one rule pattern, in plain Python (shared by the engine and the oracle).

A pattern is compiled once into a :class:`Matcher` of plain tuples, so that matching never goes
back to the pydantic models of the rule data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from footmap._knowledge import schema
from footmap._rules.effects import Bindings

#: One field check: the field, the operator (eq, ne, gt, gte, lt, lte, one_of, ref), the operand.
Check = tuple[str, str, Any]


@dataclass(frozen=True)
class Matcher:
    """A compiled pattern: the fact type, the key (``is``), and the field checks in order."""

    fact: str
    key: str | None
    checks: tuple[Check, ...]

    def fits(self, fact: Mapping[str, object], bound: Bindings) -> bool:
        """Whether a fact fits, given the facts bound by earlier patterns."""
        if fact.get("t") != self.fact:
            return False
        if self.key is not None and fact.get("key") != self.key:
            return False
        return all(_holds(fact, check, bound) for check in self.checks)

    def none_fits(self, facts: Iterable[Mapping[str, object]], bound: Bindings) -> bool:
        """True when no fact fits: what an ``absent`` pattern asks."""
        return not any(self.fits(fact, bound) for fact in facts)


def compile_pattern(pattern: schema.Pattern) -> Matcher:
    """The pattern as a :class:`Matcher`."""
    return Matcher(
        pattern.fact, pattern.is_, tuple(_check(name, value) for name, value in pattern.where.items())
    )


def _check(name: str, value: schema.Scalar | schema.Comparison) -> Check:
    if not isinstance(value, schema.Comparison):
        return (name, "eq", value)
    operator = value.operator
    operand: Any = getattr(value, operator)
    if operator == "ref":
        binding, _, field = operand.partition(".")
        return (name, "ref", (binding, field))
    if operator == "one_of":
        return (name, "one_of", tuple(operand))
    return (name, operator, operand)


def _holds(fact: Mapping[str, object], check: Check, bound: Bindings) -> bool:
    """Whether one field of a fact satisfies a comparison; a missing field never does."""
    name, operator, operand = check
    if name not in fact:
        return False
    actual: Any = fact[name]
    if operator == "eq":
        return bool(actual == operand)
    if operator == "ref":
        binding, field = operand
        return field in bound[binding] and bool(actual == bound[binding][field])
    if operator == "one_of":
        return actual in operand
    if operator == "ne":
        return bool(actual != operand)
    if not (_is_number(actual) and _is_number(operand)):
        return False  # an order between a number and anything else never holds
    if operator == "gt":
        return bool(actual > operand)
    if operator == "gte":
        return bool(actual >= operand)
    if operator == "lt":
        return bool(actual < operand)
    return bool(actual <= operand)


def fits(pattern: schema.Pattern, fact: Mapping[str, object], bound: Bindings) -> bool:
    """Whether a fact fits a pattern, given the facts bound by earlier patterns."""
    return compile_pattern(pattern).fits(fact, bound)


def no_fact_fits(pattern: schema.Pattern, facts: Iterable[Mapping[str, object]], bound: Bindings) -> bool:
    """True when no fact fits the pattern: what an ``absent`` pattern asks."""
    return compile_pattern(pattern).none_fits(facts, bound)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
