"""What a ``Plan`` costs to cross from a batch's worker to the parent: plain pickle against
``footmap._wire`` (each shared part sent once), on the realistic mix, in one run.

Usage::

    .venv/bin/python benchmarks/wire.py             # 2,000 plans in chunks of 32, best of 5
    .venv/bin/python benchmarks/wire.py --quick     # 416 plans, best of 3

The plans are made first, from fresh mixes (``benchmarks/mix.py``, a seed of their own each, no
profile repeated), then sent as ``recommend_many``'s workers send them:
one message per chunk, in order, with the garbage collector paused as the parent pauses it. The
figures are microseconds a plan for the worker's side (dump) and the parent's (load), bytes a
plan, and the ratio of plain pickle's time to the wire's, which is what this process's speed
does not move.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import footmap
from footmap._batch import CHUNK_SIZE
from footmap._knowledge.base import shipped_knowledge
from footmap._wire import Receiver, Sender

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import Figure  # a script beside this one
from mix import SEED, realistic_mix  # a script beside this one


def measure(quick: bool) -> list[Figure]:
    """Dump and load a plan, plain pickle against the wire, and the ratios."""
    count, repeats = (416, 3) if quick else (2_000, 5)
    plans = [footmap.recommend(profile) for profile in _distinct_profiles(count)]
    messages = [(start, plans[start : start + CHUNK_SIZE]) for start in range(0, count, CHUNK_SIZE)]
    plain = [pickle.dumps(message, pickle.HIGHEST_PROTOCOL) for message in messages]
    wired = _wire_dumps(messages)
    timings = {
        "plain pickle, dump": _best(
            lambda: [pickle.dumps(m, pickle.HIGHEST_PROTOCOL) for m in messages], repeats
        ),
        "plain pickle, load": _best(lambda: [pickle.loads(data) for data in plain], repeats),
        "wire, dump": _best(lambda: _wire_dumps(messages), repeats),
        "wire, load": _best(lambda: _wire_loads(wired), repeats),
    }
    figures = [
        Figure(f"{name} ({count:,} plans)", f"{seconds / count * 1e6:.0f} µs a plan")
        for name, seconds in timings.items()
    ]
    figures += [
        Figure("plain pickle, bytes", f"{sum(map(len, plain)) / count:,.0f} a plan"),
        Figure("wire, bytes", f"{sum(map(len, wired)) / count:,.0f} a plan"),
    ]
    for side in ("dump", "load"):
        ratio = timings[f"plain pickle, {side}"] / timings[f"wire, {side}"]
        figures.append(Figure(f"plain pickle / wire, {side}", f"{ratio:.2f}x"))
    return figures


def _distinct_profiles(count: int) -> list[dict[str, Any]]:
    """``count`` profiles, none repeated: fresh realistic mixes, each with its own seed (a repeated
    mix would share every part after its first pass, which flatters the wire)."""
    knowledge, profiles, seed = shipped_knowledge(), [], SEED
    while len(profiles) < count:
        seed += 1
        profiles += [profile for half in realistic_mix(knowledge, seed=seed).values() for profile in half]
    return profiles[:count]


def _wire_dumps(messages: Sequence[Any]) -> list[bytes]:
    sender = Sender()
    return [sender.dumps(message) for message in messages]


def _wire_loads(data: Sequence[bytes]) -> None:
    receiver = Receiver()
    for one in data:
        receiver.loads(one)


def _best(call: Callable[[], Any], repeats: int) -> float:
    """The fastest of ``repeats`` calls, in seconds, the collector paused (as the parent pauses it)."""
    best = float("inf")
    for _ in range(repeats):
        gc.disable()
        try:
            started = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer plans and repeats")
    args = parser.parse_args(argv)
    for figure in measure(args.quick):
        print(f"{figure.name:44} {figure.figure:>16}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
