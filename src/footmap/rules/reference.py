"""A plain-Python evaluator of the same rules: a test oracle for the durable-rules engine.

It reads the rule data (not the compiled durable-rules JSON), so it checks the compiler too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from footmap.knowledge import schema
from footmap.rules.engine import Effect, describe_fact
from footmap.rules.facts import Fact
from footmap.rules.match import Bindings, fits

__all__ = ["evaluate"]



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
                if fits(pattern, fact, {}):
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
    fitting = [fact for fact in facts if fits(pattern, fact, bound)]
    if pattern.absent:
        if not fitting:
            yield from _join(rest, facts, bound)
        return
    for fact in fitting:
        yield from _join(rest, facts, {**bound, pattern.bind or f"p{index}": fact})
