"""Plans for many profiles: in input order, on worker processes, with a progress bar.

The C rule engine holds the GIL, so threads cannot run plans in parallel: processes do. Each
worker process gets the knowledge once, when it starts (the shipped knowledge it loads itself;
any other is sent as validated data, never re-read from disk), builds its rule engine once, and
then takes profiles in chunks. Input is read lazily and only a few chunks per worker are in flight
at a time, so memory stays flat however many profiles there are; results are yielded in input
order. What crosses back from a worker is what the caller gets, made once, in the worker: a
``Plan`` (pickled by ``footmap._wire``, which sends each part plans share once and then its
number), a plan's JSON text, or for ``footmap batch`` the finished output line as bytes, which
the parent only writes.

Workers are forked from this process where that is safe (Linux, one thread), and start in a
millisecond with all it has; else from multiprocessing's fork server where there is one (POSIX;
spawned elsewhere): a fresh process, started once and kept until this one exits, that has
imported footmap and loaded the shipped knowledge but never built a rule engine, so a worker
starts in milliseconds and builds its own engine (``_context``). Starting workers still costs
more than they save on a small input: unless the number of workers is given, an input of at most
``SMALL_INPUT`` profiles is planned in this process (docs/batch.md).

``run_jsonl`` is the file-to-file form behind ``footmap batch``: one output line per input line,
written one at a time, and a rerun with ``resume=True`` continues after the last complete line.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import stat
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar, overload

from pydantic import ValidationError

from footmap._compact import compact_plan
from footmap._compose.parts import knowledge_parts
from footmap._errors import (
    BatchError,
    EngineFallbackWarning,
    InputError,
    OutputError,
    ResumeError,
    WorkerError,
)
from footmap._input.profile import Profile
from footmap._knowledge import schema
from footmap._knowledge.base import KnowledgeBase, shipped_knowledge
from footmap._pipeline import recommend
from footmap._plan import Plan
from footmap._rules.engine import warn_if_unavailable
from footmap._wire import Receiver, Sender

if TYPE_CHECKING:
    import queue
    from multiprocessing.connection import Connection

T = TypeVar("T")
Task = Callable[[Any, KnowledgeBase], T]
#: What ``recommend_many`` yields for each profile: a ``Plan``, or the plan's JSON text.
Output = Literal["plan", "json"]

#: Profiles per job sent to a worker: enough to make the round trip cheap, few enough to balance;
#: the size of every job when the number of profiles is not known, and of a batch's last jobs.
CHUNK_SIZE = 32
#: The largest job, sent while many profiles are left (their number known): a quarter of the
#: parent's CPU a plan went on its pipes' round trips at 32 (0.34 s of CPU over 5,000 plans at 32,
#: 0.20 s at 128, median of 5).
LARGEST_CHUNK = 128
#: While the number of profiles left is known, a job holds at most ``1 / TAPER`` of each worker's
#: share of them: jobs grow smaller towards the end, so that the workers finish together.
TAPER = 4
#: Chunks per worker that may be read ahead of the first result not yet yielded.
IN_FLIGHT = 4
#: Jobs a worker holds at once: the next one is there when it finishes one.
JOBS_PER_WORKER = 2
#: The most profiles planned in this process when the number of workers is not given. Starting
#: two workers took 2.7 to 3.6 s on a busy 2-core machine, where a plan took 1.6 to 3 ms and two
#: workers save at most half of it: they pay for themselves past some 2,000 profiles, and 1,000
#: stays well below that (docs/batch.md, "Where plans are made").
SMALL_INPUT = 1000
#: Seconds a run must last before ``progress=None`` shows its bar (on a terminal).
PROGRESS_DELAY = 2.0
#: How often (seconds) a worker checks that the process that started it is still there.
PARENT_POLL = 0.2
#: Seconds a worker is given to stop by itself at the end of a run before it is killed.
SHUTDOWN_WAIT = 5.0
#: Seconds a worker may spend on one job (32 to 128 profiles, normally well under a second) before it is
#: stopped and the job's profiles are treated as if it had died on them.
JOB_TIMEOUT = 120.0
#: Worker deaths on one profile, run alone, that make it the poison rather than bad luck.
DEATHS_TO_BLAME = 2
#: Seconds the workers of a finished batch are kept for the next batch (0: never kept).
KEEP_FOR = 300.0
#: Seconds a kept worker waits for a job before it leaves by itself (past ``KEEP_FOR``, so that a
#: batch never takes a worker that is leaving).
LEAVE_AFTER = KEEP_FOR + 60.0
#: What a worker is told when it is kept, with ``LEAVE_AFTER``: wait that long for the next batch.
PARK = "park"


@overload
def recommend_many(
    profiles: Iterable[Profile | Mapping[str, Any]],
    *,
    knowledge: KnowledgeBase | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    errors: Literal["raise"] = "raise",
    output: Literal["plan"] = "plan",
) -> Iterator[Plan]: ...


@overload
def recommend_many(
    profiles: Iterable[Profile | Mapping[str, Any]],
    *,
    knowledge: KnowledgeBase | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    errors: Literal["return"],
    output: Literal["plan"] = "plan",
) -> Iterator[Plan | ValidationError | WorkerError]: ...


@overload
def recommend_many(
    profiles: Iterable[Profile | Mapping[str, Any]],
    *,
    knowledge: KnowledgeBase | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    errors: Literal["raise"] = "raise",
    output: Literal["json"],
) -> Iterator[str]: ...


@overload
def recommend_many(
    profiles: Iterable[Profile | Mapping[str, Any]],
    *,
    knowledge: KnowledgeBase | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    errors: Literal["return"],
    output: Literal["json"],
) -> Iterator[str | ValidationError | WorkerError]: ...


def recommend_many(
    profiles: Iterable[Profile | Mapping[str, Any]],
    *,
    knowledge: KnowledgeBase | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    errors: Literal["raise", "return"] = "raise",
    output: Output = "plan",
) -> Iterator[Plan] | Iterator[str] | Iterator[Plan | str | ValidationError | WorkerError]:
    """Plans for many profiles, yielded in input order, computed on worker processes.

    ``workers``: how many processes. By default an input of at most ``SMALL_INPUT`` (1,000)
    profiles is planned in this process, where starting workers would cost more than they save,
    and a larger one on one process per CPU. ``workers=1`` always plans in this process, and
    ``workers=N`` (2 or more) always on ``N`` processes: a crash of the rule engine's C code
    costs only its profile there, while in this process it ends the process (``docs/batch.md``).
    The workers of a batch that finished are kept, for ``KEEP_FOR`` (300) seconds, for the next
    batch with the same knowledge; :func:`stop_workers` stops them sooner.
    ``progress``: ``True`` always shows a progress bar on standard error, ``False`` never, and
    ``None`` (the default) shows one on a terminal once a run has lasted two seconds.
    ``errors``: an invalid profile's :class:`pydantic.ValidationError`, and a
    :class:`~footmap.WorkerError` for a profile the rule engine raised or crashed on, is raised
    at its position (``"raise"``, after the plans before it), or takes its place in the output
    (``"return"``). A worker process that dies is replaced and the batch goes on.
    ``output="json"`` yields each plan's JSON text (``Plan.model_dump_json()``, made in the
    worker) instead of the ``Plan``: what to store or send on, and cheaper to bring back.

    Input is read lazily and results are yielded as they come, so a generator of millions of
    profiles runs in constant memory. Worker processes are forked from multiprocessing's fork
    server (started once, kept until this process exits; ``spawn`` where there is none), which
    imports the main module as ``spawn`` does: in a script, call this under
    ``if __name__ == "__main__":``.

    >>> plans = recommend_many([{"pains": [{"area": "knee", "severity": 4}]}] * 3)
    >>> [plan.triage for plan in plans]
    ['self_care', 'self_care', 'self_care']
    """
    if output not in ("plan", "json"):
        raise ValueError(f"output must be 'plan' or 'json', not {output!r}")
    count = _worker_count(workers)
    results = _map(
        _plan_json if output == "json" else _plan,
        profiles,
        knowledge=knowledge,
        workers=count,
        progress=progress,
        total=len(profiles) if isinstance(profiles, Sized) else None,
        in_process=_in_process(workers),
    )
    return _plans(results, errors)


def _in_process(workers: int | None) -> bool | None:
    """Where ``workers`` says to plan: here (``1``), on processes (``2`` or more), or by the size
    of the input (``None``: not given)."""
    return None if workers is None else workers == 1


def _plans(
    results: Iterator[Plan | str | ValidationError | _Failure], errors: Literal["raise", "return"]
) -> Iterator[Plan | str | ValidationError | WorkerError]:
    for result in results:
        if isinstance(result, Plan | str):
            yield result
            continue
        error = result if isinstance(result, ValidationError) else _worker_error(result)
        if errors == "raise":
            raise error
        yield error


def _worker_error(failure: _Failure) -> WorkerError:
    error = WorkerError(failure.reason, failure.position)
    error.__cause__ = failure.cause
    return error


def _plan(profile: Any, knowledge: KnowledgeBase) -> Plan | ValidationError:
    """A worker's task: the plan, or the profile's validation error."""
    try:
        return recommend(profile, knowledge=knowledge)
    except ValidationError as error:
        return error


def _plan_json(profile: Any, knowledge: KnowledgeBase) -> str | ValidationError:
    """A worker's task for ``output="json"``: the plan's JSON, or the profile's validation error."""
    try:
        return recommend(profile, knowledge=knowledge).model_dump_json()
    except ValidationError as error:
        return error


