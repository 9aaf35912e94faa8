"""Workers kept between batches (the next batch with the same knowledge uses them, nothing else),
and a batch that keeps its workers fed."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import footmap
from footmap import _batch
from tests.strategies import SAMPLE_PROFILES
from tests.test_batch import _alive

PROFILES = [*SAMPLE_PROFILES] * 12  # several chunks for each of two workers


def _pid(item: Any, knowledge: footmap.KnowledgeBase) -> int:
    """A worker's task: the process it runs in, after a millisecond, so that every worker of a
    batch takes part (one forked from this process starts in about as long as another takes to
    fork: without it, the first could do the whole batch while the second starts)."""
    time.sleep(0.001)
    return os.getpid()


def _pids(count: int = 8 * _batch.CHUNK_SIZE, *, knowledge: footmap.KnowledgeBase | None = None) -> set[int]:
    return set(_batch_of(_pid, range(count), knowledge=knowledge))


def _batch_of(task: Any, items: Any, *, knowledge: footmap.KnowledgeBase | None = None) -> Iterator[Any]:
    return _batch._map(
        task, items, knowledge=knowledge, workers=2, progress=False, total=None, in_process=False
    )


@pytest.fixture(autouse=True)
def no_workers_kept() -> Iterator[None]:
    """Each test starts and ends with no kept workers."""
    footmap.stop_workers()
    yield
    footmap.stop_workers()


def _gone(pids: set[int], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(_alive(pid) for pid in pids)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def test_the_next_batch_runs_on_the_workers_the_last_one_kept() -> None:
    first = _pids()
    assert len(first) == 2
    assert _pids() == first
    plans = list(footmap.recommend_many(PROFILES, workers=2))
    assert [p.model_dump_json() for p in plans] == [footmap.recommend(p).model_dump_json() for p in PROFILES]
    assert _pids() == first


@needs_proc
def test_stop_workers_stops_the_kept_ones_and_the_next_batch_starts_its_own() -> None:
    first = _pids()
    assert footmap.stop_workers() == 2
    assert _gone(first)
    assert footmap.stop_workers() == 0
    assert _pids().isdisjoint(first)


def test_two_batches_at_once_never_share_a_worker() -> None:
    kept = _pids()
    one, other = _batch_of(_pid, range(200)), _batch_of(_pid, range(200))
    pairs = list(zip(one, other, strict=True))
    ours, theirs = {a for a, _ in pairs}, {b for _, b in pairs}
    assert ours.isdisjoint(theirs)
    assert kept in (ours, theirs)
    # Both finished cleanly: the workers kept now are of both, one per CPU at most.
    assert len(_batch.KEPT._workers) == min(4, max(os.cpu_count() or 1, 2))


@needs_proc
def test_an_abandoned_batch_keeps_none_of_its_workers() -> None:
    results = _batch_of(_pid, range(1000))
    pids = {next(results) for _ in range(3)}
    results.close()
    assert footmap.stop_workers() == 0
    assert _gone(pids)


def test_another_knowledge_base_gets_workers_of_its_own(tmp_path: Path) -> None:
    shipped = _pids()
    entry = (
        footmap.KnowledgeBase.load()
        .items["toe_press"]
        .model_dump(mode="json", by_alias=True, exclude_defaults=True)
    )
    (tmp_path / "exercises.yaml").write_text(yaml.safe_dump([{**entry, "name": "Kept toe press"}]), "utf-8")
    other = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    theirs = _pids(knowledge=other)
    assert theirs.isdisjoint(shipped)
    plan, _ = footmap.recommend_many([PROFILES[0]] * 2, workers=2, knowledge=other)
    assert plan.model_dump_json() == footmap.recommend(PROFILES[0], knowledge=other).model_dump_json()
    assert _pids(knowledge=other) == theirs
    assert _pids().isdisjoint(theirs | shipped)  # only one kind of pool is kept at a time


def test_workers_kept_longer_than_keep_for_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_batch, "KEEP_FOR", 0.3)
    first = _pids()
    time.sleep(0.5)
    assert _pids().isdisjoint(first)


@needs_proc
def test_a_kept_worker_leaves_by_itself_when_no_batch_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_batch, "LEAVE_AFTER", 0.5)
    first = _pids()
    assert _gone(first, within=20)
    assert _pids().isdisjoint(first)  # found gone, and replaced


def test_keep_for_zero_keeps_no_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_batch, "KEEP_FOR", 0.0)
    first = _pids()
    assert footmap.stop_workers() == 0
    assert _pids().isdisjoint(first)


@needs_proc
def test_a_kept_worker_that_died_is_replaced_and_no_profile_is_lost() -> None:
    first = sorted(_pids())
    os.kill(first[0], signal.SIGKILL)
    assert _gone({first[0]})
    plans = list(footmap.recommend_many(PROFILES, workers=2))
    assert [p.model_dump_json() for p in plans] == [footmap.recommend(p).model_dump_json() for p in PROFILES]


def _kept_in_child(found: Any, kind: Any) -> None:
    found.put(len(_batch.KEPT.take(kind, 2)))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="forks (POSIX)")
def test_a_forked_child_finds_none_of_its_parents_workers() -> None:
    _pids()
    kind = _batch.KEPT._kind  # forked from this process or from the fork server
    assert kind is not None
    context = multiprocessing.get_context("fork")
    found = context.SimpleQueue()
    child = context.Process(target=_kept_in_child, args=(found, kind))
    child.start()
    child.join(60)
    assert (child.exitcode, found.get()) == (0, 0)
    assert len(_batch.KEPT._workers) == 2  # still the parent's


def _slow_first(item: int, knowledge: footmap.KnowledgeBase) -> int:
    """A worker's task: the first item takes a second, so the other worker reads ahead to the
    window's end, and the first worker's two jobs then finish together."""
    if item == 0:
        time.sleep(1.0)
    return item


def test_a_batch_goes_on_when_every_job_finishes_while_its_window_is_full() -> None:
    import threading

    count = 4 * _batch.IN_FLIGHT * 2 * _batch.LARGEST_CHUNK  # well past one window of two workers
    results: list[int] = []

    def run() -> None:
        results.extend(_batch_of(_slow_first, range(count)))

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(60)
    assert results == list(range(count))
