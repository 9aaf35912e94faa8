"""Whether one fact fits one rule pattern, in plain Python (shared by the engine and the oracle)."""

from __future__ import annotations

from typing import Any

from footmap.knowledge import schema

__all__ = ["Bindings", "fits", "no_fact_fits"]

Bindings = dict[str, dict[str, Any]]


def no_fact_fits(pattern: schema.Pattern, facts: Any, bound: Bindings) -> bool:
    """True when no fact fits the pattern: what an ``absent`` pattern asks."""
    return not any(fits(pattern, fact, bound) for fact in facts)


def fits(pattern: schema.Pattern, fact: dict[str, Any], bound: Bindings) -> bool:
    """Whether a fact fits a pattern, given the facts bound by earlier patterns."""
    if fact.get("t") != pattern.fact:
        return False
    if pattern.is_ is not None and fact.get("key") != pattern.is_:
        return False
    return all(compare(fact, name, value, bound) for name, value in pattern.where.items())


def compare(
    fact: dict[str, Any], name: str, value: schema.Scalar | schema.Comparison, bound: Bindings
) -> bool:
    """Whether one field of a fact satisfies a comparison; a missing field never does."""
    if name not in fact:
        return False
    actual: Any = fact[name]
    if not isinstance(value, schema.Comparison):
        return bool(actual == value)
    operator = value.operator
    operand: Any = getattr(value, operator)
    if operator == "ref":
        binding, _, field = operand.partition(".")
        return field in bound[binding] and bool(actual == bound[binding][field])
    if operator == "one_of":
        return actual in operand
    if operator == "eq":
        return bool(actual == operand)
    if operator == "ne":
        return bool(actual != operand)
    if not (_is_number(actual) and _is_number(operand)):
        return False  # an order between a number and anything else never holds
    checks = {
        "gt": actual > operand, "gte": actual >= operand,
        "lt": actual < operand, "lte": actual <= operand,
    }
    return bool(checks[operator])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
