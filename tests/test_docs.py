"""Generated documentation stays in step with the knowledge."""

from __future__ import annotations

from pathlib import Path

import footmap
from footmap._knowledge.report import describe_condition, safety_report
from footmap._knowledge.schema import Condition

SAFETY_PAGE = Path(__file__).resolve().parents[1] / "docs" / "safety.md"


def test_the_safety_page_matches_the_knowledge(kb: footmap.KnowledgeBase) -> None:
    expected = safety_report(kb)
    assert SAFETY_PAGE.read_text(encoding="utf-8") == expected, (
        "docs/safety.md is stale: run `python -m footmap._knowledge.report > docs/safety.md`"
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
