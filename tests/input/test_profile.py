"""Profile validation: unknown ids, unknown fields and out-of-range numbers are clear errors."""

from __future__ import annotations

import gc
import json
import pathlib
import weakref
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import ErrorDetails

import footmap
from footmap._kinds import PAIN_AREAS, PROFILE_VOCABULARIES, ProfileVocabulary
from footmap._knowledge.base import shipped_knowledge


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


# --- every problem at once ----------------------------------------------------------------------

KB = shipped_knowledge()
VOCABULARY = KB.vocabulary


def _errors(data: dict[str, Any]) -> list[ErrorDetails]:
    with pytest.raises(ValidationError) as raised:
        footmap.Profile.model_validate(data)
    return raised.value.errors(include_url=False)


def _by_loc(errors: list[ErrorDetails]) -> dict[tuple[int | str, ...], ErrorDetails]:
    by_loc = {error["loc"]: error for error in errors}
    assert len(by_loc) == len(errors), "two errors at one loc"
    return by_loc


def test_three_mistakes_in_three_fields_are_three_errors() -> None:
    errors = _errors(
        {"symptoms": ["tinglng"], "equipment": ["tenis_ball"], "pains": [{"area": "kne", "severity": 3}]}
    )
    assert len(errors) == 3
    by_loc = _by_loc(errors)
    expected = {
        ("symptoms", 0): ("symptoms", "tinglng", "tingling"),
        ("equipment", 0): ("equipment", "tenis_ball", "tennis_ball"),
        ("pains", 0, "area"): (PAIN_AREAS, "kne", "knee"),
    }
    assert set(by_loc) == set(expected)
    for loc, (vocabulary, value, suggestion) in expected.items():
        error = by_loc[loc]
        assert error["type"] == "footmap.unknown_value"
        assert error["input"] == value
        assert error["ctx"] == {
            "vocabulary": vocabulary,
            "allowed": sorted(VOCABULARY[vocabulary]),
            "suggestion": suggestion,
            "value": value,
        }
        assert f"Did you mean {suggestion!r}?" in error["msg"]


def test_unknown_fields_and_unknown_ids_and_ranges_together() -> None:
    errors = _errors(
        {
            "symptom": ["tingling"],
            "symptoms": ["tinglng"],
            "pains": [{"area": "back", "severity": 11, "severty": 2}],
            "minutes_per_day": 4,
            "age": 0,
        }
    )
    types = {error["loc"]: error["type"] for error in errors}
    assert types == {
        ("symptom",): "footmap.unknown_field",
        ("symptoms", 0): "footmap.unknown_value",
        ("pains", 0, "severity"): "less_than_equal",
        ("pains", 0, "severty"): "footmap.unknown_field",
        ("minutes_per_day",): "greater_than_equal",
        ("age",): "greater_than_equal",
    }
    by_loc = _by_loc(errors)
    assert by_loc[("symptom",)]["ctx"] == {
        "allowed": sorted(footmap.Profile.model_fields),
        "suggestion": "symptoms",
        "value": "symptom",
    }
    assert by_loc[("pains", 0, "severty")]["ctx"] == {
        "allowed": sorted(footmap.Pain.model_fields),
        "suggestion": "severity",
        "value": "severty",
    }
    assert by_loc[("pains", 0, "severity")]["ctx"] == {"le": 10}


def test_keywords_report_every_problem_too() -> None:
    with pytest.raises(ValidationError) as raised:
        footmap.Profile(symptoms=["tinglng"], equipmen=["towel"])  # type: ignore[call-arg]
    assert {(error["loc"], error["type"]) for error in raised.value.errors()} == {
        (("symptoms", 0), "footmap.unknown_value"),
        (("equipmen",), "footmap.unknown_field"),
    }


def test_unknown_field_far_from_every_field_suggests_nothing() -> None:
    (error,) = _errors({"zzzzzz": 1})
    assert error["ctx"]["suggestion"] is None
    assert error["msg"].startswith("Unknown field 'zzzzzz'. Allowed fields: age, can_get_on_floor")


def test_each_bad_id_is_an_error_at_its_index_duplicates_too() -> None:
    errors = _errors({"symptoms": ["tingling", "tinglng", "stiffness", "tinglng", "tingling", "stifness"]})
    assert [(error["loc"], error["input"]) for error in errors] == [
        (("symptoms", 1), "tinglng"),
        (("symptoms", 3), "tinglng"),
        (("symptoms", 5), "stifness"),
    ]
    assert [error["ctx"]["suggestion"] for error in errors] == ["tingling", "tingling", "stiffness"]


