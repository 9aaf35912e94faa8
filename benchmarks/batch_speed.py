"""Batches against the single-process loop, interleaved in one run, on the realistic mix.

Usage::

    .venv/bin/python benchmarks/batch_speed.py           # 5,000 profiles, 5 rounds (about 3 min)
    .venv/bin/python benchmarks/batch_speed.py --quick   # 208 profiles, 1 round
    .venv/bin/python benchmarks/batch_speed.py --rounds 5

The profiles are ``benchmarks/mix.py``'s realistic mix (208 profiles) repeated to 5,000. Each
batch is held to the single process doing the same job (``SAME_JOB``): ``Plan`` objects against
the loop (``for p in profiles: footmap.recommend(p)``), JSON against the loop that also writes
each plan's JSON (``.model_dump_json()``), ``footmap batch IN -o OUT --workers 2`` (the command's
``main``, in this process, so the interpreter's start is not counted; the file of profiles is
written once, before) against its own code in one process (``run_jsonl(..., in_process=True)``:
the loop that writes the same file). In each round, each batch is timed between two runs of the
single process it is held to, and its ratio is the mean of those two over its own time: the
machine's speed moves over seconds on a shared machine, and a baseline timed a minute before
would move the ratio with it. Beside them, the loop split over this process and one forked from
it, which send nothing (``_split_loop``): what two CPUs give at that moment, at best; each batch's
share of it is printed under it. The batches of ``recommend_many``: a process's first call
(``footmap.stop_workers()`` before it, untimed, so it starts its two workers), then the call after
it, on the workers it kept, as a program calling it again gets them. The ratio to the loop that
writes no JSON (that round's median loop) is printed beside the JSON batches. Every result is
taken and dropped, as a batch that writes its plans somewhere does: a caller that keeps thousands
of ``Plan`` objects pays Python's garbage collector over all of them, loop or not (about 1 ms a
plan more at 1,000 plans kept, on this 2-core machine). The figure is the median ratio over the
rounds, with the lowest and highest: on a machine other jobs share, the spread is the honest part
of the figure.

A first call starts its two workers, so their start is in its time, as it is for a user; the later
calls run on the workers kept (``docs/batch.md``, "Workers kept between batches"). Workers are
forked from multiprocessing's fork server, which outlives a batch in the process that started it:
``recommend_many`` pays the server's start in the first round only, as a program that calls it
again would, and ``footmap batch`` has it (and the kept workers) stopped before every round, so
each round pays it as a new ``footmap`` process does. CPU time counts every process under this
one: the ended ones reaped here, and, from /proc, the fork server with the workers it has reaped.
The small input (200 profiles, 15 rounds) runs the defaults, where ``SMALL_INPUT`` plans it in
this process, against the loop over the same profiles, timed the same way.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import footmap
from footmap._batch import run_jsonl
from footmap._cli import main as footmap_command
from footmap._knowledge.base import shipped_knowledge

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import Figure, time_call  # a script beside this one
from mix import realistic_mix  # a script beside this one

#: The target: two workers against the single-process loop, on two CPUs or more.
TARGET = 1.7
#: A small input on the defaults may cost this much more than the loop, at most.
SMALL_TARGET = 1.3
PROFILES, QUICK_PROFILES, SMALL = 5_000, 208, 200
#: Rounds of the batches (each ~30 s) and of the small input (each under a second).
ROUNDS, SMALL_ROUNDS = 5, 15
#: Each batch, and the single process doing the same job (the same output) it is held against:
#: ``Plan`` objects against the loop, JSON against the loop that writes each plan's JSON, and
#: ``footmap batch`` against its own code run in one process over the same file.
SAME_JOB = {
    "recommend_many(workers=2)": "loop",
    'recommend_many(workers=2, output="json")': "loop, JSON",
    "footmap batch --workers 2": "footmap batch in one process",
    "first call: recommend_many(workers=2)": "loop",
    'first call: recommend_many(workers=2, output="json")': "loop, JSON",
}

#: The loop on two processes with no pipe between them, which sets what a batch can reach.
CEILING = "the loop split over two forked processes, no pipe"

#: The small input's contenders, each against the loop doing the same job in this process.
SMALL_SAME_JOB = {"recommend_many()": "loop", "footmap batch": "loop, JSON"}


def measure(quick: bool, rounds: int | None = None) -> list[Figure]:
    """The batch ratios against the loop (median and spread over ``rounds``), and a small input."""
    rounds = rounds or (1 if quick else ROUNDS)
    mix = [profile for half in realistic_mix(shipped_knowledge()).values() for profile in half]
    profiles = _repeat(mix, QUICK_PROFILES if quick else PROFILES)
    with tempfile.TemporaryDirectory() as scratch:
        lines = _jsonl(Path(scratch) / "profiles.jsonl", profiles)
        small = _jsonl(Path(scratch) / "small.jsonl", profiles[:SMALL])
        out = Path(scratch) / "plans.jsonl"
        for profile in mix:
            footmap.recommend(profile)  # warm: knowledge loaded, rules built, caches filled

        def plans() -> None:
            _drain(footmap.recommend_many(profiles, workers=2))

        def texts() -> None:
            _drain(footmap.recommend_many(profiles, workers=2, output="json"))

        # In this order: a first call starts its workers (those kept before are stopped, untimed),
        # and the call after it finds them kept, as a program's later calls do.
        groups: list[Group] = [
            Group(
                "loop",
                lambda: _drain(footmap.recommend(profile) for profile in profiles),
                {
                    CEILING: lambda: _split_loop(profiles),
                    "first call: recommend_many(workers=2)": plans,
                    "recommend_many(workers=2)": plans,
                },
            ),
            Group(
                "loop, JSON",
                lambda: _drain(footmap.recommend(one).model_dump_json() for one in profiles),
                {
                    'first call: recommend_many(workers=2, output="json")': texts,
                    'recommend_many(workers=2, output="json")': texts,
                },
            ),
            Group(
                "footmap batch in one process",
                lambda: _in_one_process(lines, out),
                {
                    "footmap batch --workers 2": lambda: _fresh_command(
                        "batch", lines, "-o", out, "--workers", "2"
                    )
                },
            ),
        ]
        times = _sandwiched(groups, rounds, untimed=footmap.stop_workers)
        few = profiles[:SMALL]
        small_groups = [
            Group(
                "loop",
                lambda: _drain(footmap.recommend(profile) for profile in few),
                {"recommend_many()": lambda: _drain(footmap.recommend_many(few))},
            ),
            Group(
                "loop, JSON",
                lambda: _drain(footmap.recommend(one).model_dump_json() for one in few),
                {"footmap batch": lambda: _command("batch", small, "-o", out)},
            ),
        ]
        small_times = _sandwiched(small_groups, 3 if quick else SMALL_ROUNDS)
    cores = len(_usable_cpus())
    loop = times.timings["loop"]
    figures = [
        Figure(
            f"batch ratios on {len(profiles):,} profiles, {rounds} round{'s' * (rounds > 1)},"
            f" {cores} usable CPUs",
            f"loop {statistics.median(t.wall for t in loop):.1f} s,"
            f" {_per_plan(loop, len(profiles)):.2f} ms CPU a plan; workers start by {_start_method()}",
        )
    ]
    ceiling = statistics.median(times.speedups(CEILING))
    figures.append(_ratio_figure(f"  {CEILING} / loop", times.speedups(CEILING)))
    for name, baseline in SAME_JOB.items():
        target = None if name.startswith("first call:") else TARGET  # printed beside the targets
        figures.append(_ratio_figure(f"  {name} / {baseline}", times.speedups(name), target, at_least=True))
        figures.append(_cpu_figure(times.timings[baseline], times.timings[name], len(profiles)))
        share = statistics.median(times.speedups(name, baseline)) / ceiling
        figures.append(
            Figure("    of what the two plain processes got (the machine's ceiling)", f"{share:.0%}")
        )
        if baseline != "loop":
            figures.append(
                _ratio_figure("    against the loop that writes no JSON", times.speedups(name, "loop"))
            )
    figures.append(
        Figure(
            f"small input ({SMALL} profiles), defaults, {small_times.rounds} rounds",
            f"loop {statistics.median(t.wall for t in small_times.timings['loop']):.2f} s",
        )
    )
    for name, baseline in SMALL_SAME_JOB.items():
        slowdowns = [1 / speedup for speedup in small_times.speedups(name)]
        figures.append(
            _ratio_figure(f"  {name}: time over the {baseline}'s", slowdowns, SMALL_TARGET, at_least=False)
        )
    return figures


@dataclass(frozen=True)
class Group:
    """A baseline and the contenders held to it: in a round each contender is timed between two
    runs of its baseline, and held to their mean, so that the machine's speed, which moves over
    seconds on a shared machine, moves both sides of a ratio alike."""

    baseline: str
    run_baseline: Callable[[], Any]
    contenders: dict[str, Callable[[], Any]]


@dataclass
class Sandwiched:
    """The timings of a run of groups: every run of each name, and each contender's baselines."""

    rounds: int
    timings: dict[str, list[Timing]]
    #: For each contender, each round's (baseline seconds, its seconds).
    pairs: dict[str, list[tuple[float, float]]]
    #: For each group's baseline, its seconds in each round (the median of that round's runs).
    round_baselines: dict[str, list[float]]

    def speedups(self, name: str, baseline: str | None = None) -> list[float]:
        """Each round's baseline time over ``name``'s: the baselines either side of it, or the
        median of ``baseline``'s runs in that round."""
        if baseline is None:
            return [base / seconds for base, seconds in self.pairs[name]]
        medians = self.round_baselines[baseline]
        return [base / seconds for base, (_, seconds) in zip(medians, self.pairs[name], strict=True)]


