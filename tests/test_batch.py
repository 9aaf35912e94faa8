"""recommend_many() and ``footmap batch``: input order, worker processes, errors, resuming."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

import footmap
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
    summary = run_jsonl(source, tmp_path / "out.jsonl", workers=1)
    assert summary == BatchSummary(plans=2, errors=1, resumed_after=0)


def _expected(source: Path, tmp_path: Path) -> bytes:
    clean = tmp_path / "clean.jsonl"
    run_jsonl(source, clean, workers=1)
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
    assert run_jsonl(source, target, workers=1, resume=True).written == 0  # already complete
    assert target.read_bytes() == expected


def test_resume_starts_from_scratch_without_an_output_file(tmp_path: Path) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    target = tmp_path / "out.jsonl"
    assert run_jsonl(source, target, workers=1, resume=True).written == len(LINES)
    assert target.read_bytes() == _expected(source, tmp_path)


def test_resume_refuses_a_file_that_is_not_this_batchs_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write_lines(tmp_path / "in.jsonl", LINES)
    target = _write_lines(tmp_path / "out.jsonl", ['{"something": "else"}', '{"line": 7}'])
    with pytest.raises(ResumeError, match="does not end the way"):
        run_jsonl(source, target, workers=1, resume=True)
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