def test_unknown_areas_in_later_pains_are_errors_at_their_pain() -> None:
    errors = _errors(
        {
            "pains": [
                {"area": "back", "severity": 2},
                {"area": "kne", "severity": 3},
                {"area": "hip", "severity": 4},
                {"area": "elbow", "severity": 5},
            ]
        }
    )
    assert [error["loc"] for error in errors] == [("pains", 1, "area"), ("pains", 3, "area")]
    assert all(error["type"] == "footmap.unknown_value" for error in errors)
    assert [error["ctx"]["suggestion"] for error in errors] == ["knee", None]
    assert all(error["ctx"]["vocabulary"] == PAIN_AREAS for error in errors)


@pytest.mark.parametrize("kind", PROFILE_VOCABULARIES, ids=lambda kind: kind.field)
def test_every_id_field_is_checked_against_its_vocabulary(kind: ProfileVocabulary) -> None:
    valid = sorted(VOCABULARY[kind.vocabulary])
    (error,) = _errors({kind.field: [valid[0], "no_such_id"]})
    assert error["loc"] == (kind.field, 1)
    assert error["ctx"]["vocabulary"] == kind.vocabulary
    assert error["ctx"]["allowed"] == valid
    assert error["msg"].startswith(f"Unknown {kind.label} 'no_such_id'.")
    assert footmap.Profile.model_validate({kind.field: valid[::-1]}).model_dump()[kind.field] == valid


def test_errors_are_json_and_read_well() -> None:
    data = {"symptoms": ["tinglng"], "symptom": [], "pains": [{"area": "kne", "severity": 3, "x": {1, 2}}]}
    with pytest.raises(ValidationError) as raised:
        footmap.Profile.model_validate(data)
    error = raised.value
    as_json = json.loads(error.json())
    locs = [["pains", 0, "area"], ["pains", 0, "x"], ["symptoms", 0], ["symptom"]]
    assert [entry["loc"] for entry in as_json] == locs
    assert [entry["ctx"] for entry in as_json] == [json.loads(json.dumps(e["ctx"])) for e in error.errors()]
    text = str(error)
    assert text.startswith("4 validation errors for Profile\npains.0.area\n  Unknown pain area 'kne'.")
    assert "\nsymptoms.0\n  Unknown symptom 'tinglng'. Did you mean 'tingling'?" in text
    assert "\nsymptom\n  Unknown field 'symptom'. Did you mean 'symptoms'?" in text
    assert "[type=footmap.unknown_field," in text


def test_braces_in_a_value_are_shown_as_given() -> None:
    (error,) = _errors({"symptoms": ["{allowed}{suggestion}{vocabulary}"], "pains": []})
    assert error["msg"].startswith("Unknown symptom '{allowed}{suggestion}{vocabulary}'. Allowed: ")
    (error,) = _errors({"symptoms": ["tingling"], "{value}": 1})
    assert error["msg"].startswith("Unknown field '{value}'. Allowed fields: ")


def test_errors_name_the_given_knowledge(tmp_path: pathlib.Path) -> None:
    (tmp_path / "vocabulary.yaml").write_text(
        "symptoms:\n  - {id: heel_ache, name: Heel ache}\n", encoding="utf-8"
    )
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    with pytest.raises(ValidationError) as raised:
        footmap.Profile.model_validate({"symptoms": ["heel_ach"]}, context={"knowledge": kb})
    (error,) = raised.value.errors()
    assert error["ctx"]["suggestion"] == "heel_ache"
    assert "heel_ache" in error["ctx"]["allowed"]


def test_validating_against_a_knowledge_base_does_not_keep_it_alive(tmp_path: pathlib.Path) -> None:
    (tmp_path / "vocabulary.yaml").write_text(
        "symptoms:\n  - {id: heel_ache, name: Heel ache}\n", encoding="utf-8"
    )
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    footmap.Profile.model_validate({"symptoms": ["heel_ache"]}, context={"knowledge": kb})
    alive = weakref.ref(kb)
    del kb
    gc.collect()
    assert alive() is None


_fields = st.sampled_from(PROFILE_VOCABULARIES)
_every_id = frozenset(ident for ids in VOCABULARY.values() for ident in ids)


@given(data=st.data(), kind=_fields)
def test_errors_are_exactly_the_junk_positions(data: st.DataObject, kind: ProfileVocabulary) -> None:
    valid = sorted(VOCABULARY[kind.vocabulary])
    junk = st.text(max_size=12).filter(lambda text: text not in _every_id)
    values = data.draw(st.lists(st.one_of(st.sampled_from(valid), junk), max_size=8))
    bad = [index for index, value in enumerate(values) if value not in valid]
    if not bad:
        assert footmap.Profile.model_validate({kind.field: values}).model_dump()[kind.field] == sorted(
            set(values)
        )
        return
    errors = _errors({kind.field: values})
    assert [error["loc"] for error in errors] == [(kind.field, index) for index in bad]
    assert all(error["type"] == "footmap.unknown_value" for error in errors)
    assert [error["ctx"]["value"] for error in errors] == [values[index] for index in bad]
