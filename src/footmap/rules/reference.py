"""A plain-Python evaluator of the same rules: a test oracle for the durable-rules engine.

It reads the rule data (not the compiled durable-rules JSON), so it checks the compiler too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from footmap.knowledge import schema
from footmap.rules.engine import Effect, describe_fact
from footmap.rules.facts import Fact

__all__ = ["evaluate"]

Bindings = dict[str, Fact]


def evaluate(rules: Sequence[schema.Rule], facts: Sequence[Fact]) -> list[Effect]:
    """Every effect the rules produce over the facts, sorted like ``RuleEngine.run``."""
    effects: set[Effect] = set()
    for rule in rules:
        for bindings in _matches(rule.when, facts):
            matched = tuple(sorted(describe_fact(fact) for fact in bindings.values()))
            target = bindings[rule.target]["key"] if rule.target is not None else None
            effects.add(Effect(
                rule.id, rule.effect, target, rule.level, rule.message, rule.source,
                rule.adjust.scale if rule.adjust is not None else None, matched,
            ))
    return sorted(effects)


def _matches(condition: schema.Condition, facts: Sequence[Fact]) -> Iterator[Bindings]:
    if condition.any is not None:
        for index, pattern in enumerate(condition.any):
            for fact in facts:
                if _fits(pattern, fact, {}):
                    yield {pattern.bind or f"p{index}": fact}
        return
    yield from _join(list(enumerate(condition.all or [])), facts, {})


def _join(
    patterns: list[tuple[int, schema.Pattern]], facts: Sequence[Fact], bound: Bindings
) -> Iterator[Bindings]:
    if not patterns:
        yield bound
        return
    (index, pattern), rest = patterns[0], patterns[1:]
    fitting = [fact for fact in facts if _fits(pattern, fact, bound)]
    if pattern.absent:
        if not fitting:
            yield from _join(rest, facts, bound)
        return
    for fact in fitting:
        yield from _join(rest, facts, {**bound, pattern.bind or f"p{index}": fact})


def _fits(pattern: schema.Pattern, fact: Fact, bound: Bindings) -> bool:
    if fact.get("t") != pattern.fact:
        return False
    if pattern.is_ is not None and fact.get("key") != pattern.is_:
        return False
    return all(_compare(fact, name, value, bound) for name, value in pattern.where.items())


def _compare(fact: Fact, name: str, value: schema.Scalar | schema.Comparison, bound: Bindings) -> bool:
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
