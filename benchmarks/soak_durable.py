"""Recommend over random everyday profiles, N times, on this interpreter's rule engine.

The soak behind ``docs/reliability.md`` ("a heap defect in durable-rules' retract path"): on
Python 3.11 or 3.12 it runs durable-rules, and a crash of its retract path ends the process
(exit code 134 or 139, with the stack that faulthandler prints)::

    python benchmarks/soak_durable.py --seed 1 --runs 100000
"""

from __future__ import annotations

import argparse
import faulthandler
import random
from typing import Any

import footmap
from footmap._knowledge.base import shipped_knowledge


def random_profile(rng: random.Random, vocabulary: dict[str, Any]) -> dict[str, Any]:
    """An everyday profile: up to 3 pains, 4 symptoms, 3 observations and 3 conditions."""

    def some(name: str, most: int) -> list[str]:
        ids = sorted(vocabulary[name])
        return rng.sample(ids, min(len(ids), rng.randint(0, most)))

    pains = [
        {
            "area": area,
            "severity": rng.randint(0, 10),
            "assessed": rng.random() < 0.3,
            **({"weeks": rng.choice([0.5, 2, 6, 12, 52])} if rng.random() < 0.5 else {}),
            **({"trend": rng.choice(["better", "same", "worse"])} if rng.random() < 0.3 else {}),
        }
        for area in some("pain_areas", 3)
    ]
    profile: dict[str, Any] = {
        "pains": pains,
        "symptoms": some("symptoms", 4),
        "observations": some("observations", 3),
        "conditions": some("conditions", 3),
        "equipment": some("equipment", 6),
        "exclude": some("modalities", 2),
        "minutes_per_day": rng.randint(5, 120),
        "can_get_on_floor": rng.random() < 0.7,
        "can_stand_unaided": rng.random() < 0.8,
    }
    if rng.random() < 0.8:
        profile["age"] = rng.randint(1, 120)
    return profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=100_000)
    args = parser.parse_args()
    faulthandler.enable()
    rng = random.Random(args.seed)
    vocabulary = shipped_knowledge().vocabulary
    for run in range(args.runs):
        footmap.recommend(random_profile(rng, vocabulary))
        if run % 10_000 == 0:
            print(f"{run} plans", flush=True)
    print(f"survived {args.runs} plans (seed {args.seed})")


if __name__ == "__main__":
    main()
