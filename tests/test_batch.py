"""recommend_many() and ``footmap batch``: input order, worker processes, errors, resuming."""

from __future__ import annotations

import gc
import io
import itertools
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

import footmap
from footmap import _batch
from footmap._batch import BatchSummary, ResumeError, run_jsonl
from footmap._cli import main
from tests.strategies import SAMPLE_PROFILES

PROFILES = SAMPLE_PROFILES
#: More profiles than one chunk, so that order across chunks and workers is tested.
MANY = [{**PROFILES[n % len(PROFILES)], "minutes_per_day": 5 + n % 100} for n in range(90)]
INVALID = {"symptoms": ["tinglng"]}


def _json(plans: Any) -> list[str]:
    return [plan.model_dump_json() for plan in plans]


# --- recommend_many -----------------------------------------------------------------------------


def test_in_process_plans_are_recommends_plans_in_order() -> None:
    assert _json(footmap.recommend_many(MANY, workers=1)) == _json(map(footmap.recommend, MANY))


def test_worker_processes_give_the_same_plans_in_input_order() -> None:
    plans = list(footmap.recommend_many(MANY, workers=2))
    assert all(isinstance(plan, footmap.Plan) for plan in plans)
    assert _json(plans) == _json(map(footmap.recommend, MANY))


def test_input_is_read_lazily_so_an_endless_generator_works() -> None:
    endless = (PROFILES[n % len(PROFILES)] for n in itertools.count())
    first = list(itertools.islice(footmap.recommend_many(endless, workers=2), 100))
    assert _json(first) == _json(footmap.recommend(PROFILES[n % len(PROFILES)]) for n in range(100))


@pytest.mark.parametrize("workers", [1, 2])
def test_an_invalid_profile_raises_at_its_position(workers: int) -> None:
    profiles = [*PROFILES[:3], INVALID, *PROFILES[3:]]
    results = footmap.recommend_many(profiles, workers=workers)
    assert _json(itertools.islice(results, 3)) == _json(map(footmap.recommend, PROFILES[:3]))
    with pytest.raises(ValidationError, match="Did you mean 'tingling'"):
        next(results)


@pytest.mark.parametrize("workers", [1, 2])
def test_errors_return_puts_the_error_in_the_profiles_place(workers: int) -> None:
    profiles = [PROFILES[0], INVALID, PROFILES[1]]
    first, error, last = footmap.recommend_many(profiles, workers=workers, errors="return")
    assert isinstance(error, ValidationError) and "tingling" in str(error)
    assert isinstance(first, footmap.Plan) and isinstance(last, footmap.Plan)
    assert _json([first, last]) == _json(map(footmap.recommend, [PROFILES[0], PROFILES[1]]))


def test_workers_use_the_knowledge_they_are_given(tmp_path: Path) -> None:
    shipped = footmap.KnowledgeBase.load()
    entry = shipped.items["toe_press"].model_dump(mode="json", by_alias=True, exclude_defaults=True)
    (tmp_path / "exercises.yaml").write_text(
        yaml.safe_dump([{**entry, "name": "Clinic toe press"}]), encoding="utf-8"
    )
    custom = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    plans = list(footmap.recommend_many(PROFILES[:1] * 40, knowledge=custom, workers=2))
    assert {plan.knowledge for plan in plans} == {custom.fingerprint} != {shipped.fingerprint}
    assert "Clinic toe press" in {item.name for item in plans[0].items}


def test_progress_true_draws_a_bar_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    list(footmap.recommend_many(PROFILES, workers=1, progress=True))
    assert "plans" in capsys.readouterr().err


def test_progress_is_off_by_default_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    list(footmap.recommend_many(PROFILES, workers=1))
    assert capsys.readouterr().err == ""


def test_workers_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(footmap.recommend_many(PROFILES, workers=0))


@pytest.mark.parametrize("workers", [1, 2])
def test_json_output_is_each_plans_json_in_order(workers: int) -> None:
    profiles = [*MANY[:40], INVALID, *MANY[40:]]
    results = list(footmap.recommend_many(profiles, workers=workers, output="json", errors="return"))
    error = results.pop(40)
    assert isinstance(error, ValidationError) and "tingling" in str(error)
    assert results == _json(map(footmap.recommend, MANY))


