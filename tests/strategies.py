"""Hypothesis strategies for profiles: the one place generated profiles come from."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from footmap._knowledge.base import shipped_knowledge

_KNOWLEDGE = shipped_knowledge()
_VOCABULARY = _KNOWLEDGE.vocabulary


def _referral_symptoms() -> set[str]:
    """Symptoms that some referral rule names: most profiles with one are not self-care."""
    named: set[str] = set()
    for rule in _KNOWLEDGE.knowledge.rules:
        if rule.effect == "refer":
            for pattern in rule.when.patterns:
                if pattern.fact == "symptom" and pattern.is_ is not None:
                    named.add(pattern.is_)
    return named


def _some(
    vocabulary: str, max_size: int = 4, without: frozenset[str] = frozenset()
) -> st.SearchStrategy[list[str]]:
    allowed = sorted(set(_VOCABULARY[vocabulary]) - without)
    return st.lists(st.sampled_from(allowed), max_size=max_size, unique=True)


# Half the generated profiles report no referral symptom, so self-care plans are well covered too.
_symptoms = st.one_of(_some("symptoms"), _some("symptoms", without=frozenset(_referral_symptoms())))


pains = st.fixed_dictionaries(
    {"area": st.sampled_from(sorted(_VOCABULARY["pain_areas"])), "severity": st.integers(0, 10)},
    optional={"side": st.sampled_from(["left", "right", "both"]), "weeks": st.integers(0, 60)},
)


def profile_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Profiles as dicts, over the whole vocabulary, abilities, ages and budgets."""
    return st.fixed_dictionaries(
        {
            "pains": st.lists(pains, max_size=3),
            "symptoms": _symptoms,
            "observations": _some("observations"),
            "conditions": _some("conditions", 3),
            "equipment": _some("equipment", 6),
            "can_get_on_floor": st.booleans(),
            "can_stand_unaided": st.booleans(),
            "minutes_per_day": st.integers(5, 120),
            "exclude": _some("modalities", 2),
        },
        optional={"age": st.integers(1, 120)},
    )


#: A few fixed profiles that span the triage levels, for tests that compare ways of running.
SAMPLE_PROFILES: list[dict[str, Any]] = [
    {
        "pains": [{"area": "back", "severity": 6, "weeks": 3}],
        "symptoms": ["stiffness"],
        "equipment": ["towel", "tennis_ball", "chair", "wall"],
        "minutes_per_day": 15,
    },
    {"pains": [{"area": "knee", "severity": 5, "side": "left"}], "age": 72, "can_get_on_floor": False},
    {"pains": [{"area": "back", "severity": 9}], "conditions": ["pregnancy"]},
    {"symptoms": ["saddle_numbness"]},
    {"observations": ["dry_skin", "calluses"], "conditions": ["diabetes"], "age": 60},
    {},
]
