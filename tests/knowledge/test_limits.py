"""Bounded cost: a dropped knowledge base is freed, and hostile YAML fails fast."""

from __future__ import annotations

import gc
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

import footmap
from footmap._knowledge.loader import (
    YAML_MAX_DEPTH,
    FastStrictLoader,
    StrictLoader,
    YAMLLimitError,
    load_yaml,
)
from footmap._rules.engine import engine_for

PROFILE = {
    "pains": [{"area": "back", "severity": 6, "weeks": 3}, {"area": "heel", "severity": 4}],
    "symptoms": ["stiffness"],
    "equipment": ["towel", "chair"],
}


def _load_use_drop(directory: Path) -> tuple[weakref.ref[footmap.KnowledgeBase], weakref.ref[object]]:
    """Load a knowledge base, make a plan with it, and keep only weak references."""
    knowledge = footmap.KnowledgeBase.load(directory, overlay=True)
    footmap.recommend(PROFILE, knowledge=knowledge)
    return weakref.ref(knowledge), weakref.ref(engine_for(knowledge))


# --- memory --------------------------------------------------------------------------------------


def test_a_dropped_knowledge_base_is_freed_and_its_engine_kept_for_the_same_content(tmp_path: Path) -> None:
    knowledge, engine = _load_use_drop(tmp_path)
    gc.collect()
    assert knowledge() is None
    # durable-rules cannot free a session's C frames (see _rules/engine.py): knowledge with the
    # same content, loaded again, gets the same engine instead of a new one.
    again = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    assert engine_for(again) is engine()


def test_engines_of_dropped_knowledge_are_freed_past_the_shared_limit(tmp_path: Path) -> None:
    from footmap._rules.engine import SHARED_ENGINES

    (tmp_path / "wording.yaml").write_text("disclaimer: Only this test says this.\n", encoding="utf-8")
    first, engine = _load_use_drop(tmp_path)
    for number in range(SHARED_ENGINES):
        (tmp_path / "wording.yaml").write_text(f"disclaimer: Variant {number}.\n", encoding="utf-8")
        _load_use_drop(tmp_path)
    gc.collect()
    assert first() is None and engine() is None  # and with it durable-rules' C ruleset


def test_knowledge_loaded_again_and_again_keeps_its_engines_memory_flat(tmp_path: Path) -> None:
    # Equal knowledge bases share one engine, each with its own item facts: the engine must not
    # keep every copy's facts (it did: 2.5 MB more every 100 loads, until 65,536 facts).
    from footmap._rules.network import _SPARE_IDENTITIES

    engine = None
    for _ in range(60):
        knowledge = footmap.KnowledgeBase.load(tmp_path, overlay=True)
        footmap.recommend(PROFILE, knowledge=knowledge)
        footmap.recommend({"pains": [{"area": "knee", "severity": 3}]}, knowledge=knowledge)
        engine = engine_for(knowledge)
        del knowledge
    remembered: Any = engine._known  # type: ignore[union-attr]
    distinct = len(remembered._by_content)
    assert 0 < distinct < 1_000
    assert len(remembered._by_identity) <= 2 * distinct + _SPARE_IDENTITIES


def _plans_from_threads(directory: Path) -> tuple[weakref.ref[footmap.KnowledgeBase], list[footmap.Plan]]:
    """40 plans from one new knowledge base, on 4 threads that fill its caches between them."""
    knowledge = footmap.KnowledgeBase.load(directory, overlay=True)
    with ThreadPoolExecutor(max_workers=4) as pool:
        plans = list(pool.map(lambda _: footmap.recommend(PROFILE, knowledge=knowledge), range(40)))
    return weakref.ref(knowledge), plans


def test_threads_sharing_a_knowledge_base_agree_and_it_is_freed_after(tmp_path: Path) -> None:
    knowledge, plans = _plans_from_threads(tmp_path)
    assert all(plan == plans[0] for plan in plans)
    gc.collect()
    assert knowledge() is None


def test_the_shipped_knowledge_is_untouched_by_others_being_freed(tmp_path: Path) -> None:
    before = footmap.recommend(PROFILE)
    _load_use_drop(tmp_path)
    gc.collect()
    assert footmap.recommend(PROFILE) == before


# --- YAML bounds ---------------------------------------------------------------------------------

LOADERS = [StrictLoader] + ([FastStrictLoader] if FastStrictLoader is not StrictLoader else [])


def _laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("loader", LOADERS)
def test_billion_laughs_is_refused_fast(loader: type[Any]) -> None:
    started = time.perf_counter()
    with pytest.raises(
        YAMLLimitError, match=r"aliases stand for [\d,]+ nodes in all; footmap expands at most"
    ):
        yaml.load(_laughs(), Loader=loader)
    assert time.perf_counter() - started < 1


def test_billion_laughs_in_a_knowledge_file_is_one_yaml_syntax_finding(tmp_path: Path) -> None:
    (tmp_path / "advice.yaml").write_text(_laughs(), encoding="utf-8")
    started = time.perf_counter()
    findings = [f for f in footmap.KnowledgeBase.check(tmp_path, overlay=True) if f.file == "advice.yaml"]
    assert time.perf_counter() - started < 5  # the shipped knowledge is read too
    assert [f.code for f in findings] == [footmap.FindingCode.YAML_SYNTAX]
    assert "footmap expands at most 10,000" in findings[0].message


@pytest.mark.parametrize("loader", LOADERS)
def test_deep_nesting_is_refused_without_recursion_error(loader: type[Any]) -> None:
    with pytest.raises(yaml.YAMLError, match="nested more than 50 deep"):
        load_yaml("[" * 10_000 + "]" * 10_000) if loader is FastStrictLoader else yaml.load(
            "[" * 10_000 + "]" * 10_000, Loader=loader
        )


@pytest.mark.parametrize("loader", LOADERS)
def test_nesting_at_the_limit_and_small_aliases_still_load(loader: type[Any]) -> None:
    deepest = "[" * YAML_MAX_DEPTH + "1" + "]" * YAML_MAX_DEPTH
    assert yaml.load(deepest, Loader=loader) is not None
    with pytest.raises(YAMLLimitError):
        yaml.load("[" + deepest + "]", Loader=loader)
    text = "base: &base {sets: 2, reps: 10}\nfirst: *base\n"
    assert yaml.load(text, Loader=loader) == {
        "base": {"sets": 2, "reps": 10},
        "first": {"sets": 2, "reps": 10},
    }
    assert yaml.load(_laughs(levels=3), Loader=loader)["c"][0][0] == ["lol"] * 9  # 819 nodes


@pytest.mark.parametrize("loader", LOADERS)
def test_an_alias_shared_deeper_down_counts_its_depth_there(loader: type[Any]) -> None:
    half = YAML_MAX_DEPTH // 2 + 1
    text = f"a: &a {'[' * half}1{']' * half}\nb: {'[' * half}*a{']' * half}\n"
    with pytest.raises(YAMLLimitError, match="nested more than"):
        yaml.load(text, Loader=loader)


@pytest.mark.parametrize("loader", LOADERS)
def test_a_recursive_alias_is_refused(loader: type[Any]) -> None:
    with pytest.raises(YAMLLimitError, match="refers to a collection that contains it"):
        yaml.load("a: &a [1, *a]\n", Loader=loader)
