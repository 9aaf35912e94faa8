"""Hypothesis strategies for profiles: the one place generated profiles come from."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from footmap.knowledge.base import shipped_knowledge

_VOCABULARY = shipped_knowledge().vocabulary


def _some(vocabulary: str, max_size: int = 4) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(sorted(_VOCABULARY[vocabulary])), max_size=max_size, unique=True)


pains = st.fixed_dictionaries(
    {"area": st.sampled_from(sorted(_VOCABULARY["pain_areas"])),
     "severity": st.integers(0, 10)},
    optional={"side": st.sampled_from(["left", "right", "both"]),
              "weeks": st.integers(0, 60)},
)


def profile_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Profiles as dicts, over the whole vocabulary, abilities, ages and budgets."""
    return st.fixed_dictionaries(
        {
            "pains": st.lists(pains, max_size=3),
            "symptoms": _some("symptoms"),
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


def red_flag_free(vocabulary: str, red_flags: set[str]) -> st.SearchStrategy[list[str]]:
    """Ids of a vocabulary that are not red flags."""
    return st.lists(
        st.sampled_from(sorted(set(_VOCABULARY[vocabulary]) - red_flags)), max_size=3, unique=True
    )
