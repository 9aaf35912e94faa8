"""footmap's benchmark: every performance target with its figure and PASS or FAIL, from one run.

Usage::

    .venv/bin/python benchmarks/run.py           # the full run, a few minutes on 2 cores
    .venv/bin/python benchmarks/run.py --quick   # a smoke run in seconds: smaller counts, and
                                                 # targets are reported but never fail the run
    .venv/bin/python benchmarks/run.py --only knowledge_cycles   # one measure (or several)

Every ratio is against a baseline measured in the same run: the rule stage against footmap's
plain-Python reference evaluator of the same rules over the same facts, and the 10x knowledge
base (written by ``benchmarks/make_knowledge.py``) against the shipped one, on the same profiles.
Exit code 0 when every target holds, 1 when one does not (``--quick``: 0 once it has run).
"""

from __future__ import annotations

import argparse
import copy
import gc
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import footmap
from footmap._facts import Fact, candidate_ids, fact_nodes, item_facts, profile_facts
from footmap._knowledge.base import shipped_knowledge
from footmap._rules.compile import knowledge_rules
from footmap._rules.engine import durable_available, engine_for, engine_info
from footmap._rules.reference import ReferenceEngine

sys.path.insert(0, str(Path(__file__).resolve().parent))
import batch_speed  # the measures of their own modules, beside this script
import cold_start
import knowledge_scale
import peers
import plan_size
import wire
from figures import Figure, ms, time_call
from mix import SEED, realistic_mix  # a script beside this one

_HERE = Path(__file__).resolve().parent

#: Representative profiles: every triage level, the example profiles, small and large plans.
PROFILES: dict[str, dict[str, Any]] = {
    "back pain (README)": {
        "pains": [{"area": "back", "severity": 6, "weeks": 3}],
        "symptoms": ["stiffness"],
        "equipment": ["towel", "tennis_ball", "chair", "wall"],
        "minutes_per_day": 15,
    },
    "older adult, knee": {
        "pains": [{"area": "knee", "severity": 5, "side": "left", "weeks": 8}],
        "observations": ["stiff_ankles"],
        "equipment": ["towel", "chair", "wall"],
        "age": 72,
        "can_get_on_floor": False,
        "minutes_per_day": 20,
    },
    "pregnancy, severe back pain": {
        "pains": [{"area": "back", "severity": 9}],
        "conditions": ["pregnancy"],
        "symptoms": ["tingling"],
        "age": 34,
    },
    "diabetes, feet": {
        "pains": [{"area": "heel", "severity": 5}, {"area": "foot", "severity": 3}],
        "observations": ["dry_skin", "calluses", "cold_feet"],
        "conditions": ["diabetes"],
        "age": 55,
        "equipment": ["towel", "band"],
    },
    "frail, poor balance": {
        "pains": [{"area": "hip", "severity": 4}],
        "symptoms": ["poor_balance", "stiffness"],
        "conditions": ["osteoporosis"],
        "age": 84,
        "can_get_on_floor": False,
        "can_stand_unaided": False,
        "minutes_per_day": 10,
    },
    "neck and ankle, 40 minutes": {
        "pains": [{"area": "neck", "severity": 3}, {"area": "ankle", "severity": 4, "weeks": 2}],
        "observations": ["flat_arches"],
        "equipment": ["band", "tennis_ball", "towel", "pencil"],
        "minutes_per_day": 40,
        "exclude": ["aromatherapy"],
    },
    "see a clinician: night pain": {
        "pains": [{"area": "back", "severity": 5, "weeks": 10}],
        "symptoms": ["night_pain"],
        "age": 61,
    },
    "urgent: saddle numbness": {
        "pains": [{"area": "back", "severity": 7}],
        "symptoms": ["saddle_numbness"],
    },
}

#: Rounds of the yardstick's ratio (one pass over the mix, one of the yardstick, some 0.15 s each).
YARDSTICK_ROUNDS = 25

