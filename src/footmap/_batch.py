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
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar, overload

from pydantic import ValidationError

from footmap._errors import EngineFallbackWarning, ResumeError
from footmap._input.profile import Profile
from footmap._knowledge import schema
from footmap._knowledge.base import KnowledgeBase, shipped_knowledge
from footmap._pipeline import recommend
from footmap._plan import Plan
from footmap._rules.engine import warn_if_unavailable

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")
Task = Callable[[Any, KnowledgeBase], T]

#: Profiles per task sent to a worker: enough to make the round trip cheap, few enough to balance.
CHUNK_SIZE = 32
#: Chunks in flight per worker.
IN_FLIGHT = 4
#: Seconds a run must last before ``progress=None`` shows its bar (on a terminal).
PROGRESS_DELAY = 2.0


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
) -> Iterator[Plan | ValidationError]: ...


def recommend_many(
    profiles: Iterable[Profile | Mapping[str, Any]],
    *,
    knowledge: KnowledgeBase | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    errors: Literal["raise", "return"] = "raise",
) -> Iterator[Plan] | Iterator[Plan | ValidationError]:
    """Plans for many profiles, yielded in input order, computed on worker processes.

    ``workers``: how many processes (default: one per CPU); ``1`` computes in this process.
    ``progress``: ``True`` always shows a progress bar on standard error, ``False`` never, and
    ``None`` (the default) shows one on a terminal once a run has lasted two seconds.
    ``errors``: an invalid profile raises its :class:`pydantic.ValidationError` at its position
    (``"raise"``, after the plans before it), or takes its place in the output (``"return"``).

    Input is read lazily and results are yielded as they come, so a generator of millions of
    profiles runs in constant memory. Worker processes are started with ``spawn``: in a script,
    call this under ``if __name__ == "__main__":``.

    >>> plans = recommend_many([{"pains": [{"area": "knee", "severity": 4}]}] * 3, workers=1)
    >>> [plan.triage for plan in plans]
    ['self_care', 'self_care', 'self_care']
    """
    total = len(profiles) if isinstance(profiles, Sized) else None
    results = _map(_plan_json, profiles, knowledge=knowledge, workers=workers, progress=progress, total=total)
    return _plans(results, errors)


def _plans(
    results: Iterator[str | ValidationError], errors: Literal["raise", "return"]
) -> Iterator[Plan | ValidationError]:
    for result in results:
        if isinstance(result, ValidationError):
            if errors == "raise":
                raise result
            yield result
        else:
            yield Plan.model_validate_json(result)


def _plan_json(profile: Any, knowledge: KnowledgeBase) -> str | ValidationError:
    """A worker's task: the plan as JSON, or the profile's validation error."""
    try:
        return recommend(profile, knowledge=knowledge).model_dump_json()
    except ValidationError as error:
        return error


# --- the worker pool ----------------------------------------------------------------------------

_worker_knowledge: list[KnowledgeBase] = []


def _start_worker(knowledge: tuple[schema.Knowledge, str] | None) -> None:
    """Runs once in each worker process: the knowledge it will use for every profile."""
    warnings.simplefilter("ignore", EngineFallbackWarning)  # the parent process gives it
    base = KnowledgeBase(*knowledge) if knowledge is not None else shipped_knowledge()
    _worker_knowledge[:] = [base]
    recommend({}, knowledge=base)  # build the rule engine and fill the caches now


def _run_chunk(task: Task[T], chunk: list[Any]) -> list[T]:
    knowledge = _worker_knowledge[0]
    return [task(item, knowledge) for item in chunk]