def _worker_count(workers: int | None) -> int:
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    return workers


def _map(
    task: Task[T],
    items: Iterable[Any],
    *,
    knowledge: KnowledgeBase | None,
    workers: int,
    progress: bool | None,
    total: int | None,
    in_process: bool | None,
) -> Iterator[T | _Failure]:
    """``task(item, knowledge)`` for every item, in input order, on ``workers`` processes or in
    this one (``in_process=None``: here when there are at most ``SMALL_INPUT`` items); an item
    whose task raised, or whose worker died on it, gives a ``_Failure``."""
    if in_process is None:
        in_process, items = _small(items)
    bar = _progress_bar(progress, total)
    try:
        if in_process:
            yield from _map_here(task, items, knowledge, bar)
        else:
            yield from _map_on_pool(task, items, knowledge, workers, bar, total)
    finally:
        if bar is not None:
            bar.close()


def _small(items: Iterable[Any]) -> tuple[bool, Iterable[Any]]:
    """Whether there are at most ``SMALL_INPUT`` items, and the items (those read ahead to know
    it first, then the rest)."""
    if isinstance(items, Sized):
        return len(items) <= SMALL_INPUT, items
    iterator = iter(items)
    ahead = list(islice(iterator, SMALL_INPUT + 1))
    if len(ahead) <= SMALL_INPUT:
        return True, ahead
    return False, chain(ahead, iterator)


