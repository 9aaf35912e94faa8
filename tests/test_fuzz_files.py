"""Fuzzing the files the ``footmap`` command reads: profiles, session logs and saved plans.

Whatever bytes a file holds (random bytes, a valid file with bytes changed, cut or spliced, any
JSON or YAML structure), the command ends with a documented exit code and, on failure, says so
on standard error in a line that starts ``footmap: ``; no traceback, no other exception, no
crash. CI runs the profile's examples (150 a property); ``HYPOTHESIS_PROFILE=thorough`` runs
10,000 (``docs/reliability.md``, "Fuzzing").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footmap._cli import main

REPO = Path(__file__).resolve().parents[1]
PROFILES = sorted((REPO / "examples" / "profiles").glob("*.yaml"))
LOGS = REPO / "examples" / "logs"

#: Every exit code a run over a readable, writable set of files may end with (docs/cli.md):
#: 0 a result, 2 an input it refuses. 1 (knowledge), 4 (output) and 5 (a bug) must not appear.
DOCUMENTED = {0, 2}

_FILES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _scalars() -> st.SearchStrategy[object]:
    return (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=12)
        | st.sampled_from(["back", "knee", "tingling", "left", "both", "easy", "2027-01-05", "NaN", "1e-05"])
    )


def _keys() -> st.SearchStrategy[str]:
    known = [
        "pains",
        "area",
        "severity",
        "weeks",
        "side",
        "symptoms",
        "age",
        "conditions",
        "items",
        "id",
        "date",
    ]
    return st.sampled_from(known) | st.text(max_size=8)


_STRUCTURES = st.recursive(
    _scalars(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys(), inner, max_size=5),
    max_leaves=25,
)


@st.composite
def _damaged(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with a few of its bytes replaced, deleted, duplicated or inserted, or cut short."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["replace", "delete", "insert", "repeat", "cut"]))
        chunk = draw(
            st.binary(min_size=1, max_size=4)
            | st.sampled_from([b"\x00", b"\xff", b"&a", b"*a", b"[", b"{", b'"', b"\n", b",", b":"])
        )
        if action == "replace":
            data[at : at + len(chunk)] = chunk
        elif action == "delete":
            del data[at : at + len(chunk)]
        elif action == "insert":
            data[at:at] = chunk
        elif action == "repeat":
            data[at:at] = data[at : at + 16] * draw(st.integers(1, 3))
        else:
            del data[at:]
    return bytes(data)


def _contents(originals: list[bytes]) -> st.SearchStrategy[bytes]:
    structured = _STRUCTURES.flatmap(
        lambda data: st.sampled_from(
            [json.dumps(data).encode(), yaml.safe_dump(data, allow_unicode=True).encode("utf-8")]
        )
    )
    damaged = st.sampled_from(originals).flatmap(_damaged)
    return st.binary(max_size=200) | structured | damaged


def _ends_as_documented(code: int, err: str) -> None:
    assert code in DOCUMENTED, err
    assert "Traceback" not in err
    if code:
        assert err.startswith("footmap: "), err
        assert "internal error" not in err, err


_PROFILE_BYTES = [path.read_bytes() for path in PROFILES]


@_FILES
@given(content=_contents(_PROFILE_BYTES), suffix=st.sampled_from([".yaml", ".json", ".yml", ""]))
def test_any_profile_file_ends_in_a_plan_or_a_clear_refusal(
    capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory, content: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("profile") / f"profile{suffix}"
    path.write_bytes(content)
    code = main(["recommend", str(path), "--format", "json"])
    _ends_as_documented(code, capsys.readouterr().err)


_LOG_FILES = sorted(LOGS.iterdir())


@_FILES
@given(
    original=st.sampled_from(_LOG_FILES),
    data=st.data(),
)
def test_any_log_file_ends_in_progress_or_a_clear_refusal(
    capsys: pytest.CaptureFixture[str],
    tmp_path_factory: pytest.TempPathFactory,
    original: Path,
    data: st.DataObject,
) -> None:
    content = data.draw(st.binary(max_size=200) | _damaged(original.read_bytes()))
    path = tmp_path_factory.mktemp("logs") / original.name
    path.write_bytes(content)
    code = main(["progress", str(path), "--format", "json"])
    _ends_as_documented(code, capsys.readouterr().err)


@pytest.fixture(scope="module")
def saved_plan() -> bytes:
    import footmap

    profile = yaml.safe_load(PROFILES[0].read_text(encoding="utf-8"))
    return footmap.recommend(profile).model_dump_json().encode()


@_FILES
@given(data=st.data())
def test_any_plan_file_ends_in_an_adjusted_plan_or_a_clear_refusal(
    capsys: pytest.CaptureFixture[str],
    tmp_path_factory: pytest.TempPathFactory,
    saved_plan: bytes,
    data: st.DataObject,
) -> None:
    content = data.draw(_damaged(saved_plan) | _STRUCTURES.map(lambda value: json.dumps(value).encode()))
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_bytes(content)
    code = main(["adjust", str(path), str(LOGS / "logs.csv"), "--format", "json"])
    _ends_as_documented(code, capsys.readouterr().err)
