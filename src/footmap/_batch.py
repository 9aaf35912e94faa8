"""Plans for many profiles: in input order, on worker processes, with a progress bar.

The C rule engine holds the GIL, so threads cannot run plans in parallel: processes do. Each
worker process gets the knowledge once, when it starts (the shipped knowledge it loads itself;
any other is sent as validated data, never re-read from disk), builds its rule engine once, and
then takes profiles in chunks. Input is read lazily and only a few chunks per worker are in flight
at a time, so memory stays flat however many profiles there are; results come back as JSON, the
cheapest way a plan crosses a process boundary, and are yielded in input order.

``run_jsonl`` is the file-to-file form behind ``footmap batch``: one output line per input line,
written and flushed one at a time, and a rerun with ``resume=True`` continues after the last
complete line.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar, overload

from pydantic import ValidationError

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

if TYPE_CHECKING:
    import queue
    from multiprocessing.connection import Connection

T = TypeVar("T")
Task = Callable[[Any, KnowledgeBase], T]

#: Profiles per job sent to a worker: enough to make the round trip cheap, few enough to balance.
CHUNK_SIZE = 32
#: Chunks per worker that may be read ahead of the first result not yet yielded.
IN_FLIGHT = 4
#: Jobs a worker holds at once: the next one is there when it finishes one.
JOBS_PER_WORKER = 2
#: Seconds a run must last before ``progress=None`` shows its bar (on a terminal).
PROGRESS_DELAY = 2.0
#: How often (seconds) a worker checks that the process that started it is still there.
PARENT_POLL = 0.2
#: Seconds a worker is given to stop by itself at the end of a run before it is killed.
SHUTDOWN_WAIT = 5.0
#: Seconds a worker may spend on one job (32 profiles, normally well under a second) before it is
#: stopped and the job's profiles are treated as if it had died on them.
JOB_TIMEOUT = 120.0
#: Worker deaths on one profile, run alone, that make it the poison rather than bad luck.
DEATHS_TO_BLAME = 2


@overload
def recommend_many(
    profiles: Iterable[Profile | Mapping[str, Any]],
    *,
    knowledge: KnowledgeBase | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    errors: Literal["raise"] = "raise",
) -> Iterator[Plan]: ...


@overload
def recommend_many(
    profiles: Iterable[Profile | Mapping[str, Any]],
    *,
    knowledge: KnowledgeBase | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    errors: Literal["return"],
) -> Iterator[Plan | ValidationError | WorkerError]: ...


def recommend_many(
    profiles: Iterable[Profile | Mapping[str, Any]],
    *,
    knowledge: KnowledgeBase | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    errors: Literal["raise", "return"] = "raise",
) -> Iterator[Plan] | Iterator[Plan | ValidationError | WorkerError]:
    """Plans for many profiles, yielded in input order, computed on worker processes.

    ``workers``: how many processes (default: one per CPU); ``1`` computes in this process.
    ``progress``: ``True`` always shows a progress bar on standard error, ``False`` never, and
    ``None`` (the default) shows one on a terminal once a run has lasted two seconds.
    ``errors``: an invalid profile's :class:`pydantic.ValidationError`, and a
    :class:`~footmap.WorkerError` for a profile the rule engine raised or crashed on, is raised
    at its position (``"raise"``, after the plans before it), or takes its place in the output
    (``"return"``). A worker process that dies is replaced and the batch goes on.

    Input is read lazily and results are yielded as they come, so a generator of millions of
    profiles runs in constant memory. Worker processes are started with ``spawn``: in a script,
    call this under ``if __name__ == "__main__":``.

    >>> plans = recommend_many([{"pains": [{"area": "knee", "severity": 4}]}] * 3, workers=1)
    >>> [plan.triage for plan in plans]
    ['self_care', 'self_care', 'self_care']
    """
    total = len(profiles) if isinstance(profiles, Sized) else None
    workers = _worker_count(workers)
    results = _map(
        _plan_json,
        profiles,
        knowledge=knowledge,
        workers=workers,
        progress=progress,
        total=total,
        in_process=workers == 1,
    )
    return _plans(results, errors)


def _plans(
    results: Iterator[str | ValidationError | _Failure], errors: Literal["raise", "return"]
) -> Iterator[Plan | ValidationError | WorkerError]:
    for result in results:
        if isinstance(result, str):
            yield Plan.model_validate_json(result)
            continue
        error = result if isinstance(result, ValidationError) else _worker_error(result)
        if errors == "raise":
            raise error
        yield error


def _worker_error(failure: _Failure) -> WorkerError:
    error = WorkerError(failure.reason, failure.position)
    error.__cause__ = failure.cause
    return error


def _plan_json(profile: Any, knowledge: KnowledgeBase) -> str | ValidationError:
    """A worker's task: the plan as JSON, or the profile's validation error."""
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
    in_process: bool,
) -> Iterator[T | _Failure]:
    """``task(item, knowledge)`` for every item, in input order, on ``workers`` processes (or in
    this one); an item whose task raised, or whose worker died on it, gives a ``_Failure``."""
    bar = _progress_bar(progress, total)
    try:
        if in_process:
            base = knowledge if knowledge is not None else shipped_knowledge()
            for position, item in enumerate(items):
                try:
                    yield task(item, base)
                except Exception as error:  # one item's failure, not the batch's
                    yield _Failure(position, item, _reason(error), error)
                if bar is not None:
                    bar.update(1)
            return
        yield from _map_on_pool(task, items, knowledge, workers, bar)
    finally:
        if bar is not None:
            bar.close()


# --- the worker pool ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Failure:
    """An item whose task raised, or whose worker died on it: what the caller gets in its place."""

    position: int
    item: Any
    reason: str
    cause: BaseException | None = None


_worker_knowledge: list[KnowledgeBase] = []


def _start_worker(knowledge: tuple[schema.Knowledge, str] | None) -> KnowledgeBase:
    """Runs once in each worker process: the knowledge it will use for every profile."""
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
    """End this worker as soon as the process that started it is gone (killed, say)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(1)


