"""The rule engine: every rule fires on a witness, agrees with the reference, stays isolated.

Tests marked ``needs_durable`` check durable-rules itself; they are skipped where it cannot be
imported (Python 3.13+), where ``engine_for`` is the compiled twin (tests/rules/test_fallback.py).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Any

import pytest
from hypothesis import given

import footmap
from footmap._facts import Fact, candidate_ids, fact_nodes, item_facts, profile_facts
from footmap._kinds import FACT_TYPES
from footmap._knowledge import schema
from footmap._rules import engine as choice
from footmap._rules import reference
from footmap._rules.compile import knowledge_rules
from footmap._rules.durable import DurableEngine
from footmap._rules.engine import create_engine, durable_available, engine_for, rules_engine
from footmap._rules.python import PythonEngine
from tests.strategies import profile_dicts

needs_durable = pytest.mark.skipif(
    not durable_available(),
    reason="durable-rules cannot be imported on this Python; footmap runs its compiled twin",
)


def _value(comparison: schema.Scalar | schema.Comparison, bound: dict[str, Fact]) -> Any:
    """A value that satisfies a comparison."""
    if not isinstance(comparison, schema.Comparison):
        return comparison
    operator = comparison.operator
    operand: Any = getattr(comparison, operator)
    if operator == "ref":
        binding, _, field = operand.partition(".")
        return bound[binding][field]
    offsets = {"eq": 0, "gte": 0, "lte": 0, "gt": 1, "lt": -1}
    if operator == "one_of":
        return operand[0]
    if operator == "ne":
        return (
            (operand + 1)
            if isinstance(operand, int | float) and not isinstance(operand, bool)
            else (not operand if isinstance(operand, bool) else f"not_{operand}")
        )
    return operand + offsets[operator]


def witness(rule: schema.Rule) -> list[Fact]:
    """Facts that satisfy the rule: one per pattern that must be present."""
    patterns = rule.when.patterns if rule.when.all is not None else rule.when.patterns[:1]
    bound: dict[str, Fact] = {}
    facts: list[Fact] = []
    for index, pattern in enumerate(patterns):
        if pattern.absent:
            continue
        # Fields the rule does not constrain get placeholders, so that later `ref`s can join them.
        fact: Fact = {"t": pattern.fact, **{f: f"w{index}_{f}" for f in FACT_TYPES[pattern.fact]}}
        if pattern.is_ is not None:
            fact["key"] = pattern.is_
        for name, comparison in sorted(pattern.where.items()):
            fact[name] = _value(comparison, bound)
        bound[pattern.bind or f"p{index}"] = fact
        facts.append(fact)
    return facts


RULES = knowledge_rules(footmap.KnowledgeBase.load())


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.id}#{i}" for i, r in enumerate(RULES)])
def test_every_rule_fires_on_its_witness(rule: schema.Rule, kb: footmap.KnowledgeBase) -> None:
    facts = witness(rule)
    effects = engine_for(kb).run(facts)
    assert rule.id in {effect.rule for effect in effects}, facts
    assert rule.id in {effect.rule for effect in reference.evaluate(RULES, facts)}


def _facts(data: dict[str, Any], kb: footmap.KnowledgeBase) -> list[Fact]:
    profile = footmap.Profile.model_validate(data)
    paths = kb.candidates(fact_nodes(profile))
    return profile_facts(profile, kb) + item_facts(candidate_ids(paths, kb), kb)


@needs_durable
@given(profile_dicts())
def test_engine_agrees_with_reference_evaluator(data: dict[str, Any]) -> None:
    kb = _KB
    facts = _facts(data, kb)
    expected = reference.evaluate(RULES, facts)
    assert engine_for(kb).run(facts) == expected
    items = sum(fact["t"] in ("item", "need") for fact in facts)  # the knowledge-only facts, last
    assert engine_for(kb).run(facts, items) == expected


_KB = footmap.KnowledgeBase.load()


@needs_durable
def test_more_sessions_than_durable_rules_keeps_alive(kb: footmap.KnowledgeBase) -> None:
    engine = engine_for(kb)
    facts = witness(RULES[0])
    first = engine.run(facts)
    for _ in range(1_500):  # durable-rules allows 1,024 live sessions: each run must free its own
        assert engine.run(facts) == first


@needs_durable
def test_two_engines_with_the_same_rules_coexist(kb: footmap.KnowledgeBase) -> None:
    one, two = create_engine(kb, "durable"), create_engine(kb, "durable")
    facts = witness(RULES[0])
    assert one.run(facts) == two.run(facts) != []


@needs_durable
def test_an_error_inside_an_action_is_raised_not_swallowed() -> None:
    rule = schema.Rule.model_validate(
        {
            "id": "test.pain",
            "effect": "caution",
            "message": "m",
            "source": "s",
            "when": {"all": [{"fact": "pain", "where": {"severity": {"gte": 0}}}]},
        }
    )
    engine = rules_engine([rule], "durable")
    assert isinstance(engine, DurableEngine)

    def broken(raw: list[str], fits: list[list[int]]) -> list[list[int]]:
        raise footmap.RuleEngineError("a rule match could not be read: simulated")

    engine._read = broken  # type: ignore[method-assign]
    with pytest.raises(footmap.RuleEngineError, match="simulated"):
        engine.run([{"t": "pain", "key": "back", "severity": 3}])
    del engine._read
    # The failed run left nothing behind: the next run sees only its own facts.
    assert [effect.matched for effect in engine.run([{"t": "pain", "key": "knee", "severity": 2}])] == [
        ("pain:knee",)
    ]


@needs_durable
def test_no_facts_no_effects(kb: footmap.KnowledgeBase) -> None:
    assert create_engine(kb, "durable").run([]) == []


def test_concurrent_runs_give_identical_effects(kb: footmap.KnowledgeBase) -> None:
    engine = engine_for(kb)
    facts = _facts(
        {
            "pains": [{"area": "back", "severity": 9}],
            "conditions": ["pregnancy"],
            "symptoms": ["tingling"],
            "age": 70,
        },
        kb,
    )
    expected = engine.run(facts)
    results: list[Any] = []

    def work() -> None:
        results.extend(engine.run(facts) for _ in range(100))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 800 and all(result == expected for result in results)


def _absent_rule() -> schema.Rule:
    return schema.Rule.model_validate(
        {
            "id": "test.new_back_pain",
            "effect": "refer",
            "level": "see_clinician",
            "message": "m",
            "source": "s",
            "when": {
                "all": [
                    {"fact": "pain", "is": "back", "as": "pain"},
                    {"fact": "pain", "is": "back", "where": {"weeks": {"gte": 6}}, "absent": True},
                    {"fact": "condition", "is": "osteoporosis", "absent": True},
                ]
            },
        }
    )


@pytest.mark.parametrize(
    ("facts", "fires"),
    [
        ([{"t": "pain", "key": "back", "weeks": 2}], True),
        ([{"t": "pain", "key": "back"}], True),
        # The same fact fits the positive and the absent pattern: durable-rules' $not would fire.
        ([{"t": "pain", "key": "back", "weeks": 10}], False),
        # The negating fact comes after the positive one in the batch.
        ([{"t": "pain", "key": "back"}, {"t": "condition", "key": "osteoporosis"}], False),
        ([{"t": "condition", "key": "osteoporosis"}, {"t": "pain", "key": "back"}], False),
    ],
)
def test_absent_patterns_hold_whatever_the_fact_order(facts: list[Fact], fires: bool) -> None:
    rule = _absent_rule()
    assert bool(reference.evaluate([rule], facts)) == fires
    if durable_available():
        assert bool(rules_engine([rule], "durable").run(facts)) == fires
    assert bool(rules_engine([rule], "python").run(facts)) == fires


def _keyed_rules(count: int, fact: str = "symptom") -> list[schema.Rule]:
    return [
        schema.Rule.model_validate(
            {
                "id": f"test.many_{number}",
                "effect": "caution",
                "message": "m",
                "source": "s",
                "when": {"all": [{"fact": fact, "is": f"k{number}", "as": "one"}]},
            }
        )
        for number in range(count)
    ]


@needs_durable
def test_a_thousand_rules_on_one_fact_type_agree_with_the_reference() -> None:
    # durable-rules files a node's children in 512 slots; keys are spread over buckets.
    rules = _keyed_rules(1_000)
    engine = rules_engine(rules, "durable")
    facts: list[Fact] = [{"t": "symptom", "key": f"k{number}"} for number in (0, 511, 512, 999)]
    effects = engine.run(facts)
    assert [effect.rule for effect in effects] == [
        "test.many_0",
        "test.many_511",
        "test.many_512",
        "test.many_999",
    ]
    assert effects == reference.evaluate(rules, facts)


_TOO_WIDE = """
import footmap
from footmap._knowledge import schema
from footmap._rules.engine import rules_engine
rules = [schema.Rule.model_validate({
    "id": f"test.wide_{n}", "effect": "caution", "message": "m", "source": "s",
    "when": {"all": [{"fact": "item", "where": {"modality": f"m{n}"}}]}}) for n in range(600)]
