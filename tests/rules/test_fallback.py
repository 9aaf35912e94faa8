"""The compiled twin as footmap's engine where durable-rules is not there, and the oracles.

The reference evaluator must give the same effects as a brute-force reading of the rules; the
twin and durable-rules the same plans (byte for byte). Where durable-rules is not installed, by
design, the twin runs without a word; where it is installed and fails, one warning per process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

import footmap
from footmap import EngineFallbackWarning
from footmap._compose import compose
from footmap._facts import Fact, candidate_ids, fact_nodes, gather, item_facts, profile_facts
from footmap._knowledge import schema
from footmap._knowledge.base import shipped_knowledge
from footmap._rules import durable, engine
from footmap._rules.compile import knowledge_rules
from footmap._rules.durable import DurableEngine
from footmap._rules.effects import Bindings, Effect, describe_fact
from footmap._rules.engine import Decisions, create_engine, engine_for
from footmap._rules.match import fits
from footmap._rules.python import PythonEngine
from footmap._rules.reference import ReferenceEngine
from tests.rules.test_engine import needs_durable
from tests.strategies import profile_dicts

REPO = Path(__file__).resolve().parents[2]
KB = shipped_knowledge()
RULES = knowledge_rules(KB)
REFERENCE = ReferenceEngine(RULES)


def brute_force(rules: Sequence[schema.Rule], facts: Sequence[Fact]) -> list[Effect]:
    """The rules' meaning, spelled out: every combination of facts, pattern by pattern."""
    effects: set[Effect] = set()
    for rule in rules:
        for bindings in _matches(rule.when, facts):
            matched = tuple(sorted(describe_fact(fact) for fact in bindings.values()))
            target = bindings[rule.target]["key"] if rule.target is not None else None
            effects.add(
                Effect(
                    rule.id,
                    rule.effect,
                    target,
                    rule.level,
                    rule.message,
                    rule.source,
                    rule.adjust.scale if rule.adjust is not None else None,
                    matched,
                )
            )
    return sorted(effects)


def _matches(condition: schema.Condition, facts: Sequence[Fact]) -> Iterator[Bindings]:
    if condition.any is not None:
        for index, pattern in enumerate(condition.any):
            yield from ({pattern.bind or f"p{index}": fact} for fact in facts if fits(pattern, fact, {}))
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
        if all(fact is not other for other in bound.values()):  # each pattern binds its own fact
            yield from _join(rest, facts, {**bound, pattern.bind or f"p{index}": fact})


def _inputs(data: dict[str, Any]) -> tuple[footmap.Profile, list[Any], list[Fact]]:
    profile = footmap.Profile.model_validate(data)
    paths = KB.candidates(fact_nodes(profile))
    return profile, paths, profile_facts(profile, KB) + item_facts(candidate_ids(paths, KB), KB)


@given(profile_dicts())
def test_the_reference_engine_agrees_with_brute_force(data: dict[str, Any]) -> None:
    _, _, facts = _inputs(data)
    assert REFERENCE.run(facts) == brute_force(RULES, facts)


@needs_durable
@given(profile_dicts())
def test_both_engines_give_the_same_plan_byte_for_byte(data: dict[str, Any]) -> None:
    profile, _, _ = _inputs(data)
    plan = footmap.recommend(profile, knowledge=KB)
    assert isinstance(engine_for(KB), DurableEngine)
    assert (
        footmap.recommend(profile, knowledge=KB, engine="python").model_dump_json() == plan.model_dump_json()
    )
    candidates = gather(profile, KB)
    by_reference = compose(Decisions(candidates, tuple(REFERENCE.run(candidates.facts))))
    assert by_reference.model_dump_json() == plan.model_dump_json()


