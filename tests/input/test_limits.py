"""Strict types and bounded sizes at the boundary: what a clinic would not expect is refused."""

from __future__ import annotations

import json
import pickle
import time
from typing import Any

import pytest
from pydantic import ValidationError
from pydantic_core import ErrorDetails

import footmap
from footmap._input.profile import MAX_FIELDS, MAX_LIST, MAX_TEXT


def _errors(data: dict[str, Any]) -> list[tuple[tuple[int | str, ...], str]]:
    with pytest.raises(ValidationError) as raised:
        footmap.Profile.model_validate(data)
    return [(error["loc"], error["type"]) for error in raised.value.errors()]


def _pain(**fields: Any) -> dict[str, Any]:
    return {"area": "back", "severity": 5, **fields}


# --- strict types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "loc", "error_type"),
    [
        ({"pains": [_pain(severity=True)]}, ("pains", 0, "severity"), "int_type"),
        ({"pains": [_pain(severity=3.7)]}, ("pains", 0, "severity"), "int_type"),
        ({"pains": [_pain(severity=3.0)]}, ("pains", 0, "severity"), "int_type"),
        ({"pains": [_pain(severity="5")]}, ("pains", 0, "severity"), "int_type"),
        ({"pains": [_pain(weeks=True)]}, ("pains", 0, "weeks"), "float_type"),
        ({"pains": [_pain(weeks="2")]}, ("pains", 0, "weeks"), "float_type"),
        ({"pains": [_pain(weeks=float("nan"))]}, ("pains", 0, "weeks"), "finite_number"),
        ({"pains": [_pain(weeks=float("inf"))]}, ("pains", 0, "weeks"), "finite_number"),
        ({"pains": [_pain(area=b"back")]}, ("pains", 0, "area"), "string_type"),
        ({"can_get_on_floor": "no"}, ("can_get_on_floor",), "bool_type"),
        ({"can_get_on_floor": 0}, ("can_get_on_floor",), "bool_type"),
        ({"can_stand_unaided": "yes"}, ("can_stand_unaided",), "bool_type"),
        ({"age": "70"}, ("age",), "int_type"),
        ({"age": 70.0}, ("age",), "int_type"),
        ({"minutes_per_day": 20.5}, ("minutes_per_day",), "int_type"),
        ({"symptoms": [1]}, ("symptoms", 0), "string_type"),
    ],
)
def test_lax_coercions_are_refused(data: dict[str, Any], loc: tuple[int | str, ...], error_type: str) -> None:
    assert _errors(data) == [(loc, error_type)]
    with pytest.raises(ValidationError):
        footmap.recommend(data)
    with pytest.raises(ValidationError):
        footmap.Profile(**data)
    try:
        text = json.dumps(data, allow_nan=False)
    except (TypeError, ValueError):  # bytes, NaN and infinity are not JSON
        return
    with pytest.raises(ValidationError):
        footmap.Profile.model_validate_json(text)


def test_weeks_takes_an_int_or_a_float() -> None:
    profile = footmap.Profile(pains=[_pain(weeks=2), _pain(side="left", weeks=2.5)])  # type: ignore[list-item]
    assert [pain.weeks for pain in profile.pains] == [2.0, 2.5]


def test_every_wrong_type_is_an_error_at_once() -> None:
    errors = _errors({"pains": [_pain(severity=True, weeks="2")], "age": "70", "can_get_on_floor": 0})
    assert errors == [
        (("pains", 0, "severity"), "int_type"),
        (("pains", 0, "weeks"), "float_type"),
        (("age",), "int_type"),
        (("can_get_on_floor",), "bool_type"),
    ]


PROFILE = {
    "pains": [_pain(weeks=3), _pain(area="knee", side="left", severity=4, weeks=1.5)],
    "symptoms": ["stiffness"],
    "equipment": ["towel", "chair"],
    "age": 70,
    "can_get_on_floor": False,
    "minutes_per_day": 15,
}


def test_a_profile_round_trips_through_every_form() -> None:
    profile = footmap.Profile.model_validate(PROFILE)
    assert footmap.Profile(**PROFILE) == profile
    assert footmap.Profile.model_validate(profile.model_dump(exclude_defaults=True)) == profile
    assert footmap.Profile.model_validate(profile.model_dump()) == profile
    assert footmap.Profile.model_validate(profile.model_dump(mode="json")) == profile
    assert footmap.Profile.model_validate_json(profile.model_dump_json()) == profile
    assert footmap.Profile.model_validate_json(json.dumps(PROFILE)) == profile
    assert pickle.loads(pickle.dumps(profile)) == profile
    assert footmap.recommend(profile) == footmap.recommend(PROFILE)