def _worker(
    connection: Connection, task: Task[Any], knowledge: tuple[schema.Knowledge, str] | None, parent: int
) -> None:
    """A worker process: start, say so, then plan chunk after chunk until told to stop."""
    import queue
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    try:
        try:
            base = _start_worker(knowledge)
        except Exception as error:  # the parent raises BatchError
            connection.send(("failed", _reason(error)))
            return
        connection.send(("ready", None))
        inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=_read, args=(connection, inbox), daemon=True).start()
        while (message := inbox.get()) is not None:
            start, chunk = message
            connection.send((start, [_attempt(task, item, base) for item in chunk]))
    except (EOFError, OSError):  # the parent has finished, or is gone
        return


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

    def __init__(self, context: Any, task: Task[Any], knowledge: tuple[schema.Knowledge, str] | None) -> None:
        ours, theirs = context.Pipe()
        self.connection: Connection = ours
        self.process = context.Process(
            target=_worker, args=(theirs, task, knowledge, os.getpid()), daemon=True, name="footmap-worker"
        )
        self.process.start()
        theirs.close()
        self.ready = False
        self.jobs: deque[_Job] = deque()
        #: When the job at the head of ``jobs`` began (its worker's last answer, or its sending).
        self.since = 0.0
        self.stalled = False

    def stop(self) -> None:
        with suppress(OSError):
            self.connection.send(None)
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


