"""Knowledge 1x to 100x the shipped size, with profiles that reach the copies' own rules.

``make_knowledge.py`` writes the shipped knowledge and ``N - 1`` copies of it, each copy a graph
and a rule set of its own in a vocabulary of its own (``back_s3``, ``tingling_s3`` ...; a copy's
rules that name none of its ids also need the condition ``synthetic_s3``). A profile in the
shipped vocabulary reaches only the shipped copy; here each profile of the realistic mix is also
moved onto a copy chosen at random (its pain areas, symptoms, observations and conditions
renamed, the copy's condition added), so the rules the run reaches are spread over the whole
knowledge, as they would be in a knowledge base that size. Per-plan time is the median over the
moved mix, against the same mix on the shipped knowledge, in one run; load time is
``KnowledgeBase.load`` of the directory in CPU seconds (the collector run before each load, the
knowledge freed after the time is taken), each load held to loads of the 1x directory made just
before and after it: 3 each side at 3x, N / 2 up to 25 at larger N, some half of the load's own
time, so that the baseline sees the machine's speed over seconds as the load does; the ratio is
the load over the mean of the two medians, the figure the median of the ratios (7 loads at 3x
down to 2 at 100x). A baseline measured once, at the start, moved every ratio after it with the
machine's speed at that moment.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from figures import Figure, ms, time_call
from make_knowledge import COPIED_VOCABULARY, MARKER, make_knowledge
from mix import realistic_mix

import footmap
from footmap._knowledge.base import shipped_knowledge
from footmap._rules.compile import knowledge_rules
from footmap._rules.engine import engine_info

#: At 100x (17,400 rules) durable-rules cannot hold the rules (a node of its network would get 801
#: children; it hangs at 512), so footmap runs the compiled twin there: the figure names the engine.
FACTORS = (1, 3, 10, 30, 100)
QUICK_FACTORS = (1, 2)
#: Timed loads at each size (a load at 3x takes some 0.2 s, at 100x some 6 s), and loads of the
#: 1x knowledge before and after each of them, whose medians are its baseline.
LOADS = {3: 7, 10: 5, 30: 3, 100: 2}
BASE_LOADS = 3
#: A larger load is held to more 1x loads either side of it (``N / 2``, at most this many): some
#: half of its own time each side, so that the baseline sees the machine's speed over seconds,
#: as the load does (a 30x load takes 2 s, three 1x loads 0.2 s).
MOST_BASE_LOADS = 25
#: Profile fields and the vocabulary list their ids come from (equipment is shared by copies).
RENAMED = {"symptoms": "symptoms", "observations": "observations", "conditions": "conditions"}


def moved(profile: dict[str, Any], copy: int) -> dict[str, Any]:
    """``profile`` in the vocabulary of copy ``copy`` (0: the shipped one, unchanged)."""
    if copy == 0:
        return profile
    suffix = f"_s{copy}"
    result = dict(profile)
    result["pains"] = [{**pain, "area": pain["area"] + suffix} for pain in profile["pains"]]
    for field in RENAMED:
        result[field] = [term + suffix for term in profile.get(field, [])]
    result["conditions"] = [*result["conditions"], f"{MARKER}{suffix}"]
    return result


def _mix_over(factor: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    mix = [profile for half in realistic_mix(shipped_knowledge()).values() for profile in half]
    return [moved(profile, rng.randrange(factor)) for profile in mix]


def _load(path: Path, times: int, base: Path, base_loads: int) -> tuple[footmap.KnowledgeBase, float, float]:
    """The knowledge of ``path``, the median CPU seconds of ``times`` loads of it, and the median
    ratio of each load to the loads of ``base`` either side of it (the median of ``base_loads``
    before it and of as many after it, averaged)."""
    seconds: list[float] = []
    ratios: list[float] = []
    before = _base_seconds(base, base_loads)
    knowledge = None
    for _ in range(times):
        knowledge = None  # the last one dropped, and its garbage collected, outside the time
        load, knowledge = _timed_load(path)
        after = _base_seconds(base, base_loads)
        seconds.append(load)
        ratios.append(load / ((before + after) / 2))
        before = after
    assert knowledge is not None
    return knowledge, statistics.median(seconds), statistics.median(ratios)


def _base_seconds(base: Path, loads: int) -> float:
    return statistics.median(_seconds_to_load(base) for _ in range(loads))


def _timed_load(path: Path) -> tuple[float, footmap.KnowledgeBase]:
    """CPU seconds to load ``path``, and what it loaded. The collector runs first, outside the
    time, so that no load pays for the garbage an earlier one left; the knowledge is returned, so
    that freeing it is not timed either. CPU time, not wall-clock: a shared machine's other jobs
    take a 0.06 s load's wall-clock time up to 3.7 times, its CPU time at most 1.3 times."""
    gc.collect()
    started = time.process_time()
    knowledge = footmap.KnowledgeBase.load(path)
    return time.process_time() - started, knowledge


