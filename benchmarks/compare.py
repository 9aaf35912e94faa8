"""Two source trees of footmap side by side, in one run: warm ``recommend()`` and the first plan.

Usage::

    git worktree add /tmp/before <commit>
    .venv/bin/python benchmarks/compare.py /tmp/before/src          # this tree against that one
    .venv/bin/python benchmarks/compare.py OLD/src NEW/src --rounds 9

Each round starts one fresh process per tree, in turn (A B A B …, so that a drift of the
machine's speed touches both alike), and each process times ``footmap.recommend`` on the same
representative profiles (those of ``benchmarks/run.py``) through the public API only, so any
two versions compare. The figures are medians over the rounds, and the ratio is taken round by
round: absolute times move 1.5x between runs on these machines, a ratio in one run does not.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

_PROBE = """
import json, statistics, sys, time
started = time.perf_counter()
import footmap
imported = time.perf_counter()
profiles = json.loads(sys.argv[1])
footmap.recommend(profiles[0])
first = time.perf_counter()
for profile in profiles:
    footmap.recommend(profile)
medians = []
for profile in profiles:
    samples = []
    for _ in range(int(sys.argv[2])):
        begin = time.perf_counter()
        footmap.recommend(profile)
        samples.append(time.perf_counter() - begin)
    medians.append(statistics.median(samples))
print(json.dumps({"import": imported - started, "first_plan": first - started,
                  "warm": statistics.mean(medians)}))
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path, help="the src/ directory of the tree to compare against")
    parser.add_argument(
        "candidate",
        type=Path,
        nargs="?",
        default=HERE.parent / "src",
        help="the src/ directory of the tree to measure (default: this one)",
    )
    parser.add_argument("--rounds", type=int, default=7, help="processes per tree (default 7)")
    parser.add_argument("--calls", type=int, default=200, help="timed calls per profile (default 200)")
    args = parser.parse_args(argv)
    from run import PROFILES  # a script beside this one

    profiles = json.dumps(list(PROFILES.values()))
    runs: dict[str, list[dict[str, float]]] = {"baseline": [], "candidate": []}
    for _ in range(args.rounds):
        for name in ("candidate", "baseline"):
            runs[name].append(_probe(getattr(args, name), profiles, args.calls))
    print(f"{'figure':<32}{'baseline':>12}{'candidate':>12}{'ratio':>9}   (median of {args.rounds} rounds)")
    for figure, unit, scale in (("warm", "ms", 1e3), ("first_plan", "ms", 1e3), ("import", "ms", 1e3)):
        base = statistics.median(run[figure] for run in runs["baseline"])
        cand = statistics.median(run[figure] for run in runs["candidate"])
        ratio = statistics.median(
            c[figure] / b[figure] for b, c in zip(runs["baseline"], runs["candidate"], strict=True)
        )
        label = {
            "warm": "warm recommend(), mean of medians",
            "first_plan": "import + first plan",
            "import": "import footmap",
        }[figure]
        print(f"{label:<32}{base * scale:>9.3f} {unit}{cand * scale:>9.3f} {unit}{ratio:>8.2f}x")
    return 0


def _probe(source: Path, profiles: str, calls: int) -> dict[str, float]:
    environment = {**os.environ, "PYTHONPATH": str(source.resolve())}
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _PROBE, profiles, str(calls)],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


if __name__ == "__main__":
    sys.exit(main())