def test_the_garbage_collector_is_paused_only_while_results_are_read_and_as_it_was() -> None:
    assert gc.isenabled()
    with _batch._collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with _batch._collector_paused():
            pass
        assert not gc.isenabled()  # the caller's choice stands
    finally:
        gc.enable()


def _how_the_worker_started(item: int, knowledge: footmap.KnowledgeBase) -> tuple[bool, bool]:
    """A worker's task: whether it holds the fork server's preload, and whether its parent is
    another process than the one that asked for it (``item``: that process's id)."""
    return _batch.PRELOAD in sys.modules, os.getppid() != item


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server here (Windows)"
)
def test_workers_are_forked_from_a_server_that_has_loaded_footmap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_batch, "FORK_CALLER", False)  # else forked from this process, if it can be
    results = _batch._map(
        _how_the_worker_started,
        [os.getpid()] * 4,
        knowledge=None,
        workers=2,
        progress=False,
        total=None,
        in_process=False,
    )
    assert list(results) == [(True, True)] * 4


def test_an_unknown_output_is_refused() -> None:
    with pytest.raises(ValueError, match="output must be 'plan' or 'json', not 'dict'"):
        footmap.recommend_many(PROFILES, output="dict")  # type: ignore[call-overload]


# --- where plans are made: this process for a small input, unless workers are given ------------


