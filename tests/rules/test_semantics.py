"""What a rule means (``docs/knowledge.md``), one fixed case each, on every engine there is.

Each case was first measured on durable-rules 2.0.28; the reference evaluator (footmap's engine on
Python 3.13) must give the same effects, traces included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import footmap
from footmap import FindingCode
from footmap._facts import Fact
from footmap._knowledge import schema
from footmap._rules import reference
from footmap._rules.engine import create_engine, durable_available, rules_engine


def _rule(mode: str, patterns: list[dict[str, Any]]) -> schema.Rule:
    return schema.Rule.model_validate(
        {"id": "test.rule", "effect": "caution", "message": "m", "source": "s", "when": {mode: patterns}}
    )


def _traces(rule: schema.Rule, facts: list[Fact]) -> dict[str, list[tuple[str, ...]]]:
    """The matched facts of each effect, by engine: the reference's, the twin's, and durable-rules'
    where it runs."""
    traces = {"reference": [effect.matched for effect in reference.evaluate([rule], facts)]}
    names: list[Any] = ["python", "durable"] if durable_available() else ["python"]
    for name in names:
        traces[name] = [effect.matched for effect in rules_engine([rule], name).run(facts)]
    return traces


PERSON: Fact = {"t": "person", "age": 80, "can_get_on_floor": False}
OLD: dict[str, Any] = {"fact": "person", "where": {"age": {"gte": 70}}}
OFF_FLOOR: dict[str, Any] = {"fact": "person", "where": {"can_get_on_floor": False}}
PAINS: list[Fact] = [
    {"t": "pain", "key": "back", "severity": 6, "weeks": 3},
    {"t": "pain", "key": "knee", "severity": 7},
]

CASES: list[tuple[str, str, list[dict[str, Any]], list[Fact], list[tuple[str, ...]]]] = [
    (
        "two patterns never bind the one person fact",
        "all",
        [
            {"fact": "person", "where": {"age": {"gte": 70}}},
            {"fact": "person", "where": {"can_get_on_floor": False}},
        ],
        [PERSON],
        [],
    ),
    (
        "two patterns of one type bind two different facts, in both orders",
        "all",
        [{"fact": "pain", "as": "a"}, {"fact": "pain", "as": "b"}],
        PAINS,
        [("pain:back", "pain:knee")],
    ),
    (
        "the same fact asserted twice is two facts",
        "all",
        [{"fact": "pain", "as": "a"}, {"fact": "pain", "as": "b"}],
        [PAINS[0], PAINS[0]],
        [("pain:back", "pain:back")],
    ),
    (
        "any fires once per pattern per fitting fact, with that binding alone",
        "any",
        [{"fact": "pain", "where": {"severity": {"gte": 5}}}, {"fact": "symptom"}],
        [*PAINS, {"t": "symptom", "key": "stiffness"}],
        [("pain:back",), ("pain:knee",), ("symptom:stiffness",)],
    ),
    (
        "any with one fact fitting two patterns",
        "any",
        [
            {"fact": "person", "where": {"age": {"gte": 70}}},
            {"fact": "person", "where": {"can_get_on_floor": False}},
        ],
        [PERSON],
        [("person",)],
    ),
    (
        "a ref to a field the bound fact lacks never holds",
        "all",
        [{"fact": "pain", "as": "a"}, {"fact": "pain", "where": {"weeks": {"ref": "a.weeks"}}}],
        PAINS,
        [],
    ),
    (
        "a ref joins 3 and 3.0",
        "all",
        [{"fact": "pain", "as": "a"}, {"fact": "pain", "where": {"weeks": {"ref": "a.severity"}}}],
        [{"t": "pain", "key": "back", "severity": 3}, {"t": "pain", "key": "knee", "weeks": 3.0}],
        [("pain:back", "pain:knee")],
    ),
    (
        "ne on a missing field never holds",
        "all",
        [{"fact": "pain", "where": {"weeks": {"ne": 3}}}],
        PAINS,
        [],
    ),
    (
        "absent: no fact of the run fits, the bound ones included",
        "all",
        [{"fact": "pain", "as": "a"}, {"fact": "pain", "where": {"severity": {"gte": 7}}, "absent": True}],
        PAINS,
        [],
    ),
]


@pytest.mark.parametrize(("name", "mode", "patterns", "facts", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_rule_means_one_thing_on_every_engine(
    name: str, mode: str, patterns: list[dict[str, Any]], facts: list[Fact], expected: list[tuple[str, ...]]
) -> None:
    for engine, traces in _traces(_rule(mode, patterns), facts).items():
        assert traces == expected, engine


_OVERLAY_RULE = {
    "id": "refer.old_and_off_the_floor",
    "effect": "refer",
    "level": "see_clinician",
    "message": "Two person patterns: they never bind the one person fact.",
    "source": "footmap_policy",
    "when": {
        "all": [
            {"fact": "person", "where": {"age": {"gte": 70}}},
            {"fact": "person", "where": {"can_get_on_floor": False}},
        ]
    },
}


def test_an_overlay_rule_gives_one_plan_on_every_engine(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "extra.yaml").write_text(yaml.safe_dump([_OVERLAY_RULE]), encoding="utf-8")
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    profile = {"age": 75, "can_get_on_floor": False}
    backends: list[Any] = ["python", "durable"] if durable_available() else ["python"]
    plans = {backend: _triage(kb, profile, backend) for backend in backends}
    assert set(plans.values()) == {"self_care"}, plans


def _triage(kb: footmap.KnowledgeBase, profile: dict[str, Any], backend: Any) -> str:
    from footmap._compose import compose
    from footmap._facts import gather
    from footmap._rules.engine import Decisions

    candidates = gather(footmap.Profile.model_validate(profile), kb)
    effects = create_engine(kb, backend).run(candidates.facts)
    return compose(Decisions(candidates, tuple(effects))).triage


def test_knowledge_check_names_operands_no_engine_compares_exactly(tmp_path: Path) -> None:
    rule = {**_OVERLAY_RULE, "when": {"all": [{"fact": "person", "where": {"age": {"one_of": [2**60, 3]}}}]}}
    fine = {
        **_OVERLAY_RULE,
        "id": "refer.tiny",
        "when": {"all": [{"fact": "pain", "where": {"weeks": {"gte": 0.00001}}}]},
    }
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "extra.yaml").write_text(yaml.safe_dump([rule, fine]), encoding="utf-8")
    findings = [
        f for f in footmap.KnowledgeBase.check(tmp_path, overlay=True) if f.file == "rules/extra.yaml"
    ]
    assert [(f.code, f.entry, f.field) for f in findings] == [
        (FindingCode.INVALID_RULE, "refer.old_and_off_the_floor", "when.0.where.age")
    ]
    assert "2**53" in findings[0].message


def test_a_rule_joining_four_patterns_runs_on_every_engine() -> None:
    # durable-rules itself corrupted its heap on such joins; its engine now runs one-fact tests only.
    rule = _rule("all", [{"fact": "pain", "as": f"b{number}"} for number in range(4)])
    facts: list[Fact] = [{"t": "pain", "key": key} for key in ("back", "knee", "hip", "foot")]
    traces = _traces(rule, facts)
    assert traces["reference"] == [("pain:back", "pain:foot", "pain:hip", "pain:knee")]
    assert all(trace == traces["reference"] for trace in traces.values())


#: Values of every kind a fact may hold, with the edges of Python's ``==`` across kinds.
_KINDS: list[Any] = [True, False, 0, 1, 1.0, 0.0, -0.0, 2.5, -3, "1", "a", "", "True", "0", None]


@pytest.mark.parametrize("operator", ["eq", "ne", "gt", "gte", "lt", "lte"])
def test_comparisons_across_kinds_are_pythons_on_every_engine(operator: str) -> None:
    # durable-rules compares kinds its own way ("a" >= 1, "1" == 1 and False >= 0 held there):
    # each kind of value reaches it in a field of its own, so every engine answers as Python.
    ordered = operator in {"gt", "gte", "lt", "lte"}
    operands = [v for v in _KINDS if v is not None and not (ordered and not isinstance(v, int | float))]
    names: list[Any] = ["python", "durable"] if durable_available() else ["python"]
    for operand in operands:
        rule = _rule("all", [{"fact": "pain", "where": {"severity": {operator: operand}}}])
        engines = {name: rules_engine([rule], name) for name in names}
        for value in _KINDS:
            facts: list[Fact] = [{"t": "pain", "key": "back", "severity": value}]  # type: ignore[typeddict-item]
            expected = bool(reference.evaluate([rule], facts))
            got = {name: bool(engine.run(facts)) for name, engine in engines.items()}
            assert set(got.values()) == {expected}, (operator, operand, value, got)


def test_a_join_runs_from_the_persons_facts_and_means_what_it_says() -> None:
    """The join starts from the person's few facts, each ``ref`` checked from the pattern joined
    later: the same matches as the written order gives."""
    from footmap._rules.network import build_network

    written = [
        {"fact": "need", "as": "need"},
        {"fact": "missing_equipment", "where": {"key": {"ref": "need.equipment"}}},
        {"fact": "item", "as": "item", "where": {"key": {"ref": "need.item"}}},
    ]
    rule = _rule("all", written)
    steps = build_network([rule]).rules[0].steps
    assert [step.name for step in steps] == ["p1", "need", "item"]
    assert steps[0].refs == () and steps[1].refs == (("equipment", "p1", "key"),)
    assert steps[0].key_ref is None and steps[2].key_ref == ("need", "item")
    facts: list[Fact] = [
        {"t": "need", "item": "toe_curls", "equipment": "towel"},
        {"t": "need", "item": "toe_curls", "equipment": "band"},
        {"t": "need", "item": "marble_pickup", "equipment": "marbles"},
        {"t": "missing_equipment", "key": "towel"},
        {"t": "missing_equipment", "key": "marbles"},
        {"t": "item", "key": "toe_curls"},
        {"t": "item", "key": "marble_pickup"},
    ]
    expected = [
        ("item:marble_pickup", "missing_equipment:marbles", "need:marble_pickup:marbles"),
        ("item:toe_curls", "missing_equipment:towel", "need:toe_curls:towel"),
    ]
    for engine, traces in _traces(rule, facts).items():
        assert sorted(traces) == expected, engine