@dataclass(frozen=True)
class Timing:
    """One contender's run: its wall-clock seconds, and the CPU seconds of this process and of the
    worker processes it started (reaped by the end of the run)."""

    wall: float
    cpu: float

    @property
    def cores(self) -> float:
        """How many CPUs the run had on average: on a machine other jobs share, less than asked."""
        return self.cpu / self.wall


def _per_plan(timings: list[Timing], plans: int) -> float:
    return statistics.median(t.cpu for t in timings) / plans * 1e3


def _cpu_figure(loop: list[Timing], batch: list[Timing], plans: int) -> Figure:
    """What the CPU time says: the ratio two free CPUs would give, had the run had them.

    Two free CPUs run the batch's CPU time (workers, their start-up, and this process) in half of
    it at best, so ``2 x loop CPU / batch CPU`` bounds the ratio from above; how many CPUs the run
    actually had tells how far a shared machine held it below that.
    """
    bound = 2 * statistics.median(t.cpu for t in loop) / statistics.median(t.cpu for t in batch)
    had = statistics.median(t.cores for t in batch)
    return Figure(
        "    CPU a plan (workers + this process); 2 free CPUs would give at most",
        f"{_per_plan(batch, plans):.2f} ms; {bound:.2f}x; the run had {had:.1f} CPUs",
    )


