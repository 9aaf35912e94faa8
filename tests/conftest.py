"""Shared fixtures and hypothesis profiles; ``tests/scenarios/*.yaml`` run by footmap's own plugin."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import footmap

# footmap.testing collects the scenario files (a profile in, expected plan properties out), the
# same way a clinic runs its own; pytester runs pytest inside tests/test_testing.py.
pytest_plugins = ["footmap.testing", "pytester"]

# CI (.ci/run, 2 cores, a 10-minute budget for everything): 150 examples a property, the same
# ones every run; a thorough run (README, "Tests") takes 10,000 of each.
settings.register_profile(
    "ci",
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# The second interpreter of CI (Python 3.13, the compiled twin): the same properties, fewer
# examples, since 3.11's run already covers them at 150 and against durable-rules.
settings.register_profile(
    "ci_second",
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "thorough",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parents[1]

# The knowledge cache of this run (and of the processes it starts) lives in a directory of its
# own, never in the user's cache; tests/knowledge/test_cache.py points it elsewhere again.
_CACHE = tempfile.mkdtemp(prefix="footmap-test-cache-")
os.environ["FOOTMAP_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def kb() -> footmap.KnowledgeBase:
    """The shipped knowledge, loaded once for the test session."""
    return footmap.KnowledgeBase.load()