def _map_here(
    task: Task[T], items: Iterable[Any], knowledge: KnowledgeBase | None, bar: Any
) -> Iterator[T | _Failure]:
    base = knowledge if knowledge is not None else shipped_knowledge()
    for position, item in enumerate(items):
        try:
            yield task(item, base)
        except Exception as error:  # one item's failure, not the batch's
            yield _Failure(position, item, _reason(error), error)
        if bar is not None:
            bar.update(1)


# --- the worker pool ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Failure:
    """An item whose task raised, or whose worker died on it: what the caller gets in its place."""

    position: int
    item: Any
    reason: str
    cause: BaseException | None = None


_worker_knowledge: list[KnowledgeBase] = []
#: What a worker is given of its knowledge: nothing (the shipped knowledge), the validated data
#: of another (pickled to a worker that does not share this process's memory), or, to a worker
#: forked from this process, the knowledge base itself.
_Sent = tuple[schema.Knowledge, str] | KnowledgeBase | None


def _start_worker(knowledge: _Sent) -> KnowledgeBase:
    """Runs once in each worker process: the knowledge it will use for every profile (the
    caller's own, in one forked from it), its rule engine built."""
    if isinstance(knowledge, KnowledgeBase):
        base = knowledge
    else:
        warnings.simplefilter("ignore", EngineFallbackWarning)  # the parent process gives it
        base = KnowledgeBase(*knowledge) if knowledge is not None else shipped_knowledge()
        _worker_knowledge[:] = [base]
    recommend({}, knowledge=base)  # build the rule engine and fill the caches now
    return base


def _attempt(task: Task[T], item: Any, knowledge: KnowledgeBase) -> tuple[bool, Any]:
    """``(True, result)``, or ``(False, reason)`` when the task raised: never an exception."""
    try:
        return True, task(item, knowledge)
    except Exception as error:  # this item's error, not the batch's
        return False, _reason(error)


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or "no message"
    return f"{type(error).__name__}: {text}"[:2000]


def _watch_parent(parent: int) -> None:
    """End this worker as soon as the process that started it is gone (killed, say).

    A worker forked from the fork server is that server's child, not the caller's: the server
    exits with the caller, so the worker's parent changing is the sign either way, and the caller
    no longer existing covers a server that was gone before this thread started.
    """
    started_by = os.getppid()
    while os.getppid() == started_by and (started_by == parent or _exists(parent)):
        time.sleep(PARENT_POLL)
    os._exit(1)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # there, but not ours to signal
        return True
    return True


def _worker(connection: Connection, knowledge: _Sent, parent: int, seed: tuple[object, ...] = ()) -> None:
    """A worker process: start, say so, then run job after job (each names its task) until told
    to stop. Kept between batches (``PARK``), it leaves by itself when no job comes for the time
    it was told (``LEAVE_AFTER``). ``seed``: the plan parts the parent held when it forked this
    process, which its pipe's two ends number alike from the start (``footmap._wire``)."""
    import queue
    import signal
    import threading

    _close_outputs()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    sender = Sender(seed)
    try:
        try:
            base = _start_worker(knowledge)
        except Exception as error:  # the parent raises BatchError
            connection.send_bytes(sender.dumps(("failed", _reason(error))))
            return
        connection.send_bytes(sender.dumps(("ready", None)))
        inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=_read, args=(connection, inbox), daemon=True).start()
        wait: float | None = None  # how long to wait for the next job: for ever during a batch
        while (message := _next_job(inbox, wait)) is not None:
            if message[0] == PARK:  # kept for the next batch: wait this long for it, no longer
                wait = message[1]
                continue
            wait = None
            start, task, chunk = message
            connection.send_bytes(sender.dumps((start, [_attempt(task, item, base) for item in chunk])))
    except (EOFError, OSError):  # the parent has finished, or is gone
        return


def _next_job(inbox: queue.SimpleQueue[Any], wait: float | None) -> Any:
    """The next message, or ``None`` (stop) after ``wait`` seconds without one."""
    import queue

    try:
        return inbox.get(timeout=wait)
    except queue.Empty:
        return None


def _read(connection: Connection, inbox: queue.SimpleQueue[Any]) -> None:
    """A worker's reader: takes jobs off the pipe as they come, so the parent never waits to send
    one, and ``None`` when the parent says stop (or is gone)."""
    try:
        while (message := connection.recv()) is not None:
            inbox.put(message)
    except (EOFError, OSError):
        pass
    inbox.put(None)


@dataclass
class _Job:
    """A run of consecutive items. An ``alone`` job (one item under suspicion) is the only job of
    its worker, so that the worker's death is its own; ``tries`` counts those deaths."""

    start: int
    items: list[Any]
    alone: bool = False
    tries: int = 0


class _Process:
    """One worker process, its end of the pipe, and the job it holds."""

    def __init__(self, context: Any, knowledge: _Sent, seed: tuple[object, ...] = ()) -> None:
        ours, theirs = context.Pipe()
        self.connection: Connection = ours
        self.receiver = Receiver(seed)  # the worker's shared plan parts, each sent once
        self.process = context.Process(
            target=_worker, args=(theirs, knowledge, os.getpid(), seed), daemon=True, name="footmap-worker"
        )
        _start(self.process, forked=context.get_start_method() == "fork")
        theirs.close()
        self.ready = False
        self.jobs: deque[_Job] = deque()
        #: When the job at the head of ``jobs`` began (its worker's last answer, or its sending).
        self.since = 0.0
        self.stalled = False

    def stop(self) -> None:
        """Tell the worker to stop, and close this end of the pipe. Never raises: a batch abandoned
        mid-way (its caller raised, say) is closed by the garbage collector, which may already
        have run the connection's own finalizer, closing its descriptor (``Connection.__del__``
        closes it and keeps the number, so ``close()`` then fails with EBADF)."""
        with suppress(OSError):
            self.connection.send(None)
        with suppress(OSError):
            self.connection.close()

    def death(self) -> str:
        """How the process ended, in words (ending it first if it is somehow still there)."""
        if self.stalled:
            self.process.join()
            return f"its worker process took over {JOB_TIMEOUT:g} s and was stopped"
        self.process.join(SHUTDOWN_WAIT)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        code = self.process.exitcode
        if code is not None and code < 0:
            import signal

            try:
                return f"its worker process was killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"its worker process was killed by signal {-code}"
        return f"its worker process died (exit code {code})"


