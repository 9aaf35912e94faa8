"""The realistic mix of profiles the benchmark times, drawn with a fixed seed.

208 profiles, in two halves reported apart: 104 *self-care-heavy* ones (everyday pains,
symptoms and observations, no red-flag symptom) and 104 *referral-heavy* ones (the same, plus at
least one red-flag symptom or a condition that changes the plan). The vocabulary comes from the
knowledge, so the mix follows the knowledge's ids; the seed fixes it.

>>> from footmap._knowledge.base import shipped_knowledge
>>> halves = realistic_mix(shipped_knowledge())
>>> [len(half) for half in halves.values()]
[104, 104]
"""

from __future__ import annotations

import random
from typing import Any

from footmap._knowledge.base import KnowledgeBase

SEED = 20261201
HALF = 104


def realistic_mix(knowledge: KnowledgeBase, seed: int = SEED) -> dict[str, list[dict[str, Any]]]:
    """The two halves of the mix, by name: ``self_care_heavy`` and ``referral_heavy``."""
    rng = random.Random(seed)
    vocabulary = knowledge.vocabulary
    red_flags = sorted(
        s for s in vocabulary["symptoms"] if getattr(knowledge.terms[("symptoms", s)], "red_flag", None)
    )
    everyday = sorted(set(vocabulary["symptoms"]) - set(red_flags))
    return {
        "self_care_heavy": [_profile(rng, vocabulary, everyday, []) for _ in range(HALF)],
        "referral_heavy": [_profile(rng, vocabulary, everyday, red_flags) for _ in range(HALF)],
    }


def _profile(
    rng: random.Random, vocabulary: Any, everyday: list[str], red_flags: list[str]
) -> dict[str, Any]:
    def some(ids: list[str], most: int) -> list[str]:
        return rng.sample(ids, min(len(ids), rng.randint(0, most)))

    pains = [
        {
            "area": area,
            "severity": rng.randint(1, 9),
            **({"weeks": rng.choice([1, 2, 6, 12, 52])} if rng.random() < 0.6 else {}),
            **({"assessed": True} if rng.random() < 0.2 else {}),
        }
        for area in some(sorted(vocabulary["pain_areas"]), 3)
    ]
    symptoms = some(everyday, 2)
    conditions: list[str] = []
    if red_flags:
        symptoms += rng.sample(red_flags, 1)
        conditions = some(sorted(vocabulary["conditions"]), 2)
    profile: dict[str, Any] = {
        "pains": pains or [{"area": "back", "severity": 4}],
        "symptoms": sorted(set(symptoms)),
        "observations": some(sorted(vocabulary["observations"]), 2),
        "conditions": conditions,
        "equipment": some(sorted(vocabulary["equipment"]), 4),
        "minutes_per_day": rng.choice([10, 15, 20, 30]),
    }
    if rng.random() < 0.8:
        profile["age"] = rng.randint(18, 90)
    if rng.random() < 0.15:
        profile["can_get_on_floor"] = False
    return profile
