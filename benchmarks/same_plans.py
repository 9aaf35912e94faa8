"""Do two source trees of footmap give the same plans? For refactors that must change nothing.

Usage::

    git worktree add /tmp/before <commit>
    .venv/bin/python benchmarks/same_plans.py /tmp/before/src            # this tree against that
    .venv/bin/python benchmarks/same_plans.py OLD/src NEW/src --profiles 3000

Profiles come from the test suite's hypothesis strategy (``tests/strategies.py``, derandomized,
so both trees see the same ones); each tree, in its own process and with its own knowledge,
writes every plan's JSON (without the knowledge fingerprint), Markdown and ``explain()`` text,
through the public API only. Exit 0 when every output is identical, 1 with the first difference.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_RENDER = """
import json, sys
import footmap
with open(sys.argv[1]) as source, open(sys.argv[2], "w") as out:
    for profile in json.load(source):
        plan = footmap.recommend(profile)
        data = json.loads(plan.model_dump_json())
        data.pop("knowledge")
        out.write(json.dumps({"plan": data, "md": plan.to_markdown(), "text": plan.explain()}) + "\\n")
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path, help="the src/ directory of the tree to compare against")
    parser.add_argument("candidate", type=Path, nargs="?", default=REPO / "src")
    parser.add_argument("--profiles", type=int, default=1500, help="how many profiles (default 1500)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        profiles = Path(scratch) / "profiles.json"
        profiles.write_text(json.dumps(_profiles(args.profiles)), encoding="utf-8")
        outputs = [
            _render(tree, profiles, Path(scratch) / f"{n}.jsonl")
            for n, tree in enumerate((args.baseline, args.candidate))
        ]
        before, after = (path.read_text(encoding="utf-8").splitlines() for path in outputs)
    for number, (old, new) in enumerate(zip(before, after, strict=True), start=1):
        if old != new:
            print(f"profile {number} differs:\n  before: {old[:300]}\n  after:  {new[:300]}")
            return 1
    print(f"{len(before)} profiles: the same plan JSON, Markdown and explain() text in both trees")
    return 0


def _profiles(count: int) -> list[dict[str, object]]:
    sys.path.insert(0, str(REPO))
    from hypothesis import HealthCheck, given, settings
    from tests.strategies import profile_dicts

    found: list[dict[str, object]] = []

    @settings(max_examples=count, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(profile_dicts())
    def collect(profile: dict[str, object]) -> None:
        found.append(profile)

    collect()
    return found


def _render(source: Path, profiles: Path, out: Path) -> Path:
    environment = {**os.environ, "PYTHONPATH": str(source.resolve())}
    subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _RENDER, str(profiles), str(out)], check=True, env=environment
    )
    return out


if __name__ == "__main__":
    sys.exit(main())