@pytest.fixture
def where(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Where each run plans, ``"here"`` or ``"pool of N"``, as runs call them (the pool is stood
    in for by this process, so that these tests time nothing and start nothing)."""
    ran: list[str] = []
    here = _batch._map_here

    def on_pool(task: Any, items: Any, knowledge: Any, workers: int, bar: Any, total: int | None) -> Any:
        ran.append(f"pool of {workers}")
        return here(task, items, knowledge, bar)

    def in_process(task: Any, items: Any, knowledge: Any, bar: Any) -> Any:
        ran.append("here")
        return here(task, items, knowledge, bar)

    monkeypatch.setattr(_batch, "_map_on_pool", on_pool)
    monkeypatch.setattr(_batch, "_map_here", in_process)
    monkeypatch.setattr(_batch, "SMALL_INPUT", 5)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    return ran


def test_a_small_input_is_planned_here_and_a_larger_on_one_process_per_cpu(where: list[str]) -> None:
    assert _json(footmap.recommend_many(MANY[:5])) == _json(map(footmap.recommend, MANY[:5]))
    assert _json(footmap.recommend_many(MANY[:6])) == _json(map(footmap.recommend, MANY[:6]))
    assert where == ["here", "pool of 3"]


def test_a_generator_is_read_ahead_just_enough_to_tell_and_nothing_is_lost(where: list[str]) -> None:
    read: list[int] = []

    def profiles(count: int) -> Iterator[dict[str, Any]]:
        for n in range(count):
            read.append(n)
            yield MANY[n]

    results = footmap.recommend_many(profiles(20))
    assert read == []  # nothing is read before the first plan is asked for
    first = next(results)
    assert read == list(range(6)) and where == ["pool of 3"]  # SMALL_INPUT + 1, then the pool
    assert _json([first, *results]) == _json(map(footmap.recommend, MANY[:20]))
    assert _json(footmap.recommend_many(profiles(5))) == _json(map(footmap.recommend, MANY[:5]))
    assert where == ["pool of 3", "here"]


def test_given_workers_decide_whatever_the_size(where: list[str]) -> None:
    list(footmap.recommend_many(MANY[:1], workers=2))
    list(footmap.recommend_many(MANY[:20], workers=1))
    assert where == ["pool of 2", "here"]


def test_a_small_batch_is_planned_here_unless_workers_are_given(
    tmp_path: Path, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    small = _write_lines(tmp_path / "small.jsonl", LINES[:5])
    large = _write_lines(tmp_path / "large.jsonl", LINES)
    out = tmp_path / "out.jsonl"
    assert run_jsonl(small, out).in_process
    assert not run_jsonl(large, out).in_process
    assert not run_jsonl(small, out, workers=1).in_process  # given: a crash costs one line
    assert run_jsonl(large, out, in_process=True).in_process
    assert main(["batch", str(small), "-o", str(out)]) == 0
    assert main(["batch", str(small), "-o", str(out), "--workers", "1"]) == 0
    assert where == ["here", "pool of 3", "pool of 1", "here", "here", "pool of 1"]
    assert [record["line"] for record in _records(out)] == [1, 2, 3, 4, 5]


def test_what_is_left_after_a_resume_decides(tmp_path: Path, where: list[str]) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES * 2)
    expected = _expected(source, tmp_path).splitlines(keepends=True)
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"".join(expected[:6]))
    where.clear()
    summary = run_jsonl(source, target, resume=True)
    assert (summary.resumed_after, summary.in_process, where) == (6, False, ["pool of 3"])
    target.write_bytes(b"".join(expected[:7]))
    assert run_jsonl(source, target, resume=True).in_process
    assert target.read_bytes() == b"".join(expected)


# --- footmap batch (run_jsonl) ------------------------------------------------------------------

LINES = [
    json.dumps(PROFILES[0]),
    "",
    "{not json",
    "[1, 2]",
    json.dumps(INVALID),
    json.dumps(PROFILES[1]),
]


def _write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_batch_writes_one_line_per_input_line_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], workers: str
) -> None:
    source, target = _write_lines(tmp_path / "in.jsonl", LINES), tmp_path / "out.jsonl"
    assert main(["batch", str(source), "-o", str(target), "--workers", workers]) == 0
    records = _records(target)
    assert [record["line"] for record in records] == [1, 2, 3, 4, 5, 6]
    assert [("plan" in record) for record in records] == [True, False, False, False, False, True]
    assert "empty line" in records[1]["error"]
    assert records[2]["error"].startswith("invalid JSON: ")
    assert "got list" in records[3]["error"]
    assert "Did you mean 'tingling'?" in records[4]["error"]
    assert footmap.Plan.model_validate(records[5]["plan"]) == footmap.recommend(PROFILES[1])
    assert "wrote 6 lines" in capsys.readouterr().err


def test_a_line_that_is_not_utf8_is_an_error_line_not_the_end(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        json.dumps(PROFILES[0]).encode()
        + b'\n{"symptoms": ["\xff"]}\n'
        + json.dumps(PROFILES[1]).encode()
        + b"\n"
    )
    summary = run_jsonl(source, tmp_path / "out.jsonl", workers=1, in_process=True)
    assert summary == BatchSummary(plans=2, errors=1, resumed_after=0, in_process=True)


def _expected(source: Path, tmp_path: Path) -> bytes:
    clean = tmp_path / "clean.jsonl"
    run_jsonl(source, clean, workers=1, in_process=True)
    return clean.read_bytes()


def test_resume_drops_a_partial_line_and_continues_without_duplicates(tmp_path: Path) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES * 3)
    expected = _expected(source, tmp_path)
    complete = expected.splitlines(keepends=True)[:7]
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"".join(complete) + expected.splitlines(keepends=True)[7][:25])
    summary = run_jsonl(source, target, workers=2, resume=True)
    assert summary.resumed_after == 7 and summary.written == len(LINES) * 3 - 7
    assert target.read_bytes() == expected
    assert run_jsonl(source, target, workers=1, resume=True, in_process=True).written == 0  # complete
    assert target.read_bytes() == expected


def test_resume_starts_from_scratch_without_an_output_file(tmp_path: Path) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    target = tmp_path / "out.jsonl"
    assert run_jsonl(source, target, workers=1, resume=True, in_process=True).written == len(LINES)
    assert target.read_bytes() == _expected(source, tmp_path)


def test_resume_refuses_a_file_that_is_not_this_batchs_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    target = _write_lines(tmp_path / "out.jsonl", ['{"something": "else"}', '{"line": 7}'])
    with pytest.raises(ResumeError, match="is not footmap batch output: its line 1 "):
        run_jsonl(source, target, workers=1, resume=True, in_process=True)
    code = main(["batch", str(source), "-o", str(target), "--resume", "--workers", "1"])
    assert code == 2 and "cannot resume" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "says"),
    [(["--workers", "0"], "at least 1"), (["--knowledge", "nowhere"], "not a directory")],
)
def test_batch_rejects_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    code = main(["batch", str(source), "-o", str(tmp_path / "out.jsonl"), *argv])
    assert code in (1, 2) and says in capsys.readouterr().err


def test_batch_of_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(tmp_path / "nowhere.jsonl"), "-o", str(tmp_path / "out")]) == 2
    assert "cannot read" in capsys.readouterr().err


# --- standard input and output ----------------------------------------------------------------


def test_streams_give_the_same_lines_as_files(tmp_path: Path) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    out = io.BytesIO()
    summary = run_jsonl(io.BytesIO(source.read_bytes()), out, in_process=True)
    assert out.getvalue() == _expected(source, tmp_path)
    assert (summary.plans, summary.errors) == (2, 4)


@pytest.mark.parametrize("workers", [None, 2])
def test_batch_reads_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], workers: int | None
) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source.read_bytes())))
    target = tmp_path / "out.jsonl"
    argv = ["batch", "-", "-o", str(target), *(["--workers", str(workers)] if workers else [])]
    assert main(argv) == 0
    assert target.read_bytes() == _expected(source, tmp_path)
    assert f"wrote 6 lines to {target} (2 plans, 4 errors)" in capsys.readouterr().err


def test_batch_writes_standard_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    assert main(["batch", str(source), "-o", "-"]) == 0
    out, err = capsys.readouterr()
    assert out.encode() == _expected(source, tmp_path)
    assert err == "footmap: wrote 6 lines to standard output (2 plans, 4 errors)\n"


def test_the_program_pipes_standard_input_to_standard_output(tmp_path: Path) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    command = [sys.executable, "-m", "footmap", "batch", "-", "-o", "-", "--workers", "2"]
    result = subprocess.run(
        command, input=source.read_bytes(), capture_output=True, cwd=tmp_path, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == _expected(source, tmp_path)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["-", "-o", "OUT", "--resume"], "cannot resume from standard input: --resume reads IN again"),
        (["IN", "-o", "-", "--resume"], "cannot resume into standard output: --resume reads OUT back"),
    ],
    ids=["stdin", "stdout"],
)
def test_resume_with_a_stream_is_refused_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    places = {"IN": str(source), "OUT": str(tmp_path / "out.jsonl")}
    assert main(["batch", *(places.get(arg, arg) for arg in argv)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err
    assert not (tmp_path / "out.jsonl").exists()
    with pytest.raises(ResumeError, match="is not a file, and resuming"):
        run_jsonl(io.BytesIO(), tmp_path / "out.jsonl", resume=True)


class _ClosedPipe(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_standard_output_exits_4_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BufferedWriter(_ClosedPipe())))
    assert main(["batch", str(source), "-o", "-"]) == 4
    assert capsys.readouterr().err == "footmap: cannot write standard output: Broken pipe\n"


@pytest.mark.slow
def test_a_killed_batch_resumes_to_the_same_output(tmp_path: Path) -> None:
    source = _write_lines(tmp_path / "in.jsonl", [json.dumps(p) for p in MANY] * 12)
    target = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "footmap", "batch", str(source), "-o", str(target), "--workers", "1"]
    process = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while (not target.exists() or target.stat().st_size < 200_000) and time.monotonic() < deadline:
            assert process.poll() is None, "the batch finished before it could be interrupted"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    interrupted = target.read_bytes().count(b"\n")
    assert 0 < interrupted < len(MANY) * 12
    resumed = subprocess.run(
        [*command, "--resume"], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True
    )
    assert f"resumed after line {interrupted}" in resumed.stderr
    assert target.read_bytes() == _expected(source, tmp_path)


# --- a poison input, a dead worker, a busy or broken output ----------------------------------
#
# The rule engine is C: a profile can crash its process (``weeks: 1e-05`` once segfaulted
# durable-rules). These tasks stand in for such a profile: the marker field ``crash`` kills the
# worker (or raises) before the profile is validated. The workers import them from this module,
# by the name the monkeypatched task is pickled under.

CRASH = {"crash": "segv"}
#: The real tasks, kept before the fixture swaps them out.
PLAN, PLAN_JSON, JSONL_RECORD = _batch._plan, _batch._plan_json, _batch._jsonl_record


def _crash_if_marked(profile: Any) -> None:
    how = profile.get("crash") if isinstance(profile, dict) else None
    if how == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif how == "exit":
        os._exit(3)
    elif how == "raise":
        raise RecursionError("simulated: maximum recursion depth exceeded")
    elif how == "hang":
        time.sleep(3600)


def _crashing_plan(profile: Any, knowledge: footmap.KnowledgeBase) -> Any:
    _crash_if_marked(profile)
    return PLAN(profile, knowledge)


def _crashing_plan_json(profile: Any, knowledge: footmap.KnowledgeBase) -> Any:
    _crash_if_marked(profile)
    return PLAN_JSON(profile, knowledge)


def _crashing_record(numbered: tuple[int, str | None], knowledge: footmap.KnowledgeBase) -> Any:
    text = numbered[1]
    if text and '"crash"' in text:
        _crash_if_marked(json.loads(text))
    return JSONL_RECORD(numbered, knowledge)


@pytest.fixture
def crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Profiles with a ``crash`` field kill (or fail) the process that plans them."""
    monkeypatch.setattr(_batch, "_plan", _crashing_plan)
    monkeypatch.setattr(_batch, "_plan_json", _crashing_plan_json)
    monkeypatch.setattr(_batch, "_jsonl_record", _crashing_record)


@pytest.mark.usefixtures("crashing")
def test_a_profile_that_kills_its_worker_takes_only_its_own_place() -> None:
    profiles = [*MANY[:40], CRASH, *MANY[40:]]
    results = list(footmap.recommend_many(profiles, workers=2, errors="return"))
    failure = results.pop(40)
    assert isinstance(failure, footmap.WorkerError) and failure.position == 40
    assert "killed by SIGSEGV" in str(failure)
    assert _json(results) == _json(map(footmap.recommend, MANY))


@pytest.mark.usefixtures("crashing")
def test_a_profile_its_worker_hangs_on_is_stopped_and_takes_only_its_own_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_batch, "JOB_TIMEOUT", 1.5)
    profiles = [*PROFILES[:4], {"crash": "hang"}, *PROFILES[4:]]
    results = list(footmap.recommend_many(profiles, workers=2, errors="return"))
    failure = results.pop(4)
    assert isinstance(failure, footmap.WorkerError) and failure.position == 4
    assert "took over 1.5 s and was stopped" in str(failure)
    assert _json(results) == _json(map(footmap.recommend, PROFILES))


