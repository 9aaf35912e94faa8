"""The ``footmap`` command: formats, and exit codes (0 ok, 1 invalid knowledge, 2 invalid input,
4 cannot write output, 5 internal error, 130 interrupted), each failure one line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import footmap
from footmap._cli import main

REPO = Path(__file__).resolve().parents[1]
PROFILE = REPO / "examples" / "profiles" / "back_pain.yaml"
BROKEN = REPO / "tests" / "fixtures" / "broken"


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run ``footmap`` in-process: exit code, standard output, standard error."""
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def expected_plan() -> footmap.Plan:
    return footmap.recommend(yaml.safe_load(PROFILE.read_text(encoding="utf-8")))


def write_profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- recommend ---------------------------------------------------------------------------------


def _is_json_of_the_plan(out: str) -> bool:
    return footmap.Plan.model_validate_json(out) == expected_plan()


FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "md": lambda out: out.startswith("# Your foot plan"),
    "json": _is_json_of_the_plan,
    "html": lambda out: '<div class="footmap-plan">' in out,
    "text": lambda out: out.startswith("Your foot plan\n==============\n"),
    "explain": lambda out: out.startswith("Triage:"),
    "handout": lambda out: out.startswith("<!DOCTYPE html>"),
}


@pytest.mark.parametrize("fmt", sorted(FORMAT_CHECKS))
def test_recommend_prints_the_plan_in_each_format(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, err = run(capsys, "recommend", PROFILE, "--format", fmt)
    assert (code, err) == (0, "")
    assert FORMAT_CHECKS[fmt](out), out[:500]


def test_recommend_prints_markdown_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "recommend", PROFILE)
    assert code == 0
    assert out == expected_plan().to_markdown() + "\n"


def test_recommend_prints_plain_text_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, _ = run(capsys, "recommend", PROFILE)
    assert code == 0
    assert out == footmap.render.render(expected_plan(), "text") + "\n"
    assert "**" not in out and not any(line.startswith("#") for line in out.splitlines())


def test_recommend_reads_the_profile_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PROFILE.read_text(encoding="utf-8")))
    code, out, err = run(capsys, "recommend", "-", "--format", "json")
    assert (code, err) == (0, "")
    assert _is_json_of_the_plan(out)


def test_recommend_reads_a_json_profile(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    profile = write_profile(
        tmp_path,
        footmap.Profile.model_validate(yaml.safe_load(PROFILE.read_text(encoding="utf-8"))).model_dump_json(),
    )
    code, out, _ = run(capsys, "recommend", profile, "--format", "json")
    assert code == 0
    assert _is_json_of_the_plan(out)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("symptoms: [tinglng]\n", ["'tinglng'", "Did you mean 'tingling'?"]),
        (
            "pains:\n  - area: back\n    severity: 6\nsymtoms: [stiffness]\n",
            ["'symtoms'", "Did you mean 'symptoms'?"],
        ),
        ("pains:\n  - area: back\n    severity: 11\n", ["severity", "10"]),
        ("- pains: []\n", ["must hold a mapping"]),
        ("just a sentence\n", ["must hold a mapping"]),
        ("symptoms: [stiffness\n", ["cannot read profile"]),
        ("age: 40\nage: 41\n", ["duplicate key 'age'"]),
    ],
    ids=[
        "unknown_symptom",
        "unknown_field",
        "severity_out_of_range",
        "list",
        "scalar",
        "yaml_syntax",
        "duplicate_key",
    ],
)
def test_recommend_rejects_an_invalid_profile_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, says: list[str]
) -> None:
    profile = write_profile(tmp_path, text)
    code, out, err = run(capsys, "recommend", profile)
    assert (code, out) == (2, "")
    assert str(profile) in err
    for part in says:
        assert part in err


def test_recommend_rejects_an_invalid_profile_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("symptoms: [tinglng]\n"))
    code, out, err = run(capsys, "recommend", "-")
    assert (code, out) == (2, "")
    assert "'tingling'" in err


def test_recommend_rejects_a_missing_profile_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.yaml"
    code, out, err = run(capsys, "recommend", missing)
    assert (code, out) == (2, "")
    assert "cannot read profile" in err
    assert str(missing) in err


@pytest.mark.parametrize(
    "argv",
    [
        ["recommend", str(PROFILE), "--format", "pdf"],
        ["recommend"],
        [],
        ["knowledge"],
        ["recommend", str(PROFILE), "--bogus"],
    ],
    ids=["unknown_format", "no_profile", "no_command", "no_knowledge_command", "unknown_option"],
)
def test_invalid_arguments_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage: footmap" in capsys.readouterr().err


