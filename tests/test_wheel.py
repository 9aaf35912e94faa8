"""The shipped knowledge is found the same way from a wheel installed outside the repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

_PROBE = """
import json, footmap
from footmap._knowledge.base import shipped_knowledge_dir
plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]})
print(json.dumps({"module": footmap.__file__, "knowledge": str(shipped_knowledge_dir()),
                  "triage": plan.triage, "items": len(plan.items)}))
"""


@pytest.mark.slow
def test_wheel_carries_the_knowledge(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
    )
    wheel = next(wheels.glob("footmap-*.whl"))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=outside, env=env, check=True, capture_output=True, text=True
    )
    probe = json.loads(result.stdout)
    assert Path(probe["module"]).is_relative_to(target)
    assert Path(probe["knowledge"]).is_relative_to(target)
    assert probe["triage"] == "self_care" and probe["items"] > 0