def _new_worker(
    multiprocessing: Any, context: Any, sent: _Sent, forked: _Sent, held: Callable[[], tuple[object, ...]]
) -> _Process:
    """A new worker of a pool whose workers start by ``context``: forked from this process, given
    its knowledge base itself (``forked``), while that is still safe; else as ``_context`` says
    now (this process may have started a thread since the batch began), given ``sent``. ``held``:
    the plan parts a forked one starts with (``_held_parts``, taken once a batch)."""
    if context.get_start_method() != "fork":
        return _Process(context, sent)
    if _can_fork(multiprocessing) and isinstance(forked, KnowledgeBase):
        return _Process(context, forked, held())
    return _Process(_context(multiprocessing), sent)


def _held_parts(knowledge: KnowledgeBase) -> tuple[object, ...]:
    """The shared plan parts this process holds for ``knowledge``: a worker forked from it holds
    the same objects, so its pipe starts with them numbered on both ends (``footmap._wire``).
    Without them the first plans of each new worker sent every part in full, and the parent
    rebuilt each: 0.4 s more CPU over a first call's 5,000 plans (the realistic mix, 2 workers).
    Some 5 ms with 7,000 parts held, so a batch takes them once, when it first forks a worker."""
    return knowledge_parts(knowledge).held_shared_parts()


def _start(process: Any, *, forked: bool) -> None:
    """Start a worker process. One forked from this process starts with every object of this one
    frozen (``gc.freeze``): its collector never walks them, so it neither spends time on them
    nor copies the pages they are on (each page is shared with this process until written to)."""
    if not forked:
        process.start()
        return
    gc.freeze()
    try:
        process.start()
    finally:
        gc.unfreeze()


def _map_on_pool(
    task: Task[T],
    items: Iterable[Any],
    knowledge: KnowledgeBase | None,
    workers: int,
    bar: Any,
    total: int | None = None,
) -> Iterator[T | _Failure]:
    """``_map`` on worker processes, each holding up to ``JOBS_PER_WORKER`` jobs (of up to
    ``LARGEST_CHUNK`` items, tapering to ``CHUNK_SIZE`` towards the end, where ``total`` says how
    many items there are; of ``CHUNK_SIZE`` where it does not).

    A worker that dies is replaced. The items of the jobs it held are run again one at a time,
    each alone on a worker; an item on which ``DEATHS_TO_BLAME`` workers die is the poison, and
    becomes a ``_Failure`` in its place.
    """
    # Imported here: a plain ``import footmap`` should not pay for them (docs/performance.md).
    import multiprocessing
    from multiprocessing.connection import wait

    warn_if_unavailable()
    context = _context(multiprocessing)
    sent: _Sent = (knowledge.knowledge, knowledge.origin) if knowledge is not None else None
    kind = _pool_kind(context, knowledge)
    pool = KEPT.take(kind, workers)
    forked: _Sent = None
    if context.get_start_method() == "fork":  # what forked workers inherit, replacements too
        forked = knowledge if knowledge is not None else shipped_knowledge()
        if len(pool) < workers:
            recommend({}, knowledge=forked)  # the rule engine built here, once, not in each worker
    held = functools.cache(lambda: _held_parts(forked) if isinstance(forked, KnowledgeBase) else ())
    pool += [_new_worker(multiprocessing, context, sent, forked, held) for _ in range(workers - len(pool))]
    feed = _Feed(items, workers=workers, total=total)
    done: dict[int, list[T | _Failure]] = {}
    yielded = 0
    try:
        while True:
            feed.send_jobs(pool, task, yielded)  # before yielding: workers plan while the caller reads
            while yielded in done:
                results = done.pop(yielded)
                yielded += len(results)
                yield from results
                if bar is not None:
                    bar.update(len(results))
            feed.send_jobs(pool, task, yielded)  # the window moved: never wait with nothing sent
            if feed.finished(pool):
                pool = KEPT.keep(kind, pool)  # what it does not keep is stopped below
                return
            waiting = [worker.connection for worker in pool] + [worker.process.sentinel for worker in pool]
            wait(waiting, timeout=_stall_check(pool))
            for index, worker in enumerate(pool):
                if _receive(worker, done):
                    continue
                reason = worker.death()
                worker.connection.close()
                if not worker.ready:
                    raise BatchError(f"a worker process could not start: {reason.removeprefix('its ')}")
                pool[index] = _new_worker(multiprocessing, context, sent, forked, held)
                for job in reversed(worker.jobs):  # each lands in front of the retries: keep order
                    _after_death(job, reason, feed.retries, done)
    finally:
        _stop(pool)