def test_recommend_with_broken_knowledge_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "recommend", PROFILE, "--knowledge", BROKEN / "dangling_link", "--overlay")
    assert (code, out) == (1, "")
    assert "links.yaml, entry 'broken.link', field 'to'" in err


def test_recommend_with_an_overlay_uses_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # An empty overlay is the shipped knowledge: the same plan.
    code, out, _ = run(capsys, "recommend", PROFILE, "--format", "json", "--knowledge", tmp_path, "--overlay")
    assert code == 0
    assert _is_json_of_the_plan(out)


# --- knowledge check ---------------------------------------------------------------------------


def test_knowledge_check_of_the_shipped_knowledge_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "knowledge", "check")
    assert (code, err) == (0, "")
    assert "no problems found" in out


@pytest.mark.parametrize(
    ("case", "where"),
    [
        ("unknown_field", "advice.yaml, entry 'broken_advice', field 'sumary'"),
        ("dangling_reference", "advice.yaml, entry 'broken_advice', field 'works_on.0.factor'"),
    ],
    ids=["unknown_field", "dangling_reference"],
)
def test_knowledge_check_of_a_broken_overlay_exits_1(
    capsys: pytest.CaptureFixture[str], case: str, where: str
) -> None:
    code, out, err = run(capsys, "knowledge", "check", BROKEN / case, "--overlay")
    assert (code, out) == (1, "")
    assert "in the knowledge:" in err
    assert where in err


def test_knowledge_check_of_an_incomplete_directory_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "knowledge", "check", tmp_path)
    assert (code, out) == (1, "")
    assert "exercises.yaml" in err
    assert "[missing_file]" in err


# --- as a program ------------------------------------------------------------------------------