def _seconds_to_load(path: Path) -> float:
    return _timed_load(path)[0]


def _paired(
    knowledge: footmap.KnowledgeBase, profiles: list[dict[str, Any]], mix: list[dict[str, Any]], rounds: int
) -> tuple[float, float]:
    """Median per-plan time on ``knowledge`` (its profiles) and on the shipped one (the mix),
    rounds interleaved."""
    shipped = shipped_knowledge()
    for profile, original in zip(profiles, mix, strict=True):  # warm
        footmap.recommend(profile, knowledge=knowledge)
        footmap.recommend(original, knowledge=shipped)
    larger, base = [], []
    for _ in range(rounds):
        larger.append(time_call(lambda: [footmap.recommend(p, knowledge=knowledge) for p in profiles]))
        base.append(time_call(lambda: [footmap.recommend(p, knowledge=shipped) for p in mix]))
    return statistics.median(larger) / len(profiles), statistics.median(base) / len(mix)


def measure(quick: bool) -> list[Figure]:
    """Per-plan and load time at each size, as ratios to the shipped knowledge in the same run."""
    factors = QUICK_FACTORS if quick else FACTORS
    assert COPIED_VOCABULARY  # the vocabulary the copies rename (make_knowledge.py)
    mix = _mix_over(1)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as directory:
        base = make_knowledge(Path(directory) / "x1", factor=1)
        for factor in factors:
            path = base if factor == 1 else make_knowledge(Path(directory) / f"x{factor}", factor=factor)
            with warnings.catch_warnings():  # past durable-rules' limits footmap warns and runs the twin
                warnings.simplefilter("ignore", footmap.EngineFallbackWarning)
                base_loads = max(BASE_LOADS, min(MOST_BASE_LOADS, factor // 2))
                knowledge, load, load_ratio = _load(path, LOADS.get(factor, 1), base, base_loads)
                rounds = 1 if quick or factor >= 30 else 3
                plan, shipped = _paired(knowledge, _mix_over(factor), mix, rounds)
                engine = engine_info(knowledge=knowledge).engine
            rules = len(knowledge_rules(knowledge))
            figures += _figures(factor, plan / shipped, load_ratio, plan, load, rules, engine)
            del knowledge
            print(f"    {factor}x knowledge: {rules:,} rules, {ms(plan):.3f} ms a plan", file=sys.stderr)
    return figures


def _figures(
    factor: int, plan_ratio: float, load_ratio: float, plan: float, load: float, rules: int, engine: str
) -> list[Figure]:
    name = f"{factor}x knowledge ({rules:,} rules, {engine})"
    figures = [Figure(f"{name}: per plan / shipped", f"{plan_ratio:.2f}x  ({ms(plan):.2f} ms)")]
    if factor == 10:
        figures[0].target, figures[0].holds = "<= 3x", plan_ratio <= 3
    load_figure = Figure("  load / 1x load", f"{load_ratio:.1f}x  ({load:.2f} s)")
    if factor > 1:
        load_figure.target, load_figure.holds = f"<= {factor * 1.1:g}x", load_ratio <= factor * 1.1
    return [*figures, load_figure]
