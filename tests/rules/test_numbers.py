"""Numbers reach durable-rules only in a form it parses and compares exactly (it crashed on ``1e-05``).

Each number is checked through ``footmap.recommend`` (within the profile's bounds), through the
engine directly, and as a rule operand, on both engines.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import footmap
from footmap._facts import Fact
from footmap._knowledge import schema
from footmap._rules import reference
from footmap._rules.compile import (
    durable_json,
    knowledge_rules,
    number_text,
    operand_problems,
)
from footmap._rules.engine import durable_available, engine_for, rules_engine
from tests.rules.test_engine import needs_durable

#: Numbers durable-rules 2.0.28 could not read as ``json.dumps`` writes them, and their neighbours.
NUMBERS: list[float | int] = [
    1e-05,
    1e-300,
    5e-324,
    1e300,
    -1e300,
    1.7976931348623157e308,
    2**53,
    2**53 + 1,
    2.0**53,
    -0.0,
    0.0,
    0,
    1e16,
    2.5,
    2**63 - 1,
    -(2**63),
    2**63,
    2**64 + 1,
    -(2**63) - 1,
]
#: The subset a profile's ``weeks`` may hold (a finite float in [0, 520]).
WEEKS = [1e-05, 1e-300, 5e-324, -0.0, 0.0, 0, 2.5, 6.0, 520.0]


def _rule(operator: str, operand: float | int, field: str = "weeks") -> schema.Rule:
    return schema.Rule.model_validate(
        {
            "id": f"test.{operator}",
            "effect": "caution",
            "message": "m",
            "source": "s",
            "when": {"all": [{"fact": "pain", "where": {field: {operator: operand}}}]},
        }
    )


_OPERATORS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
}


@pytest.mark.parametrize("weeks", WEEKS, ids=repr)
def test_recommend_takes_every_valid_weeks(weeks: float) -> None:
    # Run in a child process: before the fix, durable-rules' parser killed the process (exit 139).
    profile = {"pains": [{"area": "back", "severity": 3, "weeks": weeks}]}
    code = f"import footmap; print(footmap.recommend({profile!r}).triage)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    plan = footmap.recommend(profile)
    assert result.stdout.strip() == plan.triage


@pytest.mark.parametrize("value", NUMBERS, ids=repr)
def test_the_engine_takes_any_number_in_a_fact(value: float | int, kb: footmap.KnowledgeBase) -> None:
    facts: list[Fact] = [
        {"t": "pain", "key": "back", "severity": 8, "weeks": value},
        {"t": "person", "age": value, "can_get_on_floor": False},
    ]
    assert engine_for(kb).run(facts) == reference.evaluate(knowledge_rules(kb), facts)


@needs_durable
@pytest.mark.parametrize("operator", sorted(_OPERATORS))
@pytest.mark.parametrize("operand", NUMBERS, ids=repr)
def test_durable_rules_compares_like_python(operator: str, operand: float | int) -> None:
    rule = _rule(operator, operand)
    if list(operand_problems(rule)):
        pytest.skip("knowledge check refuses this operand (an integer beyond 2**53)")
    engine = rules_engine([rule], "durable")
    twin = rules_engine([rule], "python")
    comparison = rule.when.patterns[0].where["weeks"]
    assert isinstance(comparison, schema.Comparison)
    stored = getattr(comparison, operator)  # gt, gte, lt and lte operands are floats
    for value in NUMBERS:
        facts: list[Fact] = [{"t": "pain", "key": "back", "weeks": value}]
        expected = _OPERATORS[operator](value, stored)
        assert bool(engine.run(facts)) == expected, (value, operator, operand)
        assert bool(twin.run(facts)) == expected, (value, operator, operand)
        assert bool(reference.evaluate([rule], facts)) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e-05, "1.0e-05"),
        (5e-324, "5.0e-324"),
        (1e300, "1.0e+300"),
        (-0.0, "0"),
        (3.0, "3"),
        (1e16, "1.0e+16"),
        (2.0**53, str(2**53)),
        (9.3e18, "9.3e+18"),
        (0.1, "0.1"),
        (2**53, str(2**53)),
        (2**53 + 1, None),
        (2**63, None),
        (float("inf"), None),
        (float("nan"), None),
    ],
)
def test_number_text(value: float | int, text: str | None) -> None:
    assert number_text(value) == text
    if text is not None:
        assert json.loads(text) == value


def test_durable_json_writes_no_exponent_without_a_point() -> None:
    assert durable_json({"a": [1e-05, {"b": 1e300}], "c": "x", "d": False}) == (
        '{"a": [1.0e-05, {"b": 1.0e+300}], "c": "x", "d": false}'
    )
    with pytest.raises(ValueError, match="cannot hold"):
        durable_json({"a": 2**54})


@pytest.mark.parametrize("operand", [0.00001, 1e-05, 5e-324, 1e300, -1e300])
def test_operands_durable_rules_once_refused_now_run(operand: float) -> None:
    # durable-rules 2.0.28 refused `0.00001` (written `1e-05`) with error 204 at ruleset creation.
    rule = _rule("gte", operand)
    assert list(operand_problems(rule)) == []
    facts: list[Fact] = [{"t": "pain", "key": "back", "weeks": operand}]
    assert [effect.rule for effect in reference.evaluate([rule], facts)] == ["test.gte"]
    assert [effect.rule for effect in rules_engine([rule], "python").run(facts)] == ["test.gte"]
    if durable_available():
        assert [effect.rule for effect in rules_engine([rule], "durable").run(facts)] == ["test.gte"]


@pytest.mark.parametrize("operand", [2**53 + 1, -(2**63) - 1, float("inf"), float("nan")], ids=repr)
def test_operands_no_engine_can_hold_are_named(operand: float | int) -> None:
    rule = schema.Rule.model_validate(
        {
            "id": "test.big",
            "effect": "caution",
            "message": "m",
            "source": "s",
            "when": {"all": [{"fact": "person", "where": {"age": {"one_of": [1, operand]}}}]},
        }
    )
    [(field, message)] = operand_problems(rule)
    assert field == "when.0.where.age" and "cannot be compared exactly" in message
