"""Rendering is pinned by golden files: a fixed profile in, the exact text out.

After a deliberate change to the knowledge or the renderers, regenerate the goldens with
``FOOTMAP_UPDATE_GOLDEN=1 python -m pytest tests/test_render.py`` and review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

import footmap

GOLDEN = Path(__file__).parent / "golden"
PROFILES = {
    "back_pain": {
        "pains": [{"area": "back", "severity": 6, "weeks": 3}],
        "symptoms": ["stiffness"],
        "equipment": ["towel", "tennis_ball", "chair", "wall"],
        "minutes_per_day": 15,
    },
    "see_clinician": {"pains": [{"area": "knee", "severity": 9}], "age": 72, "equipment": ["towel"]},
    "urgent": {"pains": [{"area": "back", "severity": 7}], "symptoms": ["saddle_numbness"]},
}
RENDERERS: dict[str, tuple[str, Callable[[footmap.Plan], str]]] = {
    "markdown": ("md", footmap.Plan.to_markdown),
    "explain": ("txt", footmap.Plan.explain),
    "html": ("html", lambda plan: plan._repr_html_()),
    "json": ("json", lambda plan: plan.model_dump_json(indent=2)),
}


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_rendering_matches_the_golden_file(profile: str, renderer: str) -> None:
    suffix, render = RENDERERS[renderer]
    text = render(footmap.recommend(PROFILES[profile]))
    golden = GOLDEN / f"{profile}.{suffix}"
    if os.environ.get("FOOTMAP_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{golden.name} differs; see the module doc"


def test_html_escapes_every_text() -> None:
    plan = footmap.recommend(PROFILES["back_pain"])
    html = plan._repr_html_()
    assert "<script" not in html and html.startswith('<div class="footmap-plan">')
    assert str(plan) == plan.to_markdown()
