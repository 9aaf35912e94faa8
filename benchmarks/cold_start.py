"""Cold start: a new interpreter's ``import footmap`` and first plan, against the bare imports of
footmap's own dependencies; and loading knowledge ten times larger, against the shipped size.

Usage: ``python benchmarks/cold_start.py [--quick]`` (or ``measure(quick)`` from ``run.py``).

Every figure is a median over new processes started from a temporary directory, the commands
interleaved round by round (their order turning each round), so that a machine slowing down in
the middle of the run slows all of them alike:

- *bare*: ``python -c "import pydantic, networkx, yaml"``, the yardstick;
- *cold*: ``import footmap`` and one plan with an empty knowledge cache (the first process after
  an install: it reads the YAML, checks it, and writes the cache);
- *warm*: the same with the cache written (every later process).

The ratios are the median of each round's ratio, in CPU seconds of the child (user + system,
which a busy machine disturbs less than wall time; wall time where the platform cannot say).
Every process reads its modules' bytecode from one fresh ``PYTHONPYCACHEPREFIX`` filled by a
first, uncounted round: an environment with ``PYTHONDONTWRITEBYTECODE`` would otherwise compile
footmap's sources in every run, and none of the dependencies'.

The load of knowledge 1x and 10x (``make_knowledge.py``, both written the same way) is timed
inside new processes too, ``KnowledgeBase.load(path)`` alone: a directory of one's own is never
cached, so each is a full read, validation and check.
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import Figure, ms  # a script beside this one
from make_knowledge import make_knowledge  # a script beside this one

#: The first plan's profile (the README's).
PROFILE = {"pains": [{"area": "back", "severity": 5}]}
BARE = "import pydantic, networkx, yaml"
FIRST_PLAN = f"import footmap; footmap.recommend({PROFILE!r})"
LOAD_PROBE = """
import sys, time
import footmap
started = time.perf_counter()
footmap.KnowledgeBase.load(sys.argv[1])
print(time.perf_counter() - started)
"""
#: The targets (the performance issue): warm start against the bare imports, and load growth.
START_TARGET = 1.25
LOAD_TARGET = 11.0


def measure(quick: bool) -> list[Figure]:
    """The cold-start figures: start-up ratios (bare, cold cache, warm cache) and load growth."""
    with tempfile.TemporaryDirectory(prefix="footmap-cold-") as scratch:
        folder = Path(scratch)
        environment = _environment(folder)
        figures = _start_up(folder, environment, rounds=2 if quick else 15)
        figures += _load_growth(folder, environment, rounds=1 if quick else 7)
    return figures


def _environment(folder: Path) -> dict[str, str]:
    """The children's environment: this one, footmap importable, bytecode kept in ``folder``."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONDONTWRITEBYTECODE", "FOOTMAP_CACHE", "FOOTMAP_CACHE_DIR"}
    }
    source = str(Path(__file__).resolve().parents[1] / "src")
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [source, environment.get("PYTHONPATH")]))
    environment["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    return environment


def _start_up(folder: Path, environment: Mapping[str, str], rounds: int) -> list[Figure]:
    warm_cache = folder / "warm-cache"
    fresh = itertools.count()

    def cold() -> dict[str, str]:  # a cache directory nobody has written yet
        return {**environment, "FOOTMAP_CACHE_DIR": str(folder / f"cold-cache-{next(fresh)}")}

    commands: dict[str, tuple[str, Callable[[], Mapping[str, str]]]] = {
        "bare": (BARE, lambda: environment),
        "cold": (FIRST_PLAN, cold),
        "warm": (FIRST_PLAN, lambda: {**environment, "FOOTMAP_CACHE_DIR": str(warm_cache)}),
    }
    for code, env in commands.values():  # uncounted: bytecode compiled, the warm cache written
        _run(code, env(), folder)
    if not any(warm_cache.glob("knowledge-*.pickle")):
        return [Figure("knowledge cache", "not written", "written", False)]
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    wall: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for turn in range(rounds):
        for name in names[turn % 3 :] + names[: turn % 3]:
            code, env = commands[name]
            seconds, elapsed = _run(code, env(), folder)
            cpu[name].append(seconds)
            wall[name].append(elapsed)
    warm = statistics.median(w / b for w, b in zip(cpu["warm"], cpu["bare"], strict=True))
    cold_ratio = statistics.median(c / b for c, b in zip(cpu["cold"], cpu["bare"], strict=True))
    what = "CPU" if _has_child_times() else "wall"
    return [
        Figure(
            f"import footmap + first plan / bare imports, warm cache ({what}, median of {rounds} rounds)",
            f"{warm:.2f}x",
            f"<= {START_TARGET}x",
            warm <= START_TARGET,
        ),
        Figure("  the same, cold (empty cache: read, check, write it)", f"{cold_ratio:.2f}x"),
        *(
            Figure(
                f"  median per process, {name}",
                f"{ms(statistics.median(cpu[name])):.0f} ms {what},"
                f" {ms(statistics.median(wall[name])):.0f} ms wall",
            )
            for name in names
        ),
    ]


def _load_growth(folder: Path, environment: Mapping[str, str], rounds: int) -> list[Figure]:
    directories = {
        factor: make_knowledge(folder / f"knowledge-{factor}x", factor=factor) for factor in (1, 10)
    }
    times: dict[int, list[float]] = {factor: [] for factor in directories}
    for turn in range(rounds):
        for factor in sorted(directories, reverse=turn % 2 == 1):
            result = subprocess.run(
                [sys.executable, "-c", LOAD_PROBE, str(directories[factor])],
                cwd=folder,
                env=dict(environment),
                capture_output=True,
                text=True,
                check=True,
            )
            times[factor].append(float(result.stdout))
    one, ten = statistics.median(times[1]), statistics.median(times[10])
    growth = ten / one
    return [
        Figure(
            f"knowledge load, 10x knowledge / 1x (median of {rounds} new processes)",
            f"{growth:.2f}x",
            f"<= {LOAD_TARGET:.0f}x",
            growth <= LOAD_TARGET,
        ),
        Figure("  median load: 1x / 10x", f"{ms(one):.0f} ms / {ms(ten):.0f} ms"),
    ]


def _has_child_times() -> bool:
    return sys.platform != "win32"


def _run(code: str, environment: Mapping[str, str], folder: Path) -> tuple[float, float]:
    """One new process running ``code``: its CPU seconds (user + system; wall where unknown) and
    its wall seconds."""
    before = _children_cpu()
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code], cwd=folder, env=dict(environment), check=True, capture_output=True
    )
    elapsed = time.perf_counter() - started
    return (_children_cpu() - before if _has_child_times() else elapsed), elapsed


def _children_cpu() -> float:
    if not _has_child_times():
        return 0.0
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    figures = measure(quick)
    width = max(len(figure.name) for figure in figures)
    for figure in figures:
        print(f"{figure.name:<{width}}  {figure.figure:>14}  {figure.target:>8}  {figure.result}")
    return 0 if quick or all(figure.holds is not False for figure in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