def _footmap(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "footmap", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_the_program_prints_json_and_exits_0(tmp_path: Path) -> None:
    result = _footmap("recommend", PROFILE, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _is_json_of_the_plan(result.stdout)


def test_the_program_exits_2_on_an_invalid_profile(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "symptoms: [tinglng]\n")
    result = _footmap("recommend", profile, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert "'tingling'" in result.stderr


# --- regressions: bugs found and fixed -------------------------------------------------------


def test_a_profile_that_is_not_utf8_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_bytes(b"\xff\xfe symptoms: []\n")
    code, _, err = run(capsys, "recommend", profile)
    assert code == 2
    assert "cannot read profile" in _one_line(err)


# --- every failure: one line on standard error, and its exit code -----------------------------


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("footmap: "), err
    return err


def test_a_profile_nested_too_deeply_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "[" * 20_000 + "]" * 20_000 + "\n")
    code, out, err = run(capsys, "recommend", profile)
    assert (code, out) == (2, "")
    assert f"cannot read profile {profile}" in _one_line(err)


@pytest.mark.parametrize("kind", ["missing", "directory", "symlink_loop", "not_utf8", "too_large"])
def test_a_profile_that_cannot_be_read_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "profile.yaml"
    says = {
        "missing": "No such file or directory",
        "directory": "Is a directory",
        "symlink_loop": "Too many levels of symbolic links",
        "not_utf8": "not UTF-8 text (byte 0xff at offset 0)",
        "too_large": "over 1,048,576 bytes",
    }[kind]
    if kind == "directory":
        path.mkdir()
    elif kind == "symlink_loop":
        path.symlink_to(tmp_path / "other.yaml")
        (tmp_path / "other.yaml").symlink_to(path)
    elif kind == "not_utf8":
        path.write_bytes(b"\xff\xfe symptoms: []\n")
    elif kind == "too_large":
        with path.open("wb") as sparse:
            sparse.truncate(50 * 1024 * 1024)  # 50 MB, refused by its size before any is read
    started = time.monotonic()
    code, out, err = run(capsys, "recommend", path)
    assert (code, out) == (2, "")
    assert f"cannot read profile {path}: {says}" in _one_line(err)
    assert time.monotonic() - started < 5


def test_a_profile_over_the_limit_on_stdin_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("#" * (2 * 1024 * 1024)))
    code, _, err = run(capsys, "recommend", "-")
    assert code == 2 and "standard input: over 1,048,576 bytes" in _one_line(err)


@pytest.mark.parametrize("kind", ["proc", "directory", "read_only_directory", "full_disk"])
def test_a_batch_output_that_cannot_be_written_exits_4(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"age": 40}\n', encoding="utf-8")
    if kind == "read_only_directory":
        if os.geteuid() == 0:
            pytest.skip("root writes into a read-only directory")
        (tmp_path / "ro").mkdir(mode=0o500)
    if kind == "full_disk" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    target, says = {
        "proc": ("/proc/footmap-out.jsonl", "No such file or directory"),
        "directory": (str(tmp_path), "Is a directory"),
        "read_only_directory": (str(tmp_path / "ro" / "out.jsonl"), "Permission denied"),
        "full_disk": ("/dev/full", "No space left on device"),
    }[kind]
    code, _, err = run(capsys, "batch", source, "-o", target, "--workers", "1")
    assert code == 4
    assert f"cannot write {target}: {says}" in _one_line(err)


@pytest.mark.parametrize("kind", ["missing", "directory", "symlink_loop", "same_as_output"])
def test_a_batch_input_that_cannot_be_read_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    if kind == "directory":
        source.mkdir()
    elif kind == "symlink_loop":
        source.symlink_to(tmp_path / "other")
        (tmp_path / "other").symlink_to(source)
    elif kind == "same_as_output":
        source.write_text('{"age": 40}\n', encoding="utf-8")
        target = source
    code, _, err = run(capsys, "batch", source, "-o", target)
    assert code == 2
    _one_line(err)
    if kind == "same_as_output":
        assert "is the input file" in err and source.read_text(encoding="utf-8") == '{"age": 40}\n'
    else:
        assert f"cannot read {source}" in err


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_standard_output_that_cannot_be_written_exits_4(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    code = main(["recommend", str(PROFILE)])
    assert code == 4
    assert "cannot write standard output: Broken pipe" in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("raised", "code", "says"),
    [
        (KeyboardInterrupt(), 130, "footmap: interrupted"),
        (RuntimeError("simulated\nbug"), 5, "internal error (RuntimeError: simulated bug); please report it"),
    ],
    ids=["ctrl_c", "a_bug"],
)
def test_no_exception_escapes_main(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    raised: BaseException,
    code: int,
    says: str,
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise raised

    monkeypatch.setattr("footmap._cli.recommend", fail)
    assert main(["recommend", str(PROFILE)]) == code
    assert says in _one_line(capsys.readouterr().err)


def test_the_exit_codes_are_documented_alike_in_the_cli_readme_and_batch_page() -> None:
    from footmap import _cli

    docstring = _cli.__doc__ or ""
    for code in ("0", "1", "2", "3", "4", "5", "130"):
        assert f"- {code}: " in docstring, code
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    batch = (REPO / "docs" / "batch.md").read_text(encoding="utf-8")
    for page in (readme, batch):
        assert "4 the output cannot be written" in page and "5 an internal error" in page
        assert "130 interrupted" in page


def test_scenario_files_nested_too_deeply_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    scenarios = write_profile(tmp_path, "[" * 20_000 + "]" * 20_000 + "\n")
    code, _, err = run(capsys, "knowledge", "test", scenarios)
    # Scenario errors list every problem after one summary line, like knowledge errors.
    assert code == 2 and err.startswith("footmap: 1 problem in the scenarios:\n")
    assert "nested more than 50 deep" in err and err.count("\n") == 2


def test_knowledge_check_release_fails_while_a_source_is_unverified(
    capsys: pytest.CaptureFixture[str],
) -> None:
    unverified = sorted(s.id for s in footmap.KnowledgeBase.load().knowledge.sources if not s.verified)
    assert unverified  # the shipped knowledge still has sources to verify (docs/knowledge.md)
    assert main(["knowledge", "check", "--release"]) == 1
    err = capsys.readouterr().err
    assert all(f"entry '{ident}', field 'verified'" in err for ident in unverified)
    assert "[unverified_source]" in err
    assert main(["knowledge", "check"]) == 0


# --- progress -----------------------------------------------------------------------------------

LOGS = REPO / "examples" / "logs"


@pytest.mark.parametrize("logs", ["logs.csv", "logs.json", "logs.jsonl"])
def test_progress_prints_text_by_default(capsys: pytest.CaptureFixture[str], logs: str) -> None:
    code, out, err = run(capsys, "progress", LOGS / logs)
    assert (code, err) == (0, "")
    assert out == footmap.progress(footmap.read_logs(LOGS / logs)).to_text()


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("md", lambda out: out.startswith("# Your progress")),
        ("html", lambda out: out.startswith('<div class="footmap-progress">') and "<svg" in out),
        ("svg", lambda out: out.startswith("<svg") and out.rstrip().endswith("</svg>")),
        ("json", lambda out: footmap.Progress.model_validate_json(out).adherence.sessions_done == 14),
        ("text", lambda out: out.startswith("Your progress: ")),
    ],
)
def test_progress_prints_each_format(
    capsys: pytest.CaptureFixture[str], fmt: str, check: Callable[[str], bool]
) -> None:
    code, out, err = run(capsys, "progress", LOGS / "logs.csv", "--format", fmt)
    assert (code, err) == (0, "") and check(out)