def _split_loop(profiles: list[dict[str, Any]]) -> None:
    """The loop's profiles split over this process and one forked from it, neither sending
    anything: what two CPUs of this machine give the loop at this moment, at best (two processes
    running side by side here each take up to 1.4 times the CPU one takes alone)."""
    half = len(profiles) // 2
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        try:
            _drain(footmap.recommend(profile) for profile in profiles[half:])
        finally:
            os._exit(0)
    _drain(footmap.recommend(profile) for profile in profiles[:half])
    os.waitpid(child, 0)


def _start_method() -> str:
    """How this process's workers start (``footmap._batch._context``): ``fork`` is from this
    process itself, ``forkserver`` from multiprocessing's fork server."""
    import multiprocessing

    from footmap import _batch

    return str(_batch._context(multiprocessing).get_start_method())


def _drain(results: Iterable[Any]) -> None:
    """Take every result, keeping none."""
    deque(results, maxlen=0)


def _repeat(mix: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    return [mix[n % len(mix)] for n in range(count)]


def _jsonl(path: Path, profiles: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(profile) + "\n" for profile in profiles), encoding="utf-8")
    return path


def _command(*argv: str | Path) -> None:
    """``footmap ...`` in this process, its summary line kept off the report."""
    with contextlib.redirect_stderr(io.StringIO()) as said:
        code = footmap_command([str(arg) for arg in argv])
    if code != 0:
        raise RuntimeError(f"footmap {' '.join(map(str, argv))} exited {code}: {said.getvalue()}")


