"""Generated rule sets: durable-rules, the compiled twin and the reference give identical effects.

The rules are random well-typed ``schema.Rule`` objects over every fact type (``all``/``any``,
1–4 patterns, ``is``, every comparison, ``ref`` joins, ``absent``, several patterns of one type,
edge numbers), run over random fact lists. One durable-rules ruleset is built per example (all
of its rules in it), in this process: durable-rules runs only one-fact tests (the joins are
Python), so nothing here is fenced off in a worker, and a crash would fail the suite. A
thorough run (see ``docs/reliability.md``)::

    FOOTMAP_GENERATED_RULE_SETS=20000 pytest tests/rules/test_generated.py
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import given, settings

from footmap._facts import Fact
from footmap._knowledge import schema
from footmap._rules import reference
from footmap._rules.engine import rules_engine
from tests.rules.test_engine import needs_durable
from tests.rules.test_fallback import brute_force
from tests.strategies import rule_sets_with_facts

_F = TypeVar("_F", bound=Callable[..., Any])


def _examples(function: _F) -> _F:
    """The hypothesis profile's number of examples, or ``FOOTMAP_GENERATED_RULE_SETS`` of them."""
    count = os.environ.get("FOOTMAP_GENERATED_RULE_SETS")
    return settings(max_examples=int(count))(function) if count else function


_inputs = rule_sets_with_facts(max_rules=6, max_facts=6)


def _rules(data: list[dict[str, Any]]) -> list[schema.Rule]:
    return [schema.Rule.model_validate(rule) for rule in data]


def _facts(data: list[dict[str, Any]]) -> list[Fact]:
    return [Fact(**fact) for fact in data]  # type: ignore[typeddict-item]


@needs_durable
@_examples
@given(_inputs)
def test_durable_rules_agrees_with_the_reference_on_generated_rules(
    inputs: tuple[list[dict[str, Any]], list[list[dict[str, Any]]]],
) -> None:
    rule_data, fact_data = inputs
    assert _disagreement("durable", rule_data, fact_data) == ""


@_examples
@given(_inputs)
def test_the_compiled_twin_agrees_with_the_reference_on_generated_rules(
    inputs: tuple[list[dict[str, Any]], list[list[dict[str, Any]]]],
) -> None:
    rule_data, fact_data = inputs
    assert _disagreement("python", rule_data, fact_data) == ""


def _disagreement(
    engine_name: Any, rule_data: list[dict[str, Any]], fact_data: list[list[dict[str, Any]]]
) -> str:
    """The first fact list on which the engine and the reference disagree ("" if none), with the
    list's last facts taken as knowledge-only (``known``: none, half, all), so the engine's
    remembered fits are made on one run and read on the next: by identity (the same fact
    objects), and by content (copies of them, as a plan's run finds a person's facts)."""
    rules = _rules(rule_data)
    engine = rules_engine(rules, engine_name)
    for data in fact_data:
        facts = _facts(data)
        expected = reference.evaluate(rules, facts)
        copies: list[Fact] = [Fact(**fact) for fact in facts]  # type: ignore[typeddict-item]
        for known, run in [
            (0, facts),
            (len(facts) // 2, facts),
            (len(facts), facts),
            (len(facts) // 2, copies),
        ]:
            got = engine.run(run, known)
            if got != expected:
                return f"rules {rule_data}, facts {facts}, known {known}: {engine_name} {got}, {expected}"
    return ""


@_examples
@given(_inputs)
def test_the_reference_agrees_with_brute_force_on_generated_rules(
    inputs: tuple[list[dict[str, Any]], list[list[dict[str, Any]]]],
) -> None:
    rule_data, fact_data = inputs
    rules = _rules(rule_data)
    for data in fact_data:
        facts = _facts(data)
        assert reference.evaluate(rules, facts) == brute_force(rules, facts), (rule_data, facts)