def test_progress_with_a_plan_counts_the_sessions_planned(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(expected_plan().model_dump_json(), encoding="utf-8")
    code, out, _ = run(capsys, "progress", LOGS / "logs.csv", "--plan", plan, "--format", "json")
    result = footmap.Progress.model_validate_json(out)
    assert code == 0 and result.adherence.sessions_planned == 16
    assert {item.id for item in result.items if item.in_plan} == {
        item.id for item in expected_plan().items if item.kind != "advice"
    }


def test_progress_lists_every_problem_of_invalid_logs_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    logs = tmp_path / "logs.csv"
    logs.write_text("date,item,sets\n2027-01-05,toe_walkng,2\n2027-02-30,toe_press,x\n", encoding="utf-8")
    code, out, err = run(capsys, "progress", logs)
    lines = err.splitlines()
    assert (code, out) == (2, "")
    assert lines[0] == f"footmap: 3 problems in {logs}:"
    assert lines[1].startswith(
        "  - line 2, column 'item': Unknown item 'toe_walkng'. Did you mean 'toe_walking'?"
    )
    assert lines[2].startswith("  - line 3, column 'date'") and lines[3].startswith(
        "  - line 3, column 'sets'"
    )


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda tmp: tmp / "missing.csv", "cannot read logs {path}: No such file or directory"),
        (lambda tmp: tmp, "cannot tell the log format from the suffix"),
        (lambda tmp: _written(tmp / "logs.csv", b"date\n\xff\n"), "line 2: not UTF-8 text (byte 0xff"),
    ],
    ids=["missing", "a_directory", "not_utf8"],
)
def test_progress_refuses_unreadable_logs_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make: Callable[[Path], Path], says: str
) -> None:
    path = make(tmp_path)
    code, out, err = run(capsys, "progress", path)
    assert (code, out) == (2, "")
    assert says.format(path=path) in err and len(err.strip().splitlines()) <= 2


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("plan", "says"),
    [("missing.json", "No such file or directory"), ("notaplan.json", "not a footmap plan in JSON")],
)
def test_progress_refuses_a_plan_it_cannot_read_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, plan: str, says: str
) -> None:
    (tmp_path / "notaplan.json").write_text('{"triage": "self_care"}', encoding="utf-8")
    code, out, err = run(capsys, "progress", LOGS / "logs.csv", "--plan", tmp_path / plan)
    assert (code, out) == (2, "")
    assert err.startswith(f"footmap: cannot read plan {tmp_path / plan}: ") and says in err
    assert err.count("\n") == 1


# --- footmap adjust ------------------------------------------------------------------------------


def _plan_file(tmp_path: Path, plan: footmap.Plan | None = None) -> Path:
    path = tmp_path / "plan.json"
    path.write_text((plan or expected_plan()).model_dump_json(), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["json", "md", "text"])
def test_adjust_prints_the_plan_adjusted_to_the_logs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    code, out, err = run(capsys, "adjust", _plan_file(tmp_path), LOGS / "logs.csv", "--format", fmt)
    adjusted = footmap.adjust(expected_plan(), footmap.read_logs(LOGS / "logs.csv"))
    assert (code, err) == (0, "")
    assert out == footmap.render.render(adjusted, fmt) + "\n"


def test_adjust_writes_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "adjusted.json"
    code, out, err = run(
        capsys, "adjust", _plan_file(tmp_path), LOGS / "logs.json", "--format", "json", "-o", out_file
    )
    assert (code, out, err) == (0, "", "")
    assert footmap.Plan.model_validate_json(out_file.read_text(encoding="utf-8")).profile is not None