def _map_on_pool(
    task: Task[T],
    items: Iterable[Any],
    knowledge: KnowledgeBase | None,
    workers: int,
    bar: Any,
) -> Iterator[T | _Failure]:
    """``_map`` on worker processes, each holding up to ``JOBS_PER_WORKER`` jobs.

    A worker that dies is replaced. The items of the jobs it held are run again one at a time,
    each alone on a worker; an item on which ``DEATHS_TO_BLAME`` workers die is the poison, and
    becomes a ``_Failure`` in its place.
    """
    # Imported here: a plain ``import footmap`` should not pay for them (docs/performance.md).
    import multiprocessing
    from multiprocessing.connection import wait

    warn_if_unavailable()
    context = multiprocessing.get_context("spawn")
    sent = (knowledge.knowledge, knowledge.origin) if knowledge is not None else None
    pool = [_Process(context, task, sent) for _ in range(workers)]
    chunks = _chunks(items, CHUNK_SIZE)
    retries: deque[_Job] = deque()
    done: dict[int, list[T | _Failure]] = {}
    read = yielded = 0
    exhausted = False
    window = workers * IN_FLIGHT * CHUNK_SIZE
    try:
        while True:
            for worker in pool:
                while worker.ready and len(worker.jobs) < JOBS_PER_WORKER:
                    if worker.jobs and worker.jobs[-1].alone:
                        break
                    if retries and not worker.jobs:
                        job = retries.popleft()
                    elif retries:
                        break
                    elif not exhausted and read - yielded < window:
                        chunk = next(chunks, None)
                        if chunk is None:
                            exhausted = True
                            break
                        job, read = _Job(read, chunk), read + len(chunk)
                    else:
                        break
                    if not worker.jobs:
                        worker.since = time.monotonic()
                    worker.jobs.append(job)
                    worker.connection.send((job.start, job.items))
            while yielded in done:
                results = done.pop(yielded)
                yielded += len(results)
                yield from results
                if bar is not None:
                    bar.update(len(results))
            if exhausted and not retries and not any(worker.jobs for worker in pool):
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
                pool[index] = _Process(context, task, sent)
                for job in reversed(worker.jobs):  # each lands in front of the retries: keep order
                    _after_death(job, reason, retries, done)
    finally:
        for worker in pool:
            if not worker.ready:  # still starting: nothing to lose
                worker.process.kill()
            worker.stop()
        for worker in pool:
            worker.process.join(SHUTDOWN_WAIT)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()


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
            kind, payload = worker.connection.recv()
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


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


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
    """What a ``run_jsonl`` run did: lines written (plans, errors), the lines it resumed after, and
    how many of the errors are profiles the rule engine raised or crashed on (``failed``)."""

    plans: int
    errors: int
    resumed_after: int
    failed: int = 0

    @property
    def written(self) -> int:
        return self.plans + self.errors


def run_jsonl(
    source: Path,
    target: Path,
    *,
    knowledge: KnowledgeBase | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: bool | None = None,
    in_process: bool = False,
) -> BatchSummary:
    """Read profiles from a JSON-lines file and write one result line per input line.

    Each output line is ``{"line": N, "plan": {...}}`` or ``{"line": N, "error": "..."}``, N the
    input line's number (from 1): a blank line, invalid JSON, something other than an object, a
    line over ``MAX_LINE_BYTES``, a profile that does not validate, or one the rule engine raised
    or crashed on gives an error line, and the batch goes on. Plans are made on ``workers``
    processes (one per CPU by default) even when ``workers`` is 1, so that a crash costs one line,
    not the batch; ``in_process=True`` makes them here instead.

    ``target`` is locked (``flock``) for the whole run: a second run on it raises
    :class:`OutputError`. Lines are written and flushed one at a time, so an interrupted run
    leaves complete lines and at most one partial last line; ``resume=True`` checks every
    complete line (a JSON object whose ``line`` is 1, 2, 3 ...), drops the partial one and
    continues after them, never writing a line twice. Without it, ``target`` is overwritten.
    """
    workers = _worker_count(workers)
    try:
        lines = source.open("rb")
    except OSError as error:
        raise InputError(f"cannot read {source}: {os_reason(error)}") from error
    with lines, _locked_output(target) as out:
        done = _resume_point(out, target) if resume else _start_over(out, target)
        if done and done > _count_lines(lines):
            raise ResumeError(
                f"{target} has {done} lines but {source} only {_count_lines(lines)}: it is not this"
                " batch's output; write to a new file or drop --resume"
            )
        shown = progress is True or (progress is None and _is_terminal(sys.stderr))
        total = max(0, _count_lines(lines) - done) if shown else None
        lines.seek(0)
        numbered = islice(_numbered_lines(lines), done, None)
        plans = errors = failed = 0
        for result in _map(
            _jsonl_record,
            numbered,
            knowledge=knowledge,
            workers=workers,
            progress=progress,
            total=total,
            in_process=in_process,
        ):
            if isinstance(result, _Failure):
                failed += 1
                is_plan, record = _error_line(
                    result.item[0], f"this profile could not be planned: {result.reason}"
                )
            else:
                is_plan, record = result
            _write(out, target, record)
            plans += is_plan
            errors += not is_plan
    return BatchSummary(plans, errors, done, failed)