class _Feed:
    """The jobs a batch sends its workers: the items not yet read, in chunks, and the items of
    jobs whose worker died (``retries``, sent first, each alone). At most ``window`` items are
    read ahead of the first result not yet yielded, so a slow chunk holds back a bounded amount.

    With ``total`` (how many items there are; a hint, never trusted to be exact) a chunk is
    ``1 / TAPER`` of each worker's share of the items left, between ``CHUNK_SIZE`` and
    ``LARGEST_CHUNK``; without it, ``CHUNK_SIZE``.
    """

    def __init__(self, items: Iterable[Any], *, workers: int, total: int | None = None) -> None:
        self.items = iter(items)
        self.retries: deque[_Job] = deque()
        self.workers = workers
        self.total = total
        self.window = workers * IN_FLIGHT * (CHUNK_SIZE if total is None else LARGEST_CHUNK)
        self.read = 0
        self.exhausted = False

    def chunk_size(self) -> int:
        """How many items the next chunk holds."""
        if self.total is None:
            return CHUNK_SIZE
        share = (self.total - self.read) // (self.workers * TAPER)
        return max(CHUNK_SIZE, min(LARGEST_CHUNK, share))

    def send_jobs(self, pool: list[_Process], task: Task[Any], yielded: int) -> None:
        """Give each ready worker jobs, up to ``JOBS_PER_WORKER`` (a job alone is its only one)."""
        for worker in pool:
            while worker.ready and len(worker.jobs) < JOBS_PER_WORKER:
                if worker.jobs and worker.jobs[-1].alone:
                    break
                job = self._next_job(worker, yielded)
                if job is None:
                    break
                if not worker.jobs:
                    worker.since = time.monotonic()
                worker.jobs.append(job)
                with suppress(OSError):  # its worker is gone: found by the batch, the job run again
                    worker.connection.send((job.start, task, job.items))

    def finished(self, pool: list[_Process]) -> bool:
        """Whether every item has been read and answered."""
        return self.exhausted and not self.retries and not any(worker.jobs for worker in pool)

    def _next_job(self, worker: _Process, yielded: int) -> _Job | None:
        if self.retries:
            return None if worker.jobs else self.retries.popleft()
        if self.exhausted or self.read - yielded >= self.window:
            return None
        chunk = list(islice(self.items, self.chunk_size()))
        if not chunk:
            self.exhausted = True
            return None
        job, self.read = _Job(self.read, chunk), self.read + len(chunk)
        return job


def _stop(pool: list[_Process]) -> None:
    """Stop the workers and wait for them (``SHUTDOWN_WAIT`` at most, then kill them)."""
    for worker in pool:
        if not worker.ready:  # still starting: nothing to lose
            worker.process.kill()
        worker.stop()
    for worker in pool:
        worker.process.join(SHUTDOWN_WAIT)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()


def _pool_kind(context: Any, knowledge: KnowledgeBase | None) -> tuple[str, str | None, str | None]:
    """What makes workers interchangeable: how they start and the knowledge they hold."""
    if knowledge is None:
        return context.get_start_method(), None, None
    return context.get_start_method(), knowledge.fingerprint, knowledge.origin