def test_adjust_refuses_bad_inputs_in_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    not_a_plan = tmp_path / "not.json"
    not_a_plan.write_text("{}", encoding="utf-8")
    code, _, err = run(capsys, "adjust", not_a_plan, LOGS / "logs.csv")
    assert code == 2 and err.startswith("footmap: cannot read plan") and err.count("\n") == 1
    other = expected_plan().model_copy(update={"knowledge": "0000000000000000"})
    code, _, err = run(capsys, "adjust", _plan_file(tmp_path, other), LOGS / "logs.csv")
    assert code == 2 and "knowledge=" in err and err.count("\n") == 1
    code, _, err = run(capsys, "adjust", _plan_file(tmp_path), tmp_path / "missing.csv")
    assert code == 2 and err.startswith("footmap: cannot read logs") and err.count("\n") == 1


# --- footmap --version, recommend -o FILE -------------------------------------------------------


def test_version_prints_footmap_and_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr() == (f"footmap {footmap.__version__}\n", "")


def test_the_program_prints_its_version(tmp_path: Path) -> None:
    result = _footmap("--version", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"footmap {footmap.__version__}\n", "")


#: Every renderer that needs no option, and the two that do with theirs.
OUTPUT_OPTIONS: dict[str, list[str]] = {
    **{r.name: [] for r in footmap.render.renderers() if not r.options},
    "ics": ["--start", "2026-01-05"],
    "fhir": ["--subject", "Patient/1"],
}


@pytest.mark.parametrize("fmt", sorted(OUTPUT_OPTIONS))
def test_recommend_writes_each_format_to_the_output_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    if fmt == "fhir":
        pytest.importorskip("fhir.resources", reason="the fhir extra is not installed")
    argv = ["recommend", PROFILE, "--format", fmt, *OUTPUT_OPTIONS[fmt]]
    code, printed, _ = run(capsys, *argv)
    assert code == 0
    target = tmp_path / f"plan.{fmt}"
    assert run(capsys, *argv, "-o", target) == (0, "", "")
    assert target.read_bytes() == printed.encode("utf-8")
    assert sorted(tmp_path.iterdir()) == [target]  # no temporary file left beside it


def test_recommend_to_a_file_is_markdown_by_default_even_at_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    target = tmp_path / "plan.md"
    assert run(capsys, "recommend", PROFILE, "-o", target)[0] == 0
    assert target.read_text(encoding="utf-8") == expected_plan().to_markdown() + "\n"
    assert run(capsys, "recommend", PROFILE, "-o", "-")[1].startswith("Your foot plan\n")  # '-': stdout


@pytest.mark.parametrize("kind", ["missing_directory", "directory", "read_only_directory"])
def test_recommend_to_a_file_it_cannot_write_exits_4_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    if kind == "read_only_directory":
        if os.geteuid() == 0:
            pytest.skip("root writes into a read-only directory")
        (tmp_path / "ro").mkdir(mode=0o500)
    target, says = {
        "missing_directory": (tmp_path / "nowhere" / "plan.md", "No such file or directory"),
        "directory": (tmp_path, "Is a directory"),
        "read_only_directory": (tmp_path / "ro" / "plan.md", "Permission denied"),
    }[kind]
    code, out, err = run(capsys, "recommend", PROFILE, "-o", target)
    assert (code, out) == (4, "")
    assert f"footmap: cannot write {target}: {says}" in _one_line(err)


def test_recommend_to_a_file_leaves_the_old_file_whole_when_the_write_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "plan.md"
    target.write_text("the old plan\n", encoding="utf-8")

    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    code, _, err = run(capsys, "recommend", PROFILE, "-o", target)
    assert code == 4 and f"cannot write {target}: No space left on device" in _one_line(err)
    assert target.read_text(encoding="utf-8") == "the old plan\n"
    assert sorted(tmp_path.iterdir()) == [target]


def test_recommend_replaces_a_file_keeping_its_mode_and_the_link_to_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert run(capsys, "recommend", PROFILE, "-o", link)[0] == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8") == expected_plan().to_markdown() + "\n"
    assert real.stat().st_mode & 0o777 == 0o640


def test_recommend_writes_a_device_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/dev/null").is_char_device():
        pytest.skip("no /dev/null here")
    assert run(capsys, "recommend", PROFILE, "-o", "/dev/null") == (0, "", "")
    assert Path("/dev/null").is_char_device()  # written, not replaced by a file