def _map(
    task: Task[T],
    items: Iterable[Any],
    *,
    knowledge: KnowledgeBase | None,
    workers: int | None,
    progress: bool | None,
    total: int | None,
) -> Iterator[T]:
    """``task(item, knowledge)`` for every item, in input order, on ``workers`` processes."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    bar = _progress_bar(progress, total)
    try:
        if workers == 1:
            base = knowledge if knowledge is not None else shipped_knowledge()
            for item in items:
                yield task(item, base)
                if bar is not None:
                    bar.update(1)
            return
        yield from _map_on_pool(task, items, knowledge, workers, bar)
    finally:
        if bar is not None:
            bar.close()


def _map_on_pool(
    task: Task[T],
    items: Iterable[Any],
    knowledge: KnowledgeBase | None,
    workers: int,
    bar: Any,
) -> Iterator[T]:
    # Imported here: a plain ``import footmap`` should not pay for them (docs/performance.md).
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    warn_if_unavailable()
    sent = (knowledge.knowledge, knowledge.origin) if knowledge is not None else None
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker, initargs=(sent,)
    )
    try:
        chunks = _chunks(items, CHUNK_SIZE)
        pending: deque[Future[list[T]]] = deque(
            pool.submit(_run_chunk, task, chunk) for chunk in islice(chunks, workers * IN_FLIGHT)
        )
        while pending:
            results = pending.popleft().result()
            chunk = next(chunks, None)
            if chunk is not None:
                pending.append(pool.submit(_run_chunk, task, chunk))
            yield from results
            if bar is not None:
                bar.update(len(results))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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
    """What a ``run_jsonl`` run did: lines written (plans, errors), and lines it resumed after."""

    plans: int
    errors: int
    resumed_after: int

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
) -> BatchSummary:
    """Read profiles from a JSON-lines file and write one result line per input line.

    Each output line is ``{"line": N, "plan": {...}}`` or ``{"line": N, "error": "..."}``, N the
    input line's number (from 1): a blank line, invalid JSON, something other than an object, or
    a profile that does not validate gives an error line, and the batch goes on. Lines are
    written and flushed one at a time, so an interrupted run leaves complete lines and at most
    one partial last line; ``resume=True`` drops that partial line and continues after the last
    complete one, never writing a line twice. Without it, ``target`` is overwritten.
    """
    done = _resume_point(target) if resume else 0
    shown = progress is True or (progress is None and _is_terminal(sys.stderr))
    total = max(0, _count_lines(source) - done) if shown else None
    plans = errors = 0
    # A byte that is not UTF-8 makes its line an error line, not the end of the batch.
    with (
        source.open(encoding="utf-8", errors="replace") as lines,
        target.open("a" if resume else "w", encoding="utf-8") as out,
    ):
        numbered = islice(enumerate(lines, start=1), done, None)
        for is_plan, record in _map(
            _jsonl_record, numbered, knowledge=knowledge, workers=workers, progress=progress, total=total
        ):
            out.write(record + "\n")
            out.flush()
            plans += is_plan
            errors += not is_plan
    return BatchSummary(plans, errors, done)


def _jsonl_record(numbered: tuple[int, str], knowledge: KnowledgeBase) -> tuple[bool, str]:
    """A worker's task for ``run_jsonl``: one input line to its output line (and whether it is
    a plan)."""
    number, text = numbered
    text = text.strip()
    if not text:
        return _error_line(number, "empty line: expected a JSON object of profile fields")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return _error_line(number, f"invalid JSON: {error}")
    if not isinstance(data, dict):
        return _error_line(number, f"expected a JSON object of profile fields, got {type(data).__name__}")
    try:
        plan = recommend(data, knowledge=knowledge)
    except ValidationError as error:
        return _error_line(number, str(error))
    return True, f'{{"line": {number}, "plan": {plan.model_dump_json()}}}'


def _error_line(number: int, message: str) -> tuple[bool, str]:
    return False, json.dumps({"line": number, "error": message}, ensure_ascii=False)


def _resume_point(target: Path) -> int:
    """How many complete lines ``target`` holds, after cutting off a partial last line."""
    if not target.exists():
        return 0
    with target.open("r+b") as out:
        count = complete = last_start = position = 0
        while block := out.read(1 << 20):
            end = block.rfind(b"\n")
            if end >= 0:
                count += block.count(b"\n")
                before = block.rfind(b"\n", 0, end)
                last_start = position + before + 1 if before >= 0 else complete
                complete = position + end + 1
            position += len(block)
        out.truncate(complete)
        out.seek(last_start)
        last = out.read(complete - last_start)
    if count:
        try:
            number = json.loads(last)["line"]
        except (ValueError, KeyError, TypeError):
            number = None
        if number != count:
            raise ResumeError(
                f"{target} does not end the way footmap batch output would after {count} lines"
                f" (its last line starts {last[:60]!r}); write to a new file or drop --resume"
            )
    return count


def _count_lines(source: Path) -> int:
    with source.open("rb") as lines:
        return sum(block.count(b"\n") for block in iter(lambda: lines.read(1 << 20), b""))
