"""What every measure of ``benchmarks/run.py`` returns, and the timing helpers they share.

A measure lives in its own module beside ``run.py`` when it is more than a few lines
(``batch_speed.py``, ``plan_size.py`` ...): a function ``measure(quick: bool) -> list[Figure]``
that ``run.py`` lists in ``STEPS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Figure:
    """One line of the report: what was measured, its figure, and the target it is held to."""

    name: str
    figure: str
    target: str = ""
    holds: bool | None = None  # None: reported, no target

    @property
    def result(self) -> str:
        return "" if self.holds is None else ("PASS" if self.holds else "FAIL")


def time_call(call: Callable[[], Any]) -> float:
    """Seconds ``call()`` took (one call, ``perf_counter``)."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def ms(seconds: float) -> float:
    return seconds * 1e3
