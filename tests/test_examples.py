"""The examples run: every script in examples/ and the CLI on every example profile."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from footmap._cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


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