@pytest.fixture
def without_durable(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process as if durable-rules could not be imported, with no warning given yet."""
    monkeypatch.setattr(durable, "_durable", None)
    monkeypatch.setattr(durable, "DURABLE_IMPORT_ERROR", "ImportError: simulated")
    monkeypatch.setattr(engine, "DURABLE_IMPORT_ERROR", "ImportError: simulated")
    monkeypatch.setattr(engine, "_warned", [])
    monkeypatch.setattr(engine, "_shared", OrderedDict())  # no engine built with durable-rules
    monkeypatch.setattr(engine, "durable_version", lambda: "2.0.28")  # installed, failing to import


@pytest.fixture
def durable_not_installed(without_durable: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process as on Python 3.13, where the environment marker leaves durable-rules out."""
    monkeypatch.setattr(engine, "durable_version", lambda: None)


@pytest.mark.usefixtures("without_durable")
def test_durable_installed_but_failing_falls_back_with_one_warning() -> None:
    with pytest.warns(EngineFallbackWarning, match="installed but cannot be imported") as caught:
        first = create_engine(KB)
        second = create_engine(KB)
    assert isinstance(first, PythonEngine) and isinstance(second, PythonEngine)
    assert len([w for w in caught if w.category is EngineFallbackWarning]) == 1


@pytest.mark.usefixtures("durable_not_installed")
def test_durable_not_installed_by_design_runs_the_twin_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as apps' test settings have it (-W error)
        assert isinstance(create_engine(KB), PythonEngine)
        info = footmap.engine_info(knowledge=footmap.KnowledgeBase.load())
    assert info.engine == "python" and not info.durable_installed
    assert "not installed" in info.reason


def test_engine_info_says_which_engine_runs_and_asking_for_one_runs_it() -> None:
    info = footmap.engine_info()
    assert info.engine == ("durable" if engine.durable_available() else "python")
    assert info.requested == "auto" and info.python == sys.version.split()[0]
    assert footmap.engine_info("python").engine == "python"
    with pytest.raises(ValueError, match="engine must be one of 'auto', 'durable', 'python'"):
        footmap.recommend({}, engine="clips")  # type: ignore[arg-type]


@pytest.mark.usefixtures("without_durable")
def test_without_durable_asking_for_it_is_a_clear_error() -> None:
    with pytest.raises(footmap.RuleEngineError, match=r"cannot be imported here .*simulated"):
        create_engine(KB, "durable")


def test_the_warning_is_public_and_a_user_warning() -> None:
    assert footmap.EngineFallbackWarning is EngineFallbackWarning
    assert issubclass(EngineFallbackWarning, UserWarning)


_BLOCKED = """
import json, sys, warnings
sys.modules["durable_rules_engine"] = None  # as on Python 3.13: the import fails
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import footmap
    profiles = json.loads(sys.argv[1])
    plans = [footmap.recommend(p).model_dump_json() for p in profiles]
    again = [footmap.recommend(p).model_dump_json() for p in profiles]
    other = footmap.KnowledgeBase.load()
    plans_other = [footmap.recommend(p, knowledge=other).model_dump_json() for p in profiles]
fallback = [str(w.message) for w in caught if w.category is footmap.EngineFallbackWarning]
print(json.dumps({"plans": plans, "same": plans == again == plans_other, "warnings": fallback}))
"""

PROFILES: list[dict[str, Any]] = [
    {
        "pains": [{"area": "back", "severity": 6, "weeks": 3}],
        "symptoms": ["stiffness"],
        "equipment": ["towel", "tennis_ball", "chair", "wall"],
        "minutes_per_day": 15,
    },
    {
        "pains": [{"area": "knee", "severity": 8}],
        "conditions": ["pregnancy", "diabetes"],
        "observations": ["foot_wound"],
        "age": 81,
        "can_get_on_floor": False,
    },
    {"symptoms": ["saddle_numbness"], "pains": [{"area": "back", "severity": 9}]},
]


def test_a_process_without_durable_gives_the_same_plans_and_warns_once(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _BLOCKED, json.dumps(PROFILES)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["same"]
    assert out["plans"] == [footmap.recommend(p).model_dump_json() for p in PROFILES]
    if engine.durable_version() is None:  # not installed (3.13+): the twin is simply the engine
        assert out["warnings"] == []
        return
    [warning] = out["warnings"]  # installed, its import blocked: said once
    assert "compiled-Python engine" in warning and "same plans" in warning


@pytest.mark.usefixtures("without_durable")
def test_recommend_many_warns_once_in_the_calling_process_not_in_each_worker() -> None:
    with pytest.warns(EngineFallbackWarning) as caught:
        plans = list(footmap.recommend_many(PROFILES * 12, workers=2))
    assert len(plans) == len(PROFILES) * 12
    assert len([w for w in caught if w.category is EngineFallbackWarning]) == 1
