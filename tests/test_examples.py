"""The examples run: every script in examples/, the CLI on every example profile, the example
overlay and batch input, and the quickstart notebook."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import footmap
from footmap._cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOK = EXAMPLES / "quickstart.ipynb"


@pytest.mark.parametrize("script", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.name)
def test_example_script_runs(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if script.name == "web_app.py":
        pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize("profile", sorted((EXAMPLES / "profiles").glob("*.yaml")), ids=lambda p: p.name)
def test_example_profile_gives_a_plan(profile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", str(profile), "--format", "explain"]) == 0
    assert "Triage:" in capsys.readouterr().out


def test_the_example_overlay_checks_clean_and_changes_the_words() -> None:
    overlay = EXAMPLES / "overlay"
    assert footmap.KnowledgeBase.check(overlay, overlay=True) == []
    kb = footmap.KnowledgeBase.load(overlay, overlay=True)
    plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}, knowledge=kb)
    shipped = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]})
    assert plan.disclaimer != shipped.disclaimer and "clinic" in plan.disclaimer
    assert plan.routine == shipped.routine  # only the words change


def test_the_example_batch_input_has_plans_and_one_invalid_profile() -> None:
    """docs/batch.md and the README run it; the third line misspells a symptom on purpose."""
    lines = (EXAMPLES / "profiles.jsonl").read_text(encoding="utf-8").splitlines()
    profiles = [json.loads(line) for line in lines]
    for profile in profiles[:-1]:
        footmap.Profile.model_validate(profile)
    with pytest.raises(ValidationError, match="Did you mean 'tingling'"):
        footmap.Profile.model_validate(profiles[-1])


def _outputs(cell: Any) -> list[dict[str, Any]]:
    return list(cell.get("outputs", []))


def test_the_quickstart_notebook_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # jupyter_core warns (DeprecationWarning) unless told to use the platform's folders.
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    reason = "the notebook test needs nbclient, nbformat and ipykernel (pip install -e '.[dev]')"
    nbformat = pytest.importorskip("nbformat", reason=reason)
    nbclient = pytest.importorskip("nbclient", reason=reason)
    pytest.importorskip("ipykernel", reason=reason)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(_outputs(cell) for cell in notebook.cells), "keep the notebook without outputs"
    nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLES.parent)}}
    ).execute()
    outputs = [output for cell in notebook.cells for output in _outputs(cell)]
    assert not [output for output in outputs if output["output_type"] == "error"]
    shown = [output.get("data", {}) for output in outputs if output["output_type"] == "execute_result"]
    assert any("footmap-plan" in data.get("text/html", "") for data in shown), "the plan's own display"
    assert any("<svg" in data.get("image/svg+xml", "") for data in shown), "the foot map"
    printed = "".join(output.get("text", "") for output in outputs if output["output_type"] == "stream")
    assert "Triage:" in printed, "plan.explain()"


def test_the_notebook_says_where_the_logs_come_in() -> None:
    """Its last section is "A week of logs": code once footmap can adjust a plan, a note until then."""
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    headings = [
        index
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith("## A week of logs")
    ]
    assert headings, "the notebook's last section is '## A week of logs'"
    section = notebook["cells"][headings[-1] :]
    uses_adjust = any(
        cell["cell_type"] == "code" and "footmap.adjust" in "".join(cell["source"]) for cell in section
    )
    assert uses_adjust == hasattr(footmap, "adjust"), (
        "footmap.adjust exists: show a week of logs in the notebook's last section"
        if hasattr(footmap, "adjust")
        else "footmap.adjust does not exist yet: the section says it comes with the programme"
    )
