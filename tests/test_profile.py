"""Profile validation: unknown ids, unknown fields and out-of-range numbers are clear errors."""

from __future__ import annotations

import pathlib

import pytest
from pydantic import ValidationError

import footmap


def test_dict_and_keywords_validate_the_same() -> None:
    data = {"pains": [{"area": "back", "severity": 6}], "equipment": ["towel"]}
    assert footmap.Profile.model_validate(data) == footmap.Profile(**data)  # type: ignore[arg-type]


def test_lists_are_sorted_and_deduplicated() -> None:
    profile = footmap.Profile(symptoms=["tingling", "stiffness", "tingling"])
    assert profile.symptoms == ["stiffness", "tingling"]


@pytest.mark.parametrize(
    ("field", "value", "nearest"),
    [
        ("symptoms", ["tinglng"], "tingling"),
        ("observations", ["calluse"], "calluses"),
        ("conditions", ["diabetis"], "diabetes"),
        ("equipment", ["tenis_ball"], "tennis_ball"),
        ("exclude", ["reflexolgy"], "reflexology"),
    ],
)
def test_unknown_id_names_nearest_and_allowed(field: str, value: list[str], nearest: str) -> None:
    with pytest.raises(ValidationError) as raised:
        footmap.Profile.model_validate({field: value})
    message = str(raised.value)
    assert f"Did you mean {nearest!r}?" in message
    assert "Allowed:" in message and nearest in message.split("Allowed:")[1]


def test_unknown_pain_area() -> None:
    with pytest.raises(ValidationError, match="Did you mean 'knee'"):
        footmap.Profile(pains=[{"area": "kne", "severity": 3}])  # type: ignore[list-item]


def test_unknown_field_names_nearest_field() -> None:
    with pytest.raises(ValidationError, match=r"Unknown field 'symptom'\. Did you mean 'symptoms'"):
        footmap.Profile.model_validate({"symptom": ["tingling"]})


def test_unknown_pain_field() -> None:
    with pytest.raises(ValidationError, match="Did you mean 'severity'"):
        footmap.Profile.model_validate({"pains": [{"area": "back", "severity": 3, "severty": 2}]})


@pytest.mark.parametrize(
    "data",
    [
        {"pains": [{"area": "back", "severity": 11}]},
        {"pains": [{"area": "back", "severity": -1}]},
        {"minutes_per_day": 4},
        {"minutes_per_day": 121},
        {"age": 0},
        {"pains": [{"area": "back", "severity": 3, "side": "middle"}]},
    ],
)
def test_out_of_range_values(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        footmap.Profile.model_validate(data)


def test_recommend_validates_a_dict_the_same_way() -> None:
    with pytest.raises(ValidationError, match="tingling"):
        footmap.recommend({"symptoms": ["tinglng"]})


def test_profile_validated_against_the_given_knowledge(tmp_path: pathlib.Path) -> None:
    (tmp_path / "vocabulary.yaml").write_text(
        "symptoms:\n  - {id: heel_ache, name: Heel ache}\n", encoding="utf-8"
    )
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    profile = footmap.Profile.model_validate({"symptoms": ["heel_ache"]}, context={"knowledge": kb})
    assert profile.symptoms == ["heel_ache"]
    assert footmap.recommend({"symptoms": ["heel_ache"]}, knowledge=kb).triage == "self_care"
    with pytest.raises(ValidationError, match="heel_ache"):
        footmap.Profile(symptoms=["heel_ache"])