def _fresh_command(*argv: str | Path) -> None:
    """``footmap ...`` as a new ``footmap`` process would run it: the workers kept from before are
    stopped first, and so is multiprocessing's fork server, which outlives a batch in the process
    that started it, so that where workers come from it its start (about a third of a second of
    CPU: importing footmap and loading the knowledge, once) is in the command's time."""
    from multiprocessing import forkserver

    footmap.stop_workers()  # kept workers hold the server's pipe open: it would wait for them
    server = getattr(forkserver, "_forkserver", None)
    if server is not None and hasattr(server, "_stop"):
        server._stop()
    _command(*argv)


def _in_one_process(lines: Path, out: Path) -> None:
    """``footmap batch``'s own code, in this process: the loop that writes the same file."""
    run_jsonl(lines, out, in_process=True, progress=False)


def _sandwiched(groups: list[Group], rounds: int, untimed: Callable[[], Any] | None = None) -> Sandwiched:
    """Each group in each round: its baseline, then each contender followed by the baseline again;
    ``untimed`` is called before each ``first call:`` contender, outside its time."""
    result = Sandwiched(rounds, {}, {}, {})
    for _ in range(rounds):
        for group in groups:
            before = _timed(group.run_baseline)
            runs = [before]
            for name, call in group.contenders.items():
                if untimed is not None and name.startswith("first call:"):
                    untimed()
                timing = _timed(call)
                after = _timed(group.run_baseline)
                result.timings.setdefault(name, []).append(timing)
                result.pairs.setdefault(name, []).append(((before.wall + after.wall) / 2, timing.wall))
                runs.append(after)
                before = after
            result.timings.setdefault(group.baseline, []).extend(runs)
            result.round_baselines.setdefault(group.baseline, []).append(
                statistics.median(t.wall for t in runs)
            )
    return result


def _timed(call: Callable[[], Any]) -> Timing:
    cpu = _cpu_seconds()
    wall = time_call(call)
    return Timing(wall, _cpu_seconds() - cpu)


def _cpu_seconds() -> float:
    """CPU seconds so far of this process and of every process it started, directly or not.

    Workers forked from multiprocessing's fork server are the server's children, and the server
    lives on between runs: its CPU time, and its ended children's, are read from /proc (where
    there is one), with that of any other process still running under this one.
    """
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime + _running_descendants_cpu()


def _running_descendants_cpu() -> float:
    """CPU seconds of the processes under this one still running, with their ended children's."""
    parents: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        parents.setdefault(int(fields[1]), []).append(pid)
        times[pid] = sum(int(value) for value in fields[11:15]) / tick  # utime stime cutime cstime
    total, todo = 0.0, [os.getpid()]
    while todo:
        for child in parents.get(todo.pop(), []):
            total += times[child]
            todo.append(child)
    return total


def _ratio_figure(
    name: str, ratios: list[float], target: float | None = None, *, at_least: bool = True
) -> Figure:
    """The median ratio and its spread, held to ``target`` if there is one."""
    median = statistics.median(ratios)
    spread = f" ({min(ratios):.2f} to {max(ratios):.2f})" if len(ratios) > 1 else ""
    if target is None:
        return Figure(name, f"{median:.2f}x{spread}")
    holds = median >= target if at_least else median <= target
    return Figure(name, f"{median:.2f}x{spread}", f"{'>=' if at_least else '<='} {target}x", holds)


def _usable_cpus() -> set[int]:
    try:
        return os.sched_getaffinity(0)
    except AttributeError:  # not Linux
        return set(range(os.cpu_count() or 1))


def _report(figures: list[Figure]) -> None:
    width = max(len(figure.name) for figure in figures)
    for figure in figures:
        print(f"{figure.name:{width}}  {figure.figure:>48}  {figure.target:8}  {figure.result}".rstrip())


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="208 profiles, one round")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 5, --quick 1)")
    arguments = parser.parse_args()
    _report(measure(arguments.quick, arguments.rounds))
