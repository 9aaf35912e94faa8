"""examples/web_app.py: a Profile body in, a Plan out; a bad body is a 422 that lists every bad
value at its own ``loc``, each with the allowed values and the suggestion as data."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pytest

import footmap

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx (in the dev extra)")

APP = runpy.run_path(str(Path(__file__).resolve().parents[1] / "examples" / "web_app.py"))
client = APP["local_client"]()


def test_a_good_profile_gets_its_plan() -> None:
    profile = {"pains": [{"area": "back", "severity": 6}], "equipment": ["towel"]}
    response = client.post("/plan", json=profile)
    assert response.status_code == 200
    plan = footmap.Plan.model_validate(response.json())
    assert plan == footmap.recommend(profile)
    assert response.json() == json.loads(plan.model_dump_json())  # compact: no default field written


def test_every_bad_value_is_listed_at_its_own_loc_with_its_suggestion() -> None:
    body = {
        "pains": [{"area": "bak", "severity": 6}, {"area": "knee", "severity": 11}],
        "symptoms": ["stiffness", "tinglng"],
        "equipmnt": ["towel"],
    }
    response = client.post("/plan", json=body)
    assert response.status_code == 422
    detail: list[dict[str, Any]] = response.json()["detail"]
    by_loc = {tuple(error["loc"]): error for error in detail}
    assert set(by_loc) == {
        ("body", "pains", 0, "area"),
        ("body", "pains", 1, "severity"),
        ("body", "symptoms", 1),
        ("body", "equipmnt"),
    }
    assert by_loc[("body", "symptoms", 1)]["type"] == "footmap.unknown_value"
    assert by_loc[("body", "symptoms", 1)]["ctx"]["suggestion"] == "tingling"
    assert by_loc[("body", "pains", 0, "area")]["ctx"]["suggestion"] == "back"
    assert by_loc[("body", "equipmnt")]["ctx"]["suggestion"] == "equipment"
    assert "stiffness" in by_loc[("body", "symptoms", 1)]["ctx"]["allowed"]


def test_the_openapi_schema_lists_every_vocabulary() -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    symptoms = schema["Profile"]["properties"]["symptoms"]["items"]["enum"]
    assert symptoms == sorted(footmap.KnowledgeBase.load().vocabulary["symptoms"])
    assert schema["Pain"]["properties"]["area"]["examples"] == ["back"]


def test_the_calendar_endpoint() -> None:
    response = client.post("/plan.ics?start=2025-01-06", json={"pains": [{"area": "knee", "severity": 4}]})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    assert response.text.startswith("BEGIN:VCALENDAR")


def test_the_compact_endpoint_and_the_catalog_it_names_give_the_same_plan() -> None:
    profile = {"pains": [{"area": "back", "severity": 6}], "equipment": ["towel"]}
    response = client.post("/plan.compact", json=profile)
    assert response.status_code == 200
    named = response.json()["catalog"]
    fetched = client.get(f"/catalog/{named}")
    assert fetched.status_code == 200 and "immutable" in fetched.headers["cache-control"]
    catalog = footmap.PlanCatalog.from_json(fetched.text)
    assert footmap.expand_plan(response.text, catalog=catalog) == footmap.recommend(profile)
    assert client.get("/catalog/0000000000000000").status_code == 404
