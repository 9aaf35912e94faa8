"""Bounded cost: a dropped knowledge base is freed, and hostile YAML fails fast."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import footmap
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


def test_a_dropped_knowledge_base_is_freed_with_its_caches_and_engine(tmp_path: Path) -> None:
    knowledge, engine = _load_use_drop(tmp_path)
    gc.collect()
    assert knowledge() is None
    assert engine() is None  # and with it durable-rules' C ruleset (its weakref.finalize)


def test_the_shipped_knowledge_is_untouched_by_others_being_freed(tmp_path: Path) -> None:
    before = footmap.recommend(PROFILE)
    _load_use_drop(tmp_path)
    gc.collect()
    assert footmap.recommend(PROFILE) == before