@pytest.mark.usefixtures("crashing")
def test_errors_raise_raises_a_worker_error_at_the_crashing_position() -> None:
    results = footmap.recommend_many([*PROFILES[:3], {"crash": "exit"}, *PROFILES[3:]], workers=2)
    assert len(list(itertools.islice(results, 3))) == 3
    with pytest.raises(footmap.WorkerError, match=r"the profile at index 3: .*died \(exit code 3\)"):
        next(results)


@pytest.mark.usefixtures("crashing")
@pytest.mark.parametrize("workers", [1, 2])
def test_a_profile_the_engine_raises_on_is_a_worker_error_not_the_end(workers: int) -> None:
    profiles = [PROFILES[0], {"crash": "raise"}, PROFILES[1]]
    first, error, last = footmap.recommend_many(profiles, workers=workers, errors="return")
    assert isinstance(error, footmap.WorkerError) and error.position == 1
    assert "RecursionError: simulated" in str(error)
    assert _json([first, last]) == _json(map(footmap.recommend, PROFILES[:2]))


@pytest.mark.usefixtures("crashing")
def test_a_batch_line_that_kills_its_worker_is_an_error_line_and_the_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.dumps(p) for p in MANY[:50]] + [json.dumps(CRASH)] + [json.dumps(p) for p in MANY[50:]]
    source, target = _write_lines(tmp_path / "in.jsonl", lines), tmp_path / "out.jsonl"
    assert main(["batch", str(source), "-o", str(target), "--workers", "2"]) == 0
    records = _records(target)
    assert [record["line"] for record in records] == list(range(1, len(lines) + 1))
    assert records[50] == {
        "line": 51,
        "error": "this profile could not be planned: its worker process was killed by SIGSEGV"
        " while planning it",
    }
    plans = [footmap.Plan.model_validate(r["plan"]) for r in records[:50] + records[51:]]
    assert _json(plans) == _json(map(footmap.recommend, MANY))
    assert "1 of them profiles the engine failed on" in capsys.readouterr().err