#: The longest input line ``run_jsonl`` reads (bytes); a longer one is an error line.
MAX_LINE_BYTES = 1 << 20


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


def _jsonl_record(numbered: tuple[int, str | None], knowledge: KnowledgeBase) -> tuple[bool, str]:
    """A worker's task for ``run_jsonl``: one input line to its output line (and whether it is
    a plan)."""
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
    return True, f'{{"line": {number}, "plan": {plan.model_dump_json()}}}'


def _error_line(number: int, message: str) -> tuple[bool, str]:
    return False, json.dumps({"line": number, "error": message}, ensure_ascii=False)


def os_reason(error: OSError) -> str:
    """An ``OSError`` in a few words: ``Is a directory``, not ``[Errno 21] Is a directory: 'x'``."""
    return error.strerror or " ".join(str(error).split()) or type(error).__name__


@contextmanager
def _locked_output(target: Path) -> Iterator[IO[bytes]]:
    """``target`` open for appending (and reading), under an exclusive lock held until closed."""
    try:
        out = target.open("a+b", buffering=0)  # unbuffered: a failed write is not retried at close
    except OSError as error:
        raise OutputError(f"cannot write {target}: {os_reason(error)}") from error
    with out:
        try:
            import fcntl
        except ImportError:  # not POSIX (Windows): no lock
            yield out
            return
        try:
            fcntl.flock(out.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise OutputError(
                f"{target} is in use by another footmap batch run; wait for it or write to another file"
            ) from error
        except OSError:  # a file system without locks: go on unlocked
            pass
        yield out


def _start_over(out: IO[bytes], target: Path) -> int:
    _truncate(out, target, 0)
    return 0


def _truncate(out: IO[bytes], target: Path, size: int) -> None:
    """Cut a regular file to ``size`` bytes (a device or a pipe is left as it is)."""
    try:
        if stat.S_ISREG(os.fstat(out.fileno()).st_mode):
            out.truncate(size)
    except OSError as error:
        raise OutputError(f"cannot write {target}: {os_reason(error)}") from error


def _write(out: IO[bytes], target: Path, record: str) -> None:
    data = memoryview(record.encode("utf-8") + b"\n")
    try:
        while data:
            data = data[out.write(data) or 0 :]
    except OSError as error:
        raise OutputError(f"cannot write {target}: {os_reason(error)}") from error


def _resume_point(out: IO[bytes], target: Path) -> int:
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
                    f"{target} is not footmap batch output: its line {count} {problem};"
                    " write to a new file or drop --resume"
                )
            complete += len(line)
    _truncate(out, target, complete)
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


def _count_lines(lines: IO[bytes]) -> int:
    """How many lines ``lines`` holds (a last one without a newline counts)."""
    lines.seek(0)
    count, last = 0, b"\n"
    for block in iter(lambda: lines.read(1 << 20), b""):
        count += block.count(b"\n")
        last = block[-1:]
    return count + (last != b"\n")
