"""How big a plan's JSON is: median, p95 and largest over the realistic mix, each half apart.

A plan's JSON (``plan.model_dump_json()``) is what a web frontend reads and what ``footmap batch``
writes, once per profile: self-contained, every text in it. Its compact form
(``footmap.compact_plan``, ``docs/outputs.md``) holds the same information with the knowledge's
texts as numbers into the knowledge's catalog, which a reader fetches once (its size is
reported too); every compact plan measured is read back and checked to be the same plan, byte
for byte. The target is a median compact plan of at most 6 KB over the whole mix; the figures
of the self-care-heavy and referral-heavy halves are reported apart, and so is what the bytes
of the full JSON hold, key by key, the largest first, and its floor with its text kept.

    PYTHONPATH=src .venv/bin/python benchmarks/plan_size.py [--quick]
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import footmap
from footmap._knowledge.base import shipped_knowledge

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import Figure  # a script beside this one
from mix import realistic_mix  # a script beside this one

#: The target: the median plan's JSON, in KB (1024 bytes).
TARGET_KB = 6.0
#: How many profiles of each half a quick run takes.
QUICK_HALF = 24
#: How many keys the breakdown names.
TOP_KEYS = 12


def measure(quick: bool) -> list[Figure]:
    """The plan JSON sizes over the realistic mix, and the PASS/FAIL figure of the target."""
    halves = realistic_mix(shipped_knowledge())
    if quick:
        halves = {name: profiles[:QUICK_HALF] for name, profiles in halves.items()}
    texts = {
        name: [footmap.recommend(p).model_dump_json() for p in profiles] for name, profiles in halves.items()
    }
    every = [text for half in texts.values() for text in half]
    figures = [_sizes(f"plan JSON, realistic mix of {len(every)}", every)]
    figures += [_sizes(f"plan JSON, {name.replace('_', '-')} half", half) for name, half in texts.items()]
    figures.append(_breakdown(every))
    figures.append(_distinct_text(every))
    compact = {name: [_compact(text) for text in half] for name, half in texts.items()}
    every_compact = [text for half in compact.values() for text in half]
    figures.append(_sizes(f"compact plan JSON, realistic mix of {len(every_compact)}", every_compact))
    figures += [
        _sizes(f"compact plan JSON, {name.replace('_', '-')} half", half) for name, half in compact.items()
    ]
    catalog = footmap.plan_catalog()
    figures.append(
        Figure(
            "the catalog, fetched once",
            f"{_kb(catalog.to_json()):.1f} KB, {len(catalog.texts):,} texts",
        )
    )
    median = statistics.median(_kb(text) for text in every_compact)
    figures.append(
        Figure(
            f"median compact plan JSON <= {TARGET_KB:g} KB",
            f"{median:.1f} KB",
            f"<= {TARGET_KB:g} KB",
            median <= TARGET_KB,
        )
    )
    return figures


def _compact(text: str) -> str:
    """The compact form of a plan's JSON, checked to read back as that JSON, byte for byte."""
    compact = footmap.compact_plan(footmap.Plan.model_validate_json(text))
    if footmap.expand_plan(compact).model_dump_json() != text:
        raise AssertionError("a compact plan did not read back as its plan")
    return compact


def _kb(text: str) -> float:
    return len(text.encode("utf-8")) / 1024


def _sizes(name: str, texts: Sequence[str]) -> Figure:
    sizes = sorted(_kb(text) for text in texts)
    p95 = sizes[min(len(sizes) - 1, round(0.95 * (len(sizes) - 1)))]
    return Figure(name, f"median {statistics.median(sizes):.1f} KB, p95 {p95:.1f} KB, max {sizes[-1]:.1f} KB")


def _breakdown(texts: Sequence[str]) -> Figure:
    """The mean bytes per plan held by each key (its name and its value where that is not an
    object, or a list of objects, whose own keys count instead), the largest first."""
    by_key: Counter[str] = Counter()
    for text in texts:
        _count(json.loads(text), by_key)
    top = ", ".join(f"{key} {count / len(texts) / 1024:.2f}" for key, count in by_key.most_common(TOP_KEYS))
    return Figure("plan JSON by key (KB a plan, mean)", top)


def _distinct_text(texts: Sequence[str]) -> Figure:
    """The floor of a plan's JSON while it keeps its text: the bytes of its distinct strings
    (each text, id and name once, no keys, no structure), median over the plans, and the keys
    they are first found under."""
    totals: list[float] = []
    by_key: Counter[str] = Counter()
    for text in texts:
        found: dict[str, str] = {}
        _strings(json.loads(text), "", found)
        totals.append(sum(len(value.encode("utf-8")) for value in found) / 1024)
        for value, key in found.items():
            by_key[key] += len(value.encode("utf-8"))
    top = ", ".join(f"{key} {count / len(texts) / 1024:.2f}" for key, count in by_key.most_common(TOP_KEYS))
    return Figure(
        "distinct strings of a plan (the floor with the text kept)",
        f"median {statistics.median(totals):.1f} KB; mean by key: {top}",
    )


def _strings(value: Any, key: str, found: dict[str, str]) -> None:
    if isinstance(value, str):
        found.setdefault(value, key)
    elif isinstance(value, list):
        for entry in value:
            _strings(entry, key, found)
    elif isinstance(value, dict):
        for name, entry in value.items():
            _strings(entry, name, found)


def _count(value: Any, by_key: Counter[str]) -> None:
    if isinstance(value, list):
        for entry in value:
            _count(entry, by_key)
        return
    if not isinstance(value, dict):
        return
    for key, entry in value.items():
        nested = isinstance(entry, dict) or (
            isinstance(entry, list) and any(isinstance(e, dict | list) for e in entry)
        )
        by_key[key] += _size(key) + 1 + (0 if nested else _size(entry) + 1)
        if nested:
            _count(entry, by_key)


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


if __name__ == "__main__":
    for figure in measure(quick="--quick" in sys.argv):
        print(
            f"{figure.result:4} {figure.name}: {figure.figure}"
            + (f" (target {figure.target})" if figure.target else "")
        )