def test_resume_checks_every_line_not_just_the_last(tmp_path: Path) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    lines = _expected(source, tmp_path).splitlines(keepends=True)
    target = tmp_path / "out.jsonl"
    target.write_bytes(lines[0] + lines[2] + lines[1] + lines[3])  # the last line is right
    with pytest.raises(ResumeError, match=r'its line 2 should be \{"line": 2, ...\}, not \{"line": 3'):
        run_jsonl(source, target, resume=True, in_process=True)
    target.write_bytes(lines[0] + b"[1, 2]\n" + lines[2])
    with pytest.raises(ResumeError, match="its line 2 should be"):
        run_jsonl(source, target, resume=True, in_process=True)


def test_resume_refuses_more_lines_than_the_input_has(tmp_path: Path) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    target = tmp_path / "out.jsonl"
    target.write_bytes(_expected(source, tmp_path) * 2)
    with pytest.raises(ResumeError, match="its line 7 should be"):
        run_jsonl(source, target, resume=True, in_process=True)
    target.write_bytes(b"".join(json.dumps({"line": n, "error": "x"}).encode() + b"\n" for n in range(1, 9)))
    with pytest.raises(ResumeError, match=r"has 8 lines but .* only 6"):
        run_jsonl(source, target, resume=True, in_process=True)