# --- bounded sizes -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["pains", "symptoms", "observations", "conditions", "equipment", "exclude"])
def test_every_list_holds_at_most_max_list_entries_as_given(field: str) -> None:
    value = [_pain() if field == "pains" else "x"] * (MAX_LIST + 1)
    assert _errors({field: value}) == [((field,), "too_long")]


def test_a_long_id_is_refused_before_it_is_looked_up() -> None:
    with pytest.raises(ValidationError) as raised:
        footmap.Profile.model_validate(
            {"symptoms": ["x" * (MAX_TEXT + 1)], "pains": [_pain(area="y" * 10_000)]}
        )
    errors: list[ErrorDetails] = raised.value.errors()
    assert [(e["loc"], e["type"], e["ctx"]) for e in errors] == [
        (("pains", 0, "area"), "string_too_long", {"max_length": MAX_TEXT}),
        (("symptoms", 0), "string_too_long", {"max_length": MAX_TEXT}),
    ]


def test_ten_thousand_duplicate_pains_fail_fast() -> None:
    started = time.perf_counter()
    assert _errors({"pains": [_pain(weeks=3)] * 10_000, "symptoms": ["stiffness"] * 10_000}) == [
        (("pains",), "too_long"),
        (("symptoms",), "too_long"),
    ]
    assert time.perf_counter() - started < 0.5


def test_pains_at_one_area_and_side_merge_into_the_worst_of_them() -> None:
    profile = footmap.Profile.model_validate(
        {
            "pains": [
                _pain(severity=3, weeks=20),
                _pain(severity=8),
                _pain(severity=2, weeks=4),
                _pain(side="left", severity=1),
                _pain(area="knee", severity=4),
            ]
        }
    )
    assert [pain.model_dump(exclude_defaults=True) for pain in profile.pains] == [
        {"area": "back", "severity": 8, "weeks": 20.0},
        {"area": "back", "severity": 1, "side": "left"},
        {"area": "knee", "severity": 4},
    ]


def test_duplicates_give_the_plan_of_one() -> None:
    pains = [_pain(severity=6, weeks=3)]
    assert footmap.recommend({"pains": pains * MAX_LIST}) == footmap.recommend({"pains": pains})
    assert footmap.recommend({"symptoms": ["stiffness"] * MAX_LIST}) == footmap.recommend(
        {"symptoms": ["stiffness"]}
    )


def test_a_flood_of_unknown_fields_is_one_error() -> None:
    started = time.perf_counter()
    flood = {f"field{number}": 1 for number in range(100_000)}
    errors = _errors({**flood, "pains": [{**_pain(), **flood}], "age": "70"})
    assert errors == [((), "too_long")]
    assert _errors({"pains": [{**_pain(), **flood}], "age": "70", "symptom": []}) == [
        (("pains", 0), "too_long"),
        (("age",), "int_type"),
        (("symptom",), "footmap.unknown_field"),
    ]
    assert time.perf_counter() - started < 1
    few = {f"field{number}": 1 for number in range(MAX_FIELDS - 1)}
    assert len(_errors({**few, "age": 70})) == MAX_FIELDS - 1


def test_merged_pains_are_assessed_only_if_all_were_and_keep_the_least_reassuring_trend() -> None:
    profile = footmap.Profile.model_validate(
        {
            "pains": [
                _pain(assessed=True, trend="better"),
                _pain(assessed=False, trend="worse"),
                _pain(assessed=True, trend="same"),
                _pain(area="knee", assessed=True, trend="better"),
                _pain(area="knee", assessed=True),
            ]
        }
    )
    assert [(pain.area, pain.assessed, pain.trend) for pain in profile.pains] == [
        ("back", False, "worse"),
        ("knee", True, "better"),
    ]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [("assessed", "yes", "bool_type"), ("assessed", 1, "bool_type"), ("trend", "worsening", "literal_error")],
)
def test_assessed_and_trend_are_strict(field: str, value: object, error: str) -> None:
    assert _errors({"pains": [_pain(**{field: value})]}) == [(("pains", 0, field), error)]
