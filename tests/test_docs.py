"""Generated documentation stays in step with the knowledge."""

from __future__ import annotations

import re
from pathlib import Path

import footmap
from footmap._knowledge.report import describe_condition, safety_report
from footmap._knowledge.schema import Condition

SAFETY_PAGE = Path(__file__).resolve().parents[1] / "docs" / "safety.md"


def test_the_safety_page_matches_the_knowledge(kb: footmap.KnowledgeBase) -> None:
    expected = safety_report(kb)
    assert SAFETY_PAGE.read_text(encoding="utf-8") == expected, (
        "docs/safety.md is stale: run `footmap knowledge report > docs/safety.md`"
    )


def test_the_safety_page_names_every_red_flag_precaution_and_source(kb: footmap.KnowledgeBase) -> None:
    page = safety_report(kb)
    for rule in kb.knowledge.rules:
        assert f"`{rule.id}`" in page
    for item in kb.items.values():
        for precaution in item.precautions:
            assert f"`{precaution.id}`" in page
    for source in kb.sources:
        assert f"`{source}`" in page


def test_conditions_read_as_words() -> None:
    condition = Condition.model_validate(
        {
            "all": [
                {"fact": "symptom", "is": "saddle_numbness"},
                {"fact": "pain", "where": {"severity": {"gte": 8}, "key": {"one_of": ["back", "neck"]}}},
                {"fact": "condition", "is": "pregnancy", "absent": True},
            ]
        }
    )
    assert describe_condition(condition) == (
        "symptom saddle_numbness and pain (key in back, neck, severity ≥ 8) and no condition pregnancy"
    )


ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
SOURCE = Path(__file__).resolve().parents[1] / "src" / "footmap"


def test_the_architecture_page_names_every_module_and_only_real_ones() -> None:
    """docs/architecture.md stays true: every module path it names exists, and it names every
    module (by its path, or, inside a package it names, by its name)."""
    page = ARCHITECTURE.read_text(encoding="utf-8")
    paths = {path.removeprefix("footmap/") for path in re.findall(r"`([\w/]+\.py)", page)}
    missing = sorted(path for path in paths if not (SOURCE / path).is_file())
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"
    unnamed = []
    for path in sorted(SOURCE.rglob("*.py")):
        module = path.relative_to(SOURCE).as_posix()
        if path.name == "__init__.py" and path.parent == SOURCE:
            named = "__init__.py" in paths
        elif path.name == "__init__.py":
            named = f"{path.parent.name}/" in page
        elif path.parent != SOURCE:
            named = module in paths or f"`{path.parent.name}/{path.stem}`" in page or f"`{path.stem}`" in page
        else:
            named = module in paths
        if not named:
            unnamed.append(module)
    assert not unnamed, f"docs/architecture.md does not name {unnamed}"
