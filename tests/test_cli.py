"""The ``footmap`` command: formats, exit codes (0 ok, 1 invalid knowledge, 2 invalid input)."""

from __future__ import annotations

import io
import subprocess
import sys
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
    "text": lambda out: "Triage:" in out,
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
    assert "cannot read profile" in err