#: The cold-start probe: from before ``import footmap`` to the first plan, in a new process.
COLD_PROBE = """
import json, sys, time
started = time.perf_counter()
import footmap
imported = time.perf_counter()
footmap.recommend(json.loads(sys.argv[1]))
done = time.perf_counter()
print(json.dumps({"import": imported - started, "total": done - started}))
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run with small counts; targets never fail it"
    )
    parser.add_argument(
        "--only", choices=[step_name(step) for step in STEPS], action="append", help="run only this measure"
    )
    args = parser.parse_args(argv)
    quick: bool = args.quick
    steps = [step for step in STEPS if not args.only or step_name(step) in args.only]
    knowledge = shipped_knowledge()
    print(
        f"footmap {footmap.__version__} benchmark{' (quick)' if quick else ''}: Python"
        f" {platform.python_version()}, rule engine: {engine_info(knowledge=knowledge)},"
        f" {os.cpu_count()} CPUs, {platform.machine()}"
    )
    print(f"{len(PROFILES)} representative profiles: {', '.join(PROFILES)}", flush=True)
    figures: list[Figure] = []
    for step in steps:
        started = time.perf_counter()
        figures += _measured(step, quick)
        print(f"  [{step_name(step)}: {time.perf_counter() - started:.1f} s]", file=sys.stderr, flush=True)
    report(figures)
    failed = [figure for figure in figures if figure.holds is False]
    return 0 if quick or not failed else 1


# --- measures -----------------------------------------------------------------------------------


def warm(quick: bool) -> list[Figure]:
    """Warm ``recommend()``: median and p95 over every call to every profile."""
    rounds = 40 if quick else 400
    samples, by_profile = _timed_rounds(footmap.recommend, rounds)
    median, p95 = ms(statistics.median(samples)), ms(_percentile(samples, 95))
    for name, times in by_profile.items():
        print(f"    {name:32} median {ms(statistics.median(times)):.3f} ms")
    return [
        Figure(f"warm recommend() median ({len(samples):,} calls)", f"{median:.3f} ms"),
        Figure("warm recommend() p95", f"{p95:.3f} ms"),
    ]


def yardstick(quick: bool) -> list[Figure]:
    """Warm ``recommend()`` over the realistic mix, as a ratio to a fixed yardstick, one run.

    The yardstick stands for the machine's speed and does not move when footmap changes:
    ``copy.deepcopy`` of a frozen set of plans as plain dicts (``yardstick_plans.json.gz``, made
    by footmap 0.1.0 before the performance work). Rounds interleave one pass over the mix with
    one pass of the yardstick, and a round's ratio is held to the yardstick's passes either side
    of it (their mean); the figure is the median of the rounds' ratios (per call). A round takes
    some 0.15 s: many rounds, so that a second of another job's load moves few of them.
    """
    plans = json.loads(gzip.decompress((_HERE / "yardstick_plans.json.gz").read_bytes()))
    knowledge = shipped_knowledge()
    halves = realistic_mix(knowledge)
    mix = [profile for half in halves.values() for profile in half]
    for profile in mix:
        footmap.recommend(profile)  # warm
    rounds = 3 if quick else YARDSTICK_ROUNDS
    ratios, per_half = [], {name: [] for name in halves}

    def ruler() -> float:
        return time_call(lambda: [copy.deepcopy(plan) for plan in plans]) / len(plans)

    after = ruler()
    for _ in range(rounds):
        before = after
        for name, half in halves.items():
            per_half[name].append(time_call(lambda h=half: [footmap.recommend(p) for p in h]) / len(half))
        after = ruler()
        ratios.append(statistics.median([per_half[name][-1] for name in halves]) / ((before + after) / 2))
    ratio = statistics.median(ratios)
    figures = [
        Figure(
            f"warm recommend() / yardstick (realistic mix of {len(mix)}, median of {rounds} rounds)",
            f"{ratio:.2f}x",
            "<= 1.5x",
            ratio <= 1.5,
        )
    ]
    figures += [
        Figure(f"  {name.replace('_', '-')} half, per plan", f"{ms(statistics.median(times)):.3f} ms")
        for name, times in per_half.items()
    ]
    return figures + _unseen(plans, knowledge, rounds)


def _unseen(plans: list[Any], knowledge: Any, rounds: int) -> list[Figure]:
    """The same ratio over profiles this process has never seen: each round a fresh mix (its own
    seed). footmap keeps each plan item it validated, which a repeated mix always finds again;
    what new profiles share with earlier ones is what a long-running service gains from it."""
    ratios = []
    for number in range(rounds):
        halves = realistic_mix(knowledge, seed=SEED + 1 + number)
        fresh = [profile for half in halves.values() for profile in half]
        ruler = time_call(lambda: [copy.deepcopy(plan) for plan in plans]) / len(plans)
        ratios.append(time_call(lambda f=fresh: [footmap.recommend(p) for p in f]) / len(fresh) / ruler)
    return [
        Figure(
            f"  profiles never seen before (a fresh mix each round, {rounds} rounds)",
            f"{statistics.median(ratios):.2f}x",
        )
    ]


def throughput(quick: bool) -> list[Figure]:
    """Plans per second from one process, cycling through the profiles."""
    seconds = 0.5 if quick else 5.0
    profiles = list(PROFILES.values())
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for profile in profiles:
            footmap.recommend(profile)
        count += len(profiles)
    rate = count / (time.perf_counter() - started)
    return [Figure("single-process throughput", f"{rate:,.0f} plans/s")]


def cold(quick: bool) -> list[Figure]:
    """A new interpreter: ``import footmap`` plus the first plan (knowledge loaded, rules built)."""
    runs = 3 if quick else 9
    profile = json.dumps(PROFILES["back pain (README)"])
    totals, imports, walls = [], [], []
    with tempfile.TemporaryDirectory() as elsewhere:  # not the source tree's current directory
        for _ in range(runs):
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-c", COLD_PROBE, profile],
                cwd=elsewhere,
                capture_output=True,
                text=True,
                check=True,
            )
            walls.append(time.perf_counter() - started)
            probe = json.loads(result.stdout)
            totals.append(probe["total"])
            imports.append(probe["import"])
    total = ms(statistics.median(totals))
    return [
        Figure(f"cold import footmap + first plan (median of {runs} new processes)", f"{total:.0f} ms"),
        Figure("  of which import footmap", f"{ms(statistics.median(imports)):.0f} ms"),
        Figure("  whole process, interpreter start included", f"{ms(statistics.median(walls)):.0f} ms"),
    ]


def rule_stage(quick: bool) -> list[Figure]:
    """The rule stage on each engine, same rules, same facts, interleaved in one run.

    The durable-rules stage against the compiled twin (target: within 2x), and the twin against
    the independent reference evaluator (the test oracle, plain and unindexed by alpha).
    """
    knowledge = shipped_knowledge()
    engines: dict[str, Any] = {"python": engine_for(knowledge, "python")}
    if durable_available():
        engines["durable"] = engine_for(knowledge, "durable")
    engines["reference"] = ReferenceEngine(knowledge_rules(knowledge))
    rounds = 100 if quick else 1_000
    totals = dict.fromkeys(engines, 0.0)
    for data in PROFILES.values():
        facts = _facts(data, knowledge)
        expected = engines["reference"].run(facts)
        assert all(engine.run(facts) == expected for engine in engines.values())
        times: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(rounds):  # interleaved, so that drift hits all alike
            for name, engine in engines.items():
                times[name].append(time_call(lambda f=facts, e=engine: e.run(f)))
        for name in engines:
            totals[name] += statistics.median(times[name])
    count = len(PROFILES)
    figures = []
    if "durable" in totals:
        ratio = totals["durable"] / totals["python"]
        figures.append(
            Figure(
                "durable-rules stage / compiled twin (same rules, same facts)",
                f"{ratio:.2f}x",
                "<= 2x",
                ratio <= 2,
            )
        )
    twin = totals["python"] / totals["reference"]
    figures.append(Figure("compiled twin / reference evaluator", f"{twin:.2f}x", "<= 1x", twin <= 1))
    figures += [
        Figure(f"  {name}, mean of profile medians", f"{total / count * 1e6:.0f} us")
        for name, total in totals.items()
    ]
    return figures


def memory(quick: bool) -> list[Figure]:
    """Resident memory before and after many calls (after a warm-up and a collection)."""
    calls = 1_000 if quick else 100_000
    profiles = list(PROFILES.values())
    for _ in range(25 if quick else 250):
        for profile in profiles:
            footmap.recommend(profile)
    gc.collect()
    before = _rss()
    for number in range(calls):
        footmap.recommend(profiles[number % len(profiles)])
    gc.collect()
    growth = (_rss() - before) / 2**20
    return [
        Figure(f"RSS growth over {calls:,} calls", f"{growth:.2f} MB", "<= 5 MB", growth <= 5),
        Figure("  RSS after them", f"{_rss() / 2**20:.1f} MB"),
    ]


def knowledge_cycles(quick: bool) -> list[Figure]:
    """Resident memory over many knowledge bases, each loaded, used for one plan and dropped."""
    cycles = 10 if quick else 200
    profiles = list(PROFILES.values())
    with tempfile.TemporaryDirectory() as overlay:  # an empty overlay: the shipped knowledge, anew

        def cycle() -> None:
            knowledge = footmap.KnowledgeBase.load(overlay, overlay=True)
            for profile in profiles:
                footmap.recommend(profile, knowledge=knowledge)

        for _ in range(3):  # warm: the allocator's arenas, the shipped knowledge's caches
            cycle()
        gc.collect()
        before, started = _rss(), time.perf_counter()
        for _ in range(cycles):
            cycle()
        gc.collect()
        seconds = time.perf_counter() - started
    growth = (_rss() - before) / 2**20
    return [
        Figure(
            f"RSS growth over {cycles} knowledge bases loaded, used and dropped",
            f"{growth:.1f} MB",
            "<= 10 MB",
            growth <= 10,
        ),
        Figure("  per knowledge base: load and 8 plans", f"{seconds / cycles * 1e3:.0f} ms"),
    ]


# --- helpers ------------------------------------------------------------------------------------


#: Every measure, in the order they run.
STEPS: tuple[Callable[[bool], list[Figure]], ...] = (
    warm,
    yardstick,
    throughput,
    cold,
    rule_stage,
    peers.measure,
    memory,
    knowledge_cycles,
    knowledge_scale.measure,
    plan_size.measure,
    cold_start.measure,
    wire.measure,
    batch_speed.measure,
)


def _measured(step: Callable[[bool], list[Figure]], quick: bool) -> list[Figure]:
    """A measure's figures; one that raises is a failed figure, and the run goes on to the next."""
    try:
        return step(quick)
    except Exception as error:  # the report still shows every other measure
        traceback.print_exc()
        return [Figure(step_name(step), f"raised {type(error).__name__}", "runs", False)]