@pytest.mark.parametrize("resume", [False, True])
def test_an_output_another_run_holds_is_refused_with_exit_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], resume: bool
) -> None:
    fcntl = pytest.importorskip("fcntl")
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"kept\n")
    with target.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(footmap.OutputError, match="in use by another footmap batch run"):
            run_jsonl(source, target, resume=resume, in_process=True)
        argv = ["batch", str(source), "-o", str(target), *(["--resume"] if resume else [])]
        assert main(argv) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "in use by another footmap batch run" in err
    assert target.read_bytes() == b"kept\n"  # not truncated, not appended to


def test_a_line_over_the_limit_is_an_error_line_read_in_bounded_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_batch, "MAX_LINE_BYTES", 100)
    lines = ['{"age": 40}', "x" * 1000, '{"age": 50}']
    source = _write_lines(tmp_path / "in.jsonl", lines)
    target = tmp_path / "out.jsonl"
    summary = run_jsonl(source, target, in_process=True)
    assert (summary.plans, summary.errors) == (2, 1)
    assert _records(target)[1] == {"line": 2, "error": "line longer than 100 bytes: not read"}


def _descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (from /proc): workers forked from the fork server
    are its children, not the batch's."""
    parents: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        parents.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(int(status.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


#: ``footmap batch`` as ``python -m footmap`` runs it, with its workers never forked from it
#: (``footmap._batch.FORK_CALLER``): they come from the fork server, as in a process with threads.
_FROM_THE_FORK_SERVER = (
    "import sys, footmap._batch; footmap._batch.FORK_CALLER = False;"
    " from footmap._cli import main; sys.exit(main(sys.argv[1:]))"
)


def _start_batch(
    source: Path, target: Path, *extra: str, fork_caller: bool = True
) -> subprocess.Popen[bytes]:
    footmap_command = ["-m", "footmap"] if fork_caller else ["-c", _FROM_THE_FORK_SERVER]
    command = [sys.executable, *footmap_command, "batch", str(source), "-o", str(target), *extra]
    return subprocess.Popen(command, cwd=source.parent, stderr=subprocess.PIPE, preexec_fn=_default_sigint)


def _default_sigint() -> None:
    """Ctrl-C as a terminal gives it, even where these tests run in the background: a shell
    starts a background job with SIGINT ignored, and Python keeps a signal ignored that it
    inherits ignored (so the Ctrl-C test would send a signal its batch never sees)."""
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_lines(process: subprocess.Popen[bytes], target: Path, size: int) -> None:
    deadline = time.monotonic() + 120
    while (not target.exists() or target.stat().st_size < size) and time.monotonic() < deadline:
        assert process.poll() is None, "the batch finished before it could be interrupted"
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
@pytest.mark.parametrize("fork_caller", [True, False], ids=["forked from it", "from the fork server"])
def test_no_worker_outlives_a_killed_batch(tmp_path: Path, fork_caller: bool) -> None:
    source = _write_lines(tmp_path / "in.jsonl", [json.dumps(p) for p in MANY] * 30)
    target = tmp_path / "out.jsonl"
    process = _start_batch(source, target, "--workers", "2", fork_caller=fork_caller)
    try:
        _wait_for_lines(process, target, 100_000)
        children = _descendants(process.pid)
        # the two workers; from the fork server, it and multiprocessing's resource tracker too
        assert len(children) >= (2 if fork_caller else 3)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
        assert process.stderr is not None
        process.stderr.close()
    deadline = time.monotonic() + 10
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in children if _alive(pid)] == []


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="pauses the first run with SIGSTOP (POSIX)")
def test_a_second_run_on_the_same_output_fails_and_the_first_writes_each_line_once(tmp_path: Path) -> None:
    source = _write_lines(tmp_path / "in.jsonl", [json.dumps(p) for p in MANY] * 10)
    target = tmp_path / "out.jsonl"
    first = _start_batch(source, target, "--workers", "1")
    try:
        _wait_for_lines(first, target, 10_000)
        # Paused, the first run holds its lock for as long as the second takes to start: without
        # the pause a fast machine finishes the first run before the second has imported footmap.
        os.kill(first.pid, signal.SIGSTOP)
        assert first.poll() is None, "the first run finished before it could be paused"
        second = subprocess.run(
            [sys.executable, "-m", "footmap", "batch", str(source), "-o", str(target), "--resume"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        if first.returncode is None:  # not yet reaped: its pid is still its own
            os.kill(first.pid, signal.SIGCONT)
        first.wait(timeout=120)
        assert first.stderr is not None
        first.stderr.close()
    assert (second.returncode, second.stderr.count("\n")) == (4, 1), second.stderr
    assert "in use by another footmap batch run" in second.stderr
    assert first.returncode == 0
    assert target.read_bytes() == _expected(source, tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_ctrl_c_stops_a_batch_with_exit_130_one_line_and_no_workers_left(tmp_path: Path) -> None:
    source = _write_lines(tmp_path / "in.jsonl", [json.dumps(p) for p in MANY] * 20)
    target = tmp_path / "out.jsonl"
    process = _start_batch(source, target, "--workers", "2")
    try:
        _wait_for_lines(process, target, 50_000)
        children = _descendants(process.pid)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # On Python 3.13+ the process also says once that it runs the reference evaluator.
    said = [line for line in err.decode().splitlines(keepends=True) if "EngineFallbackWarning" not in line]
    assert (process.returncode, "".join(said)) == (130, "footmap: interrupted\n")
    deadline = time.monotonic() + 10
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in children if _alive(pid)] == []
    assert run_jsonl(source, target, resume=True, in_process=True).resumed_after > 0
    assert target.read_bytes() == _expected(source, tmp_path)


def test_stopping_a_worker_whose_pipe_the_collector_closed_first_never_raises() -> None:
    """An abandoned batch is closed by the garbage collector, in any order: the connection's own
    finalizer may have closed its descriptor before the batch stops its workers."""
    import multiprocessing
    from types import SimpleNamespace

    from footmap._batch import _Process

    ours, theirs = multiprocessing.Pipe()
    theirs.close()
    ours._close()  # type: ignore[attr-defined]  # what Connection.__del__ does: the number is kept
    _Process.stop(SimpleNamespace(connection=ours))  # type: ignore[arg-type]
    assert ours.closed


@pytest.mark.parametrize("total", [None, 0, 1, 31, 5_000, 10**9])
def test_a_feed_sends_every_item_once_in_order_in_chunks_that_taper_to_the_end(total: int | None) -> None:
    count = 5_000
    feed = _batch._Feed(range(count), workers=2, total=total)
    sizes: list[int] = []
    sent: list[int] = []
    no_worker: Any = None  # the feed asks a worker only about its retries: there are none
    while (job := feed._next_job(no_worker, yielded=feed.read)) is not None:
        sizes.append(len(job.items))
        sent += job.items
    assert sent == list(range(count))
    assert all(_batch.CHUNK_SIZE <= size <= _batch.LARGEST_CHUNK for size in sizes[:-1])
    if total is None:
        assert set(sizes[:-1]) == {_batch.CHUNK_SIZE}
    if total == count:  # fewer round trips, and the last jobs small
        assert len(sizes) < count / _batch.CHUNK_SIZE / 2
        assert sizes[0] == _batch.LARGEST_CHUNK
        assert sizes[-4:-1] == [_batch.CHUNK_SIZE] * 3