try:
    rules_engine(rules, "durable")
except footmap.RuleEngineError as error:
    print(error)
"""


@needs_durable
def test_rules_that_would_hang_durable_rules_are_refused() -> None:
    # 600 tests of one field under one node (and the sentinel's `$or`, which every type's node
    # leads to): durable-rules itself would loop forever.
    result = subprocess.run(
        [sys.executable, "-c", _TOO_WIDE], capture_output=True, text=True, timeout=60, check=True
    )
    assert "601 children" in result.stdout and "hangs at 512" in result.stdout


_WIDE_ONE_OF = """
import footmap
from footmap._knowledge import schema
from footmap._rules.engine import rules_engine
rules = [schema.Rule.model_validate({
    "id": f"test.one_of_{n}", "effect": "caution", "message": "m", "source": "s",
    "when": {"all": [{"fact": "item", "where": {"modality": {"one_of": [f"m{n}_{v}" for v in range(5)]}}}]}})
    for n in range(110)]
try:
    rules_engine(rules, "durable")
except footmap.RuleEngineError as error:
    print(error)
"""


@needs_durable
def test_one_of_tests_count_each_value_as_a_child_and_are_refused_before_they_hang() -> None:
    # 110 tests of five values each: durable-rules hangs the node they follow with 550 children
    # (each value is one; 551 with the sentinel's), where counting each `one_of` once gave 111
    # (benchmarks/make_knowledge.py's 100x knowledge hung in create_ruleset).
    result = subprocess.run(
        [sys.executable, "-c", _WIDE_ONE_OF], capture_output=True, text=True, timeout=60, check=True
    )
    assert "551 children" in result.stdout and "hangs at 512" in result.stdout


@needs_durable
def test_auto_falls_back_when_durable_rules_cannot_hold_the_rules(
    kb: footmap.KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(network: Any) -> DurableEngine:
        raise footmap.RuleEngineError("simulated: too many rules")

    monkeypatch.setattr(choice, "DurableEngine", refuse)
    monkeypatch.setattr(choice, "_warned", [])
    with pytest.warns(footmap.EngineFallbackWarning, match="cannot run this knowledge's rules"):
        engine = choice.create_engine(kb)
    assert isinstance(engine, PythonEngine)
    with pytest.raises(footmap.RuleEngineError, match="simulated"):
        choice.create_engine(kb, "durable")


@pytest.mark.parametrize("name", ["python", pytest.param("durable", marks=needs_durable)])
def test_a_plans_run_asks_the_engine_of_each_distinct_fact_once(
    name: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = footmap.KnowledgeBase.load()
    engine = engine_for(knowledge, name)
    asked: list[int] = []
    own = engine._known._alpha_fits

    def counted(facts: Any) -> Any:
        asked.append(len(facts))
        return own(facts)

    monkeypatch.setattr(engine._known, "_alpha_fits", counted)
    profile = {"pains": [{"area": "knee", "severity": 6, "weeks": 2.718281}], "symptoms": ["tingling"]}
    first = footmap.recommend(profile, knowledge=knowledge, engine=name)
    assert asked  # the person's facts, and the candidates', were new to this engine
    asked.clear()
    again = footmap.recommend(dict(profile), knowledge=knowledge, engine=name)
    assert asked == [] and again == first
    changed = {**profile, "pains": [{"area": "knee", "severity": 6, "weeks": 3.141592}]}
    footmap.recommend(changed, knowledge=knowledge, engine=name)
    assert asked == [1]  # only the pain fact is new


def test_the_persons_facts_an_engine_remembers_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from footmap._rules import network

    monkeypatch.setattr(network, "_REMEMBERED_OWN", 16)
    knowledge = footmap.KnowledgeBase.load()
    engine = engine_for(knowledge, "python")
    monkeypatch.setattr(engine._known, "_own", {})
    for number in range(60):  # a new pain fact each time
        profile = {"pains": [{"area": "back", "severity": 4, "weeks": 100 + number / 7}]}
        plan = footmap.recommend(profile, knowledge=knowledge, engine="python")
        assert plan == footmap.recommend(profile, knowledge=knowledge, engine="python")
        assert 0 < len(engine._known._own) <= 16