def step_name(step: Callable[[bool], list[Figure]]) -> str:
    """A measure's name for ``--only``: its function's, or its module's for a module's ``measure``."""
    return step.__module__ if step.__name__ == "measure" else step.__name__


def _timed_rounds(
    call: Callable[[dict[str, Any]], Any], rounds: int
) -> tuple[list[float], dict[str, list[float]]]:
    by_profile: dict[str, list[float]] = {name: [] for name in PROFILES}
    for data in PROFILES.values():
        call(data)  # warm: knowledge loaded, rules built, caches filled
    for _ in range(rounds):
        for name, data in PROFILES.items():
            by_profile[name].append(time_call(lambda d=data: call(d)))
    return [t for times in by_profile.values() for t in times], by_profile


def _facts(data: dict[str, Any], knowledge: footmap.KnowledgeBase) -> list[Fact]:
    profile = footmap.Profile.model_validate(data, context={"knowledge": knowledge})
    paths = knowledge.candidates(fact_nodes(profile))
    return profile_facts(profile, knowledge) + item_facts(candidate_ids(paths, knowledge), knowledge)


def _percentile(samples: list[float], percent: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def _rss() -> int:
    """Resident memory of this process, in bytes (Linux /proc; elsewhere the peak)."""
    statm = Path("/proc/self/statm")
    if statm.is_file():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def report(figures: list[Figure]) -> None:
    width = max(len(figure.name) for figure in figures)
    figure_width = min(24, max(len(figure.figure) for figure in figures))  # longer ones overflow
    print()
    print(f"{'measure':{width}}  {'figure':>{figure_width}}  {'target':10}  result")
    for figure in figures:
        print(
            f"{figure.name:{width}}  {figure.figure:>{figure_width}}  {figure.target:10}"
            f"  {figure.result}".rstrip()
        )
    targets = [figure for figure in figures if figure.holds is not None]
    passed = sum(1 for figure in targets if figure.holds)
    print(f"\n{passed} of {len(targets)} targets hold.")


if __name__ == "__main__":
    sys.exit(main())
