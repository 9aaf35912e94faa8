"""A structured dosage in words (``_compose/words.py``), from the shipped wording."""

from __future__ import annotations

from typing import Any

import pytest

from footmap._compose.parts import DosageData
from footmap._compose.words import dosage_words
from footmap._knowledge.base import shipped_knowledge

WORDS = shipped_knowledge().wording.dosage


def _dosage(**fields: Any) -> DosageData:
    base: dict[str, Any] = {
        "text": "as the source says it",
        "words": "",
        "sets": None,
        "reps": None,
        "hold_seconds": None,
        "rest_seconds": None,
        "duration_seconds": None,
        "times_per_day": 1,
        "per_side": False,
        "adjusted_by": [],
        "notes": [],
    }
    return DosageData(**{**base, **fields})  # type: ignore[typeddict-item]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"sets": 10, "hold_seconds": 3, "times_per_day": 3},
            "3 times a day: 10 times, holding each for 3 seconds.",
        ),
        (
            {"reps": 5, "hold_seconds": 10, "per_side": True},
            "Once a day: 5 times, holding each for 10 seconds on each side.",
        ),
        (
            {"reps": 5, "duration_seconds": 20, "rest_seconds": 15, "times_per_day": 2},
            "Twice a day: 5 rounds of 20 seconds, resting 15 seconds in between.",
        ),
        (
            {"hold_seconds": 30, "times_per_day": 2, "per_side": True},
            "Twice a day: hold for 30 seconds on each side.",
        ),
        ({"duration_seconds": 60, "per_side": True}, "Once a day: 1 minute on each side."),
        ({"duration_seconds": 120}, "Once a day: 2 minutes."),
        ({"sets": 2, "reps": 12}, "Once a day: 2 sets of 12."),
        ({}, "Once a day."),
    ],
)
def test_a_dosage_reads_as_words_built_from_its_numbers(fields: dict[str, Any], expected: str) -> None:
    assert dosage_words(_dosage(**fields), WORDS) == expected


def test_a_reduced_dosage_says_so() -> None:
    halved = dosage_words(_dosage(reps=5, per_side=True), WORDS, scale=0.5)
    assert halved == "Once a day: 5 times on each side (half the usual amount, to start with)."
    assert "about 70% of the usual amount" in dosage_words(_dosage(reps=7), WORDS, scale=0.7)
