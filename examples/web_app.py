"""A web service: POST a profile to /plan, get the plan back (FastAPI; ``pip install 'footmap[web]'``).

POST /plan.compact gives the same plan compact (``docs/outputs.md``, "Compact plans"), a quarter
the size, and GET /catalog/{id} the catalog it names, which a browser caches for good.

Run it with ``uvicorn examples.web_app:app`` (uvicorn comes with the extra); the interactive docs
at /docs list every allowed id of every vocabulary field (``footmap.profile_json_schema``). A bad
profile is a 422 whose ``detail`` lists every bad value at its own ``loc`` (``["body",
"symptoms", 1]``), each footmap error with the allowed values and the nearest one in its ``ctx``.
Run as a script, it posts the example profile once and prints what came back.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response

import footmap

app = FastAPI(title="footmap", summary="Personalised, explained and safe foot-exercise routines.")


@app.post("/plan", response_model_exclude_defaults=True)  # the JSON model_dump_json writes
def plan(profile: footmap.Profile) -> footmap.Plan:
    """The plan for a profile."""
    return footmap.recommend(profile)


@app.post("/plan.compact", response_class=Response)
def compact(profile: footmap.Profile) -> Response:
    """The plan as a compact plan: its texts as numbers into the catalog (GET /catalog/{id})."""
    return Response(footmap.compact_plan(footmap.recommend(profile)), media_type="application/json")


@app.get("/catalog/{catalog_id}", response_class=Response)
def catalog(catalog_id: str) -> Response:
    """The catalog compact plans name, cached for good: a catalog's id is a hash of its texts."""
    shipped = footmap.plan_catalog()
    if catalog_id != shipped.id:
        return Response(status_code=404)
    headers = {"Cache-Control": "public, max-age=31536000, immutable"}
    return Response(shipped.to_json(), media_type="application/json", headers=headers)


@app.post("/plan.ics", response_class=Response)
def calendar(profile: footmap.Profile, start: dt.date) -> Response:
    """The plan's routine as an iCalendar file, week 1 starting on ``start``."""
    text = footmap.recommend(profile).to_ics(start=start)
    return Response(text, media_type="text/calendar")


def local_client() -> Any:
    """A client that calls the app in this process (needs httpx, or httpx2 on newer Starlette)."""
    with warnings.catch_warnings():  # newer Starlette asks for httpx2 over httpx; either works
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient
    return TestClient(app)


if __name__ == "__main__":
    client = local_client()
    good = client.post("/plan", json={"pains": [{"area": "back", "severity": 6}], "equipment": ["towel"]})
    print(good.status_code, good.json()["triage"], [item["id"] for item in good.json()["routine"]])
    bad = client.post("/plan", json={"pains": [{"area": "bak", "severity": 6}], "symptoms": ["tinglng"]})
    for error in bad.json()["detail"]:
        print(bad.status_code, error["loc"], error["msg"])