class _KeptWorkers:
    """Workers kept between batches, for the next batch with the same knowledge to use.

    A worker fills its caches as it plans (items, schedules, the person's facts the rules have
    decided), so a kept one plans as fast as a warm process from its first profile, and the next
    batch does not wait for workers to start. Only workers that finished a batch cleanly are
    kept (nothing in flight), those of one kind of pool at a time, at most one per CPU, for
    ``KEEP_FOR`` seconds; a batch takes them out while it runs, so two batches at once never
    share one. A worker kept longer than ``LEAVE_AFTER`` leaves by itself, and all end with
    this process (they are daemons, and watch it). A child this process forks keeps none.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kind: tuple[str, str | None, str | None] | None = None
        self._workers: list[_Process] = []
        self._since = 0.0
        self._owner = os.getpid()

    def take(self, kind: tuple[str, str | None, str | None], count: int) -> list[_Process]:
        """Up to ``count`` kept workers of this kind (the rest, or any of another kind, stopped)."""
        with self._lock:
            workers, fresh = self._drop_if_forked(), time.monotonic() - self._since < KEEP_FOR
            same = kind == self._kind and fresh
            taken = [w for w in workers if same and _parked(w)][:count]
            self._workers, self._kind = [], None
        _stop([w for w in workers if w not in taken])
        return taken

    def keep(self, kind: tuple[str, str | None, str | None], pool: list[_Process]) -> list[_Process]:
        """Keep the ready, idle workers of a finished batch; those it does not keep, to stop."""
        if KEEP_FOR <= 0:
            return pool
        idle = [w for w in pool if w.ready and not w.jobs and not w.stalled and w.process.is_alive()]
        with self._lock:
            earlier = self._drop_if_forked()
            same = [w for w in earlier if _parked(w)] if kind == self._kind else []
            kept = (same + idle)[: max(os.cpu_count() or 1, len(pool))]
            for worker in kept:  # each told (its wait for a job begins again) before a batch can take it
                with suppress(OSError):
                    worker.connection.send((PARK, LEAVE_AFTER))
            self._kind, self._workers, self._since = kind, kept, time.monotonic()
        return [w for w in pool + earlier if w not in kept]

    def release(self) -> int:
        """Stop every kept worker; how many there were."""
        with self._lock:
            workers = self._drop_if_forked()
            self._workers, self._kind = [], None
        _stop(workers)
        return len(workers)

    def _drop_if_forked(self) -> list[_Process]:
        """The kept workers, or none in a child this process forked (they are the parent's)."""
        if self._owner != os.getpid():
            self._owner, self._workers, self._kind = os.getpid(), [], None
        return self._workers


def _parked(worker: _Process) -> bool:
    """Whether a kept worker still waits for a job: a parked worker sends nothing, so anything
    to read on its pipe is the end of it (the process may not be reaped yet)."""
    try:
        return worker.process.is_alive() and not worker.connection.poll()
    except OSError:
        return False


#: The workers kept between batches (``_KeptWorkers``).
KEPT = _KeptWorkers()


def stop_workers() -> int:
    """Stop the worker processes ``recommend_many`` and ``run_jsonl`` keep between batches, now
    rather than ``KEEP_FOR`` seconds after the last batch (or when this process exits); how many
    there were. The next batch starts new ones.

    >>> stop_workers() >= 0
    True
    """
    return KEPT.release()


#: The module multiprocessing's fork server imports before it forks any worker (see ``_context``).
PRELOAD = "footmap._batch_preload"


def _context(multiprocessing: Any) -> Any:
    """How worker processes start: forked from this process where that is safe (``_can_fork``),
    else from multiprocessing's fork server where there is one (POSIX), else spawned.

    Forked from this process, a worker starts in about a millisecond with all this process has:
    footmap imported, the knowledge loaded, its rule engine built and its caches warm. That is
    safe only where this process runs one thread, so no other thread can hold a lock the child
    would inherit held, and no engine call is under way (this one is here, not in the engine).

    The fork server is a fresh process, started once (with ``spawn``'s safety: the caller may
    hold threads and rule engines, the server never does) and kept until the caller exits. It
    imports footmap and loads the shipped knowledge once (``PRELOAD``), so a worker forked from it
    starts in milliseconds instead of a second of CPU spent importing; each worker still builds
    its own rule engine. A fork server started before, by other code, is used as it is (its
    workers then import footmap themselves, as spawned ones do).
    """
    if _can_fork(multiprocessing):
        return multiprocessing.get_context("fork")
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    preload = list(getattr(server, "_preload_modules", None) or ["__main__"])
    if PRELOAD not in preload:
        forkserver.set_forkserver_preload([*preload, PRELOAD])
    return multiprocessing.get_context("forkserver")


#: Whether workers may be forked from the calling process itself, where that is safe
#: (``_context``); ``False`` always starts them from the fork server (or spawns them).
FORK_CALLER = True


def _can_fork(multiprocessing: Any) -> bool:
    """Whether workers can be forked from this process: Linux, and one thread as the kernel counts
    them (a C library's own threads too)."""
    return (
        FORK_CALLER
        and sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and _threads() == 1
    )


def _threads() -> int:
    """How many threads this process runs, from ``/proc/self/status``; 0 when it cannot say."""
    try:
        with Path("/proc/self/status").open("rb") as status:
            for line in status:
                if line.startswith(b"Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _stall_check(pool: list[_Process]) -> float | None:
    """Stop every worker that has spent over ``JOB_TIMEOUT`` on a job (its death is then seen
    like any other); the seconds until the next may have, for ``wait``."""
    now, soonest = time.monotonic(), None
    for worker in pool:
        if not worker.jobs or worker.stalled:
            continue
        left = worker.since + JOB_TIMEOUT - now
        if left <= 0:
            worker.stalled = True
            worker.process.kill()
        else:
            soonest = left if soonest is None else min(soonest, left)
    return soonest


def _receive(worker: _Process, done: dict[int, list[Any]]) -> bool:
    """Take every message the worker has sent; whether it is alive and well."""
    try:
        while worker.connection.poll():
            with _collector_paused():
                kind, payload = worker.receiver.loads(worker.connection.recv_bytes())
            if kind == "failed":
                raise BatchError(f"a worker process could not start: {payload}")
            if kind == "ready":
                worker.ready = True
                continue
            job = worker.jobs.popleft()
            worker.since = time.monotonic()
            assert job is not None and kind == job.start
            done[job.start] = [
                value if ok else _Failure(job.start + n, job.items[n], value)
                for n, (ok, value) in enumerate(payload)
            ]
    except (EOFError, OSError):
        return False
    return True


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a moment (unless it was off already).

    Unpickling a job's plans makes some 60,000 objects and no reference cycles; the collector
    would run every 700 of them, each time over everything the caller holds (all the plans so
    far): 1,070 µs a plan to unpickle with it, 255 µs without (the realistic mix, 2,000 plans).
    """
    import gc

    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _after_death(job: _Job, reason: str, retries: deque[_Job], done: dict[int, list[Any]]) -> None:
    """What becomes of a job its worker died with: its items again, each alone, or the failure of
    an item that has been alone with ``DEATHS_TO_BLAME`` dying workers."""
    if not job.alone:
        retries.extendleft(
            reversed([_Job(job.start + n, [item], alone=True) for n, item in enumerate(job.items)])
        )
    elif job.tries + 1 < DEATHS_TO_BLAME:
        retries.appendleft(_Job(job.start, job.items, alone=True, tries=job.tries + 1))
    else:
        done[job.start] = [_Failure(job.start, job.items[0], f"{reason} while planning it")]


def _progress_bar(progress: bool | None, total: int | None) -> Any:
    """A tqdm bar on standard error, or ``None`` (see ``recommend_many``)."""
    if progress is False or (progress is None and not _is_terminal(sys.stderr)):
        return None
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit=" plans",
        file=sys.stderr,
        dynamic_ncols=True,
        delay=0 if progress else PROGRESS_DELAY,
    )


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# --- JSON lines, file to file -------------------------------------------------------------------


@dataclass(frozen=True)
class BatchSummary:
    """What a ``run_jsonl`` run did: lines written (plans, errors), the lines it resumed after, how
    many of the errors are profiles the rule engine raised or crashed on (``failed``), and whether
    the plans were made in this process (``in_process``) rather than on worker processes."""

    plans: int
    errors: int
    resumed_after: int
    failed: int = 0
    in_process: bool = False

    @property
    def written(self) -> int:
        return self.plans + self.errors


def run_jsonl(
    source: Path | IO[bytes],
    target: Path | IO[bytes],
    *,
    knowledge: KnowledgeBase | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: bool | None = None,
    in_process: bool | None = None,
    compact: bool = False,
) -> BatchSummary:
    """Read profiles from JSON lines and write one result line per input line.

    ``source`` and ``target`` are files, or binary streams already open (standard input and
    output), read or written once from where they stand. Each output line is
    ``{"line": N, "plan": {...}}`` or ``{"line": N, "error": "..."}``, N the input line's number
    (from 1): a blank line, invalid JSON, something other than an object, a line over
    ``MAX_LINE_BYTES``, a profile that does not validate, or one the rule engine raised or crashed
    on gives an error line, and the batch goes on. Each worker makes the finished line (bytes);
    this process only writes it. With ``compact=True`` each plan is a compact plan
    (``footmap.compact_plan``: the knowledge's texts as numbers into its catalog).

    Where plans are made: without ``workers``, an input of at most ``SMALL_INPUT`` lines (left to
    do, after a resume) in this process, a larger one on one process per CPU; with ``workers``,
    always on that many processes, even 1, so that a crash costs one line, not the batch.
    ``in_process=True`` or ``False`` decides instead.

    A ``target`` file is locked (``flock``) for the whole run: a second run on it raises
    :class:`OutputError`. Lines are written one at a time (a file unbuffered), so an interrupted
    run leaves complete lines and at most one partial last line; ``resume=True`` checks every
    complete line (a JSON object whose ``line`` is 1, 2, 3 ...), drops the partial one and
    continues after them, never writing a line twice. Without it, a ``target`` file is
    overwritten. Resuming needs both to be files (:class:`ResumeError` otherwise): it reads the
    input again from its first line and the output back.
    """
    _worker_count(workers)  # refused before anything is opened
    source_name, target_name = _name(source, "standard input"), _name(target, "standard output")
    for stream, name, why in (
        (source, source_name, "reads it again from its first line"),
        (target, target_name, "reads it back"),
    ):
        if resume and not isinstance(stream, Path):
            raise ResumeError(f"{name} is not a file, and resuming {why}")
    with _reading(source, source_name) as lines, _writing(target, target_name) as out:
        done = 0
        if resume:
            done = _resume_point(out, target_name)
        elif isinstance(target, Path):
            _truncate(out, target_name, 0)
        shown = progress is True or (progress is None and _is_terminal(sys.stderr))
        # counted for the bar, and for the workers' job sizes: never to plan here
        total = _lines_left(lines) if shown or in_process is not True else None
        numbered = _numbered_lines(lines)
        _skip(numbered, done, source_name, target_name)
        todo: Iterable[tuple[int, str | None]] = numbered
        here = in_process if in_process is not None else (None if workers is None else False)
        if here is None:
            here, todo = _small(numbered)
        plans = errors = failed = 0
        for result in _map(
            _jsonl_compact_record if compact else _jsonl_record,
            todo,
            knowledge=knowledge,
            workers=_worker_count(workers),
            progress=progress,
            total=None if total is None else max(0, total - done),
            in_process=here,
        ):
            if isinstance(result, _Failure):
                failed += 1
                is_plan, record = _error_line(
                    result.item[0], f"this profile could not be planned: {result.reason}"
                )
            else:
                is_plan, record = result
            _write(out, target_name, record)
            plans += is_plan
            errors += not is_plan
    return BatchSummary(plans, errors, done, failed, here)


#: The longest input line ``run_jsonl`` reads (bytes); a longer one is an error line.
MAX_LINE_BYTES = 1 << 20


def _name(place: Path | IO[bytes], stream: str) -> str:
    return str(place) if isinstance(place, Path) else stream


@contextmanager
def _reading(source: Path | IO[bytes], name: str) -> Iterator[IO[bytes]]:
    """``source`` open for reading (a stream as it is, and left open)."""
    if not isinstance(source, Path):
        yield source
        return
    try:
        lines = source.open("rb")
    except OSError as error:
        raise InputError(f"cannot read {name}: {os_reason(error)}") from error
    with lines:
        yield lines


@contextmanager
def _writing(target: Path | IO[bytes], name: str) -> Iterator[IO[bytes]]:
    """``target`` open for writing, a file locked (a stream as it is, and left open)."""
    if not isinstance(target, Path):
        yield target
        return
    with _locked_output(target, name) as out:
        yield out


def _skip(numbered: Iterator[tuple[int, str | None]], done: int, source: str, target: str) -> None:
    """Read past the ``done`` lines a resumed output already holds (there must be as many)."""
    for count in range(done):
        if next(numbered, None) is None:
            raise ResumeError(
                f"{target} has {done} lines but {source} only {count}: it is not this"
                " batch's output; write to a new file or drop --resume"
            )


def _numbered_lines(lines: IO[bytes]) -> Iterator[tuple[int, str | None]]:
    """Each line's number and text (``None`` past ``MAX_LINE_BYTES``), never holding a longer one."""
    number = 0
    while raw := lines.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := lines.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        # A byte that is not UTF-8 makes its line an error line, not the end of the batch.
        yield number, raw.decode("utf-8", errors="replace")


def _jsonl_record(numbered: tuple[int, str | None], knowledge: KnowledgeBase) -> tuple[bool, bytes]:
    """A worker's task for ``run_jsonl``: one input line to its finished output line, as bytes
    (and whether it is a plan)."""
    return _record(numbered, knowledge, Plan.model_dump_json)


def _jsonl_compact_record(numbered: tuple[int, str | None], knowledge: KnowledgeBase) -> tuple[bool, bytes]:
    """``_jsonl_record`` with the plan compact (``footmap.compact_plan``)."""
    return _record(numbered, knowledge, compact_plan)


def _record(
    numbered: tuple[int, str | None], knowledge: KnowledgeBase, written: Callable[[Plan], str]
) -> tuple[bool, bytes]:
    number, text = numbered
    if text is None:
        return _error_line(number, f"line longer than {MAX_LINE_BYTES:,} bytes: not read")
    text = text.strip()
    if not text:
        return _error_line(number, "empty line: expected a JSON object of profile fields")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return _error_line(number, f"invalid JSON: {error}")
    except RecursionError:
        return _error_line(number, "invalid JSON: nested too deeply")
    if not isinstance(data, dict):
        return _error_line(number, f"expected a JSON object of profile fields, got {type(data).__name__}")
    try:
        plan = recommend(data, knowledge=knowledge)
    except ValidationError as error:
        return _error_line(number, str(error))
    return True, f'{{"line": {number}, "plan": {written(plan)}}}\n'.encode()


def _error_line(number: int, message: str) -> tuple[bool, bytes]:
    return False, (json.dumps({"line": number, "error": message}, ensure_ascii=False) + "\n").encode()


def os_reason(error: OSError) -> str:
    """An ``OSError`` in a few words: ``Is a directory``, not ``[Errno 21] Is a directory: 'x'``."""
    return error.strerror or " ".join(str(error).split()) or type(error).__name__


#: The descriptors of the output files ``run_jsonl`` has open, each under its lock. A worker
#: forked from this process closes its copies first thing (``_close_outputs``): a copy would hold
#: the lock after this process closed the file, so that the next run on it found it in use.
_outputs: set[int] = set()


def _close_outputs() -> None:
    """Close the copies of this process's output files a worker forked from it holds."""
    for number in list(_outputs):
        with suppress(OSError):
            os.close(number)
    _outputs.clear()


@contextmanager
def _locked_output(target: Path, name: str) -> Iterator[IO[bytes]]:
    """``target`` open for appending (and reading), under an exclusive lock held until closed."""
    try:
        out = target.open("a+b", buffering=0)  # unbuffered: a failed write is not retried at close
    except OSError as error:
        raise OutputError(f"cannot write {name}: {os_reason(error)}") from error
    number = out.fileno()
    _outputs.add(number)
    try:
        with out:
            yield from _locked(out, name)
    finally:
        _outputs.discard(number)


def _locked(out: IO[bytes], name: str) -> Iterator[IO[bytes]]:
    """``out`` under an exclusive lock (none where the system or its file system has none)."""
    try:
        import fcntl
    except ImportError:  # not POSIX (Windows): no lock
        yield out
        return
    try:
        fcntl.flock(out.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        raise OutputError(
            f"{name} is in use by another footmap batch run; wait for it or write to another file"
        ) from error
    except OSError:  # a file system without locks: go on unlocked
        pass
    yield out


def _truncate(out: IO[bytes], name: str, size: int) -> None:
    """Cut a regular file to ``size`` bytes (a device or a pipe is left as it is)."""
    try:
        if stat.S_ISREG(os.fstat(out.fileno()).st_mode):
            out.truncate(size)
    except OSError as error:
        raise OutputError(f"cannot write {name}: {os_reason(error)}") from error


def _write(out: IO[bytes], name: str, record: bytes) -> None:
    data = memoryview(record)
    try:
        while data:
            data = data[out.write(data) or 0 :]
        out.flush()  # a stream's buffer: each line leaves whole, as it is made
    except OSError as error:
        raise OutputError(f"cannot write {name}: {os_reason(error)}") from error


def _resume_point(out: IO[bytes], name: str) -> int:
    """How many complete lines ``out`` holds, each checked, after cutting off a partial last line."""
    count = complete = 0
    with open(out.fileno(), "rb", closefd=False) as reader:  # buffered, over the same file
        reader.seek(0)
        for line in reader:
            if not line.endswith(b"\n"):
                break  # the partial line an interrupted write leaves
            count += 1
            problem = _not_a_record(line, count)
            if problem:
                raise ResumeError(
                    f"{name} is not footmap batch output: its line {count} {problem};"
                    " write to a new file or drop --resume"
                )
            complete += len(line)
    _truncate(out, name, complete)
    return count


def _not_a_record(line: bytes, number: int) -> str | None:
    """What is wrong with an output line that should be record ``number``, if anything."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return f"is not JSON (it starts {line[:60]!r})"
    if not isinstance(record, dict) or record.get("line") != number:
        found = record.get("line") if isinstance(record, dict) else None
        return f'should be {{"line": {number}, ...}}, not {{"line": {found!r}, ...}}'
    if ("plan" in record) == ("error" in record):
        return 'should hold a "plan" or an "error"'
    return None


def _lines_left(lines: IO[bytes]) -> int | None:
    """How many lines ``lines`` holds from where it stands (a last one without a newline counts),
    leaving it there; ``None`` for a stream that cannot seek (a pipe)."""
    try:
        if not lines.seekable():
            return None
        start = lines.tell()
    except (OSError, ValueError):
        return None
    count, last = 0, b"\n"
    for block in iter(lambda: lines.read(1 << 20), b""):
        count += block.count(b"\n")
        last = block[-1:]
    lines.seek(start)
    return count + (last != b"\n")
