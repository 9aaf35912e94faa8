"""Session logs: every field's errors, every file format, line numbers, round trips and limits."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import ErrorDetails

import footmap
from footmap._input import log_files
from footmap._input.log_files import CSV_COLUMNS, logs_text, parse_logs
from footmap._input.logs import MAX_COUNT, MAX_LIST, MAX_NOTE, MAX_SECONDS, MAX_SESSIONS
from footmap._input.profile import MAX_FIELDS, MAX_TEXT
from tests.strategies import log_files as log_file_contents
from tests.strategies import session_log_dicts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "logs"
GOOD = {
    "date": "2027-01-05",
    "items": [{"id": "toe_walking", "sets": 5}],
    "pain": [{"area": "back", "before": 3, "after": 7}],
}


def _errors(data: dict[str, Any]) -> dict[tuple[int | str, ...], ErrorDetails]:
    with pytest.raises(ValidationError) as raised:
        footmap.SessionLog.model_validate(data)
    errors = raised.value.errors(include_url=False)
    by_loc = {error["loc"]: error for error in errors}
    assert len(by_loc) == len(errors), "two errors at one loc"
    return by_loc


def _with(**fields: Any) -> dict[str, Any]:
    return {**GOOD, **fields}


# --- the model ----------------------------------------------------------------------------------


def test_the_contract_as_a_user_writes_it() -> None:
    log = footmap.SessionLog(
        date="2027-01-05",  # type: ignore[arg-type]
        items=[{"id": "toe_walking", "sets": 5}],  # type: ignore[list-item]
        pain=[{"area": "back", "before": 3, "after": 7, "next_morning": 6}],  # type: ignore[list-item]
        difficulty="hard",
        new_symptoms=[],
    )
    assert log.date == datetime.date(2027, 1, 5)
    assert (log.items[0].id, log.items[0].sets, log.items[0].skipped) == ("toe_walking", 5, False)
    assert (log.pain[0].before, log.pain[0].after, log.pain[0].next_morning) == (3, 7, 6)
    assert log.key == (datetime.date(2027, 1, 5), 1) and log.done


def test_a_date_object_and_its_string_are_the_same_log() -> None:
    assert footmap.SessionLog.model_validate(
        _with(date=datetime.date(2027, 1, 5))
    ) == footmap.SessionLog.model_validate(GOOD)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2027-02-30", "day is out of range for month"),
        ("2027-13-01", "month must be in 1..12"),
        ("2027-02-29", "day is out of range for month"),  # 2027 is no leap year
        ("2027-1-5", "not YYYY-MM-DD"),
        ("20270105", "not YYYY-MM-DD"),
        ("2027-W01-1", "not YYYY-MM-DD"),
        ("05/01/2027", "not YYYY-MM-DD"),
        ("2027-01-05T10:00", "a date and time"),
        ("", "not YYYY-MM-DD"),
    ],
)
def test_an_impossible_or_malformed_date_is_named(value: str, says: str) -> None:
    error = _errors(_with(date=value))[("date",)]
    assert error["type"] == "footmap.invalid_date"
    assert error["ctx"]["value"] == value and says in error["msg"]
    assert "YYYY-MM-DD" in error["msg"]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (datetime.datetime(2027, 1, 5, 10), "footmap.invalid_date"),
        (20270105, "date_type"),
        (None, "date_type"),
        (True, "date_type"),
    ],
)
def test_a_date_of_the_wrong_type_is_refused(value: object, kind: str) -> None:
    assert _errors(_with(date=value))[("date",)]["type"] == kind


def test_a_leap_day_is_a_date() -> None:
    assert footmap.SessionLog.model_validate(_with(date="2028-02-29")).date == datetime.date(2028, 2, 29)


@pytest.mark.parametrize(
    ("data", "loc", "nearest"),
    [
        (_with(items=[{"id": "toe_walkng"}]), ("items", 0, "id"), "toe_walking"),
        (_with(pain=[{"area": "bak", "before": 1, "after": 1}]), ("pain", 0, "area"), "back"),
        (_with(new_symptoms=["stiffness", "tinglng"]), ("new_symptoms", 1), "tingling"),
        (_with(dificulty="hard"), ("dificulty",), "difficulty"),
        (_with(items=[{"id": "toe_walking", "rpes": 3}]), ("items", 0, "rpes"), "reps"),
        (
            _with(pain=[{"area": "back", "before": 1, "after": 1, "nextmorning": 2}]),
            ("pain", 0, "nextmorning"),
            "next_morning",
        ),
    ],
)
def test_an_unknown_id_or_field_names_the_nearest_and_the_allowed(
    data: dict[str, Any], loc: tuple[int | str, ...], nearest: str
) -> None:
    error = _errors(data)[loc]
    assert error["type"] in {"footmap.unknown_value", "footmap.unknown_field"}
    assert error["ctx"]["suggestion"] == nearest and nearest in error["ctx"]["allowed"]
    assert f"Did you mean {nearest!r}?" in error["msg"]
    assert json.dumps(error["ctx"])  # plain JSON


def test_red_flags_are_symptoms_a_log_may_report(kb: footmap.KnowledgeBase) -> None:
    red_flags = sorted(
        ident for (vocabulary, ident), term in kb.terms.items() if vocabulary == "symptoms" and term.red_flag
    )
    assert red_flags
    log = footmap.SessionLog.model_validate(_with(new_symptoms=[*red_flags, red_flags[0]]))
    assert log.new_symptoms == red_flags  # sorted, de-duplicated


def test_items_are_checked_against_the_given_knowledge(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="Unknown symptom 'heel_ache'"):
        footmap.SessionLog.model_validate(_with(new_symptoms=["heel_ache"]))
    (tmp_path / "vocabulary.yaml").write_text(
        "symptoms:\n  - {id: heel_ache, name: Heel ache}\n", encoding="utf-8"
    )
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    log = footmap.SessionLog.model_validate(_with(new_symptoms=["heel_ache"]), context={"knowledge": kb})
    assert log.new_symptoms == ["heel_ache"]


@pytest.mark.parametrize(
    ("data", "loc", "kind"),
    [
        (_with(pain=[{"area": "back", "before": True, "after": 1}]), ("pain", 0, "before"), "int_type"),
        (_with(pain=[{"area": "back", "before": 3.5, "after": 1}]), ("pain", 0, "before"), "int_type"),
        (_with(pain=[{"area": "back", "before": "3", "after": 1}]), ("pain", 0, "before"), "int_type"),
        (_with(pain=[{"area": "back", "before": 11, "after": 1}]), ("pain", 0, "before"), "less_than_equal"),
        (
            _with(pain=[{"area": "back", "before": 1, "after": -1}]),
            ("pain", 0, "after"),
            "greater_than_equal",
        ),
        (
            _with(pain=[{"area": "back", "before": 1, "after": 1, "next_morning": 10.0}]),
            ("pain", 0, "next_morning"),
            "int_type",
        ),
        (_with(pain=[{"area": "back", "after": 1}]), ("pain", 0, "before"), "missing"),
        (
            _with(pain=[{"area": "back", "before": 1, "after": 1, "side": "middle"}]),
            ("pain", 0, "side"),
            "literal_error",
        ),
        (_with(items=[{"id": "toe_walking", "sets": "3"}]), ("items", 0, "sets"), "int_type"),
        (_with(items=[{"id": "toe_walking", "reps": 2.5}]), ("items", 0, "reps"), "int_type"),
        (_with(items=[{"id": "toe_walking", "holds": -1}]), ("items", 0, "holds"), "greater_than_equal"),
        (
            _with(items=[{"id": "toe_walking", "sets": MAX_COUNT + 1}]),
            ("items", 0, "sets"),
            "less_than_equal",
        ),
        (
            _with(items=[{"id": "toe_walking", "seconds": MAX_SECONDS + 1}]),
            ("items", 0, "seconds"),
            "less_than_equal",
        ),
        (_with(items=[{"id": "toe_walking", "skipped": "no"}]), ("items", 0, "skipped"), "bool_type"),
        (_with(items=[{"id": "toe_walking", "skipped": 0}]), ("items", 0, "skipped"), "bool_type"),
        (_with(items=[{"sets": 3}]), ("items", 0, "id"), "missing"),
        (_with(difficulty="hrad"), ("difficulty",), "literal_error"),
        (_with(session=0), ("session",), "greater_than_equal"),
        (_with(session=MAX_SESSIONS + 1), ("session",), "less_than_equal"),
        (_with(session=True), ("session",), "int_type"),
        (_with(note=5), ("note",), "string_type"),
        (_with(note="x" * (MAX_NOTE + 1)), ("note",), "string_too_long"),
        (_with(items=[{"id": "x" * (MAX_TEXT + 1)}]), ("items", 0, "id"), "string_too_long"),
        (_with(new_symptoms=["stiffness"] * (MAX_LIST + 1)), ("new_symptoms",), "too_long"),
        (_with(items=[{"id": "toe_walking"}] * (MAX_LIST + 1)), ("items",), "too_long"),
        ({"items": []}, ("date",), "missing"),
    ],
)
def test_every_field_refuses_what_it_does_not_take(
    data: dict[str, Any], loc: tuple[int | str, ...], kind: str
) -> None:
    assert _errors(data)[loc]["type"] == kind


def test_every_problem_is_reported_at_once() -> None:
    errors = _errors(
        {
            "date": "2027-02-30",
            "items": [{"id": "toe_walkng", "sets": True}, {"id": "toe_walking", "skipped": True, "sets": 2}],
            "pain": [{"area": "bak", "before": 11, "after": 1}],
            "new_symptoms": ["tinglng"],
            "difficulty": "hrad",
            "notes": "typo",
        }
    )
    assert set(errors) == {
        ("date",),
        ("items", 0, "id"),
        ("items", 0, "sets"),
        ("items", 1),
        ("pain", 0, "area"),
        ("pain", 0, "before"),
        ("new_symptoms", 0),
        ("difficulty",),
        ("notes",),
    }
    assert errors[("items", 1)]["type"] == "footmap.skipped_with_dose"
    assert errors[("notes",)]["ctx"]["suggestion"] == "note"


def test_one_item_once_per_log() -> None:
    errors = _errors(
        _with(items=[{"id": "toe_walking"}, {"id": "toe_press"}, {"id": "toe_walking", "sets": 2}])
    )
    error = errors[("items", 2, "id")]
    assert error["type"] == "footmap.duplicate_entry" and error["ctx"]["first"] == 0
    assert "given twice" in error["msg"]


def test_one_pain_per_area_and_side_per_log() -> None:
    pain = {"area": "knee", "before": 1, "after": 1}
    footmap.SessionLog.model_validate(_with(pain=[pain, {**pain, "side": "left"}, {**pain, "side": "right"}]))
    errors = _errors(_with(pain=[{**pain, "side": "left"}, pain, {**pain, "side": "left", "before": 4}]))
    assert set(errors) == {("pain", 2, "area")}
    assert errors[("pain", 2, "area")]["ctx"] == {"what": "pain area", "first": 0, "value": "knee (left)"}


def test_a_duplicate_is_reported_with_the_other_problems() -> None:
    errors = _errors(_with(items=[{"id": "toe_walking", "sets": -1}, {"id": "toe_walking"}], dificulty="ok"))
    assert set(errors) == {("items", 0, "sets"), ("items", 1, "id"), ("dificulty",)}


def test_lists_are_sorted_so_equal_logs_are_equal() -> None:
    one = footmap.SessionLog.model_validate(
        _with(items=[{"id": "toe_walking"}, {"id": "ankle_circles"}], new_symptoms=["tingling", "stiffness"])
    )
    other = footmap.SessionLog.model_validate(
        _with(
            items=[{"id": "ankle_circles"}, {"id": "toe_walking"}],
            new_symptoms=["stiffness", "tingling", "stiffness"],
        )
    )
    assert one == other and [item.id for item in one.items] == ["ankle_circles", "toe_walking"]


def test_the_limits_hold_at_their_edge() -> None:
    symptoms = ["stiffness"] * MAX_LIST
    log = footmap.SessionLog.model_validate(
        _with(
            new_symptoms=symptoms,
            note="x" * MAX_NOTE,
            session=MAX_SESSIONS,
            items=[{"id": "toe_walking", "sets": MAX_COUNT, "seconds": MAX_SECONDS}],
        )
    )
    assert log.items[0].dose == {"sets": MAX_COUNT, "seconds": MAX_SECONDS}


def test_a_flood_of_unknown_fields_is_one_error() -> None:
    errors = _errors({**GOOD, **{f"field{n}": n for n in range(MAX_FIELDS)}})
    assert list(errors) == [()] and errors[()]["type"] == "too_long"


# --- files --------------------------------------------------------------------------------------


def _problems(tmp_path: Path, name: str, text: str) -> list[footmap.LogProblem]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(footmap.InvalidLogError) as raised:
        footmap.read_logs(path)
    assert str(path) in str(raised.value) and raised.value.file == str(path)
    return raised.value.problems


@pytest.mark.parametrize("name", ["logs.json", "logs.jsonl", "logs.ndjson", "logs.csv"])
def test_the_example_files_read_the_same(name: str) -> None:
    expected = footmap.read_logs(EXAMPLES / "logs.json")
    assert len(expected) >= 14
    assert (
        footmap.read_logs(EXAMPLES / name if name != "logs.ndjson" else EXAMPLES / "logs.jsonl") == expected
    )


def test_a_json_file_may_hold_one_log(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    assert footmap.read_logs(path) == [footmap.SessionLog.model_validate(GOOD)]


def test_json_problems_are_named_by_line_and_field(tmp_path: Path) -> None:
    logs = [
        GOOD,
        {**GOOD, "date": "2027-01-06", "items": [{"id": "toe_walkng", "sets": "5"}]},
        {**GOOD, "date": "2027-02-30"},
    ]
    problems = _problems(tmp_path, "logs.json", json.dumps(logs, indent=2))
    text = json.dumps(logs, indent=2)
    second = text[: text.index('"2027-01-06"')].count("\n")  # the line of the second log's "{"
    assert [(p.line, p.field, p.type) for p in problems] == [
        (second, "items.0.id", "footmap.unknown_value"),
        (second, "items.0.sets", "int_type"),
        (text[: text.index('"2027-02-30"')].count("\n"), "date", "footmap.invalid_date"),
    ]


def test_jsonl_problems_are_named_by_line(tmp_path: Path) -> None:
    lines = [
        json.dumps(GOOD),
        "",
        "[1]",
        "{not json",
        json.dumps({**GOOD, "date": "2027-01-07", "pain": [{"area": "back", "before": 12, "after": 1}]}),
        json.dumps(GOOD) + " {}",
    ]
    problems = _problems(tmp_path, "logs.jsonl", "\n".join(lines) + "\n")
    assert [(p.line, p.field) for p in problems] == [(3, ""), (4, ""), (5, "pain.0.before"), (6, "")]
    assert "expected a JSON object" in problems[0].message and "invalid JSON" in problems[1].message
    assert "extra data" in problems[3].message


def test_a_second_log_for_one_session_is_refused_with_both_lines(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, "logs.jsonl", f"{json.dumps(GOOD)}\n{json.dumps({**GOOD, 'note': 'again'})}\n"
    )
    assert [(p.line, p.field) for p in problems] == [(2, "")]
    assert "the first is on line 1" in problems[0].message
    two = [GOOD, {**GOOD, "session": 2}]
    path = tmp_path / "two.json"
    path.write_text(json.dumps(two), encoding="utf-8")
    assert [log.session for log in footmap.read_logs(path)] == [1, 2]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty file"),
        ("[1, 2", "expected a JSON object"),
        ('[{"date": "2027-01-05"} {"date": "2027-01-06"}]', "expected ','"),
        ('[{"date": "2027-01-05"}] x', "extra data after the list"),
        ('{"date": "2027-01-05", "date": "2027-01-06"}', "duplicate key 'date'"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
        ('"a log"', "got a string"),
    ],
)
def test_a_broken_json_file_says_why(tmp_path: Path, text: str, says: str) -> None:
    problems = _problems(tmp_path, "logs.json", text)
    assert any(says in problem.message for problem in problems), problems


CSV_HEADER = (
    "date,session,item,sets,reps,holds,seconds,skipped,"
    "area,side,before,after,next_morning,difficulty,new_symptoms,note\n"
)


def test_csv_rows_of_one_date_merge_into_one_log(tmp_path: Path) -> None:
    path = tmp_path / "logs.csv"
    path.write_text(
        "date,item,sets,reps,skipped,area,side,before,after,difficulty,new_symptoms,note\n"
        "2027-01-05,toe_walking,5,,,back,,3,7,hard,tingling,calves\n"
        "2027-01-05,toe_press,2,10,,knee,left,2,2,,stiffness; tingling,\n"
        "2027-01-06,ankle_circles,,,yes,,,,,,,\n"
        ",,,,,,,,,,,\n",
        encoding="utf-8",
    )
    first, second = footmap.read_logs(path)
    assert [item.id for item in first.items] == ["toe_press", "toe_walking"]
    assert [pain.complaint for pain in first.pain] == [("back", ""), ("knee", "left")]
    assert (first.difficulty, first.new_symptoms, first.note) == ("hard", ["stiffness", "tingling"], "calves")
    assert second.items[0].skipped and not second.done


def test_csv_problems_are_named_by_line_and_column(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        "logs.csv",
        CSV_HEADER
        + "2027-01-05,,toe_walkng,2.5,,,,maybe,bak,,11,,,,tinglng,\n"  # line 2
        + "2027-01-05,,,3,,,,,,,,,,easy,,\n"  # line 3
        + "2027-01-05,,,,,,,,,,,,,hard,,\n"  # line 4
        + '2027-02-30,,toe_press,,,,,,,,,,,,,"multi\nline"\n'  # lines 5-6
        + ",,toe_press,,,,,,,,,,,,,\n"  # line 7
        + "2027-01-08,x,toe_press,,,,,,,,,,,,,\n"  # line 8
        + "2027-01-09,,,,,,,,,,1,,,,,\n",  # line 9
    )
    found = [(p.line, p.field) for p in problems]
    assert found == [
        (2, "column 'item'"),
        (2, "column 'sets'"),
        (2, "column 'skipped'"),
        (2, "column 'area'"),
        (2, "column 'before'"),
        (2, "column 'after'"),
        (2, "column 'new_symptoms'"),
        (3, "column 'item'"),
        (4, "column 'difficulty'"),
        (5, "column 'date'"),
        (7, "column 'date'"),
        (8, "column 'session'"),
        (9, "column 'area'"),
    ]
    assert "differs from the difficulty on line 3" in problems[8].message
    assert "sets given without an item" in problems[7].message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty file"),
        ("item,sets\ntoe_walking,2\n", "no 'date' column"),
        ("date,itme\n2027-01-05,toe_walking\n", "Unknown column 'itme'. Did you mean 'item'?"),
        ("date,date\n2027-01-05,2027-01-05\n", "named twice"),
        ("date,item\n2027-01-05,toe_walking,extra\n", "3 cells, but the header names 2"),
        ('date,note\n2027-01-05,"open\n', "invalid CSV"),
        ('date,note\n2027-01-05,"a"b\n', "invalid CSV"),
    ],
)
def test_a_broken_csv_file_says_why(tmp_path: Path, text: str, says: str) -> None:
    problems = _problems(tmp_path, "logs.csv", text)
    assert any(says in problem.message for problem in problems), problems


def test_a_spreadsheets_byte_order_mark_and_crlf_are_read(tmp_path: Path) -> None:
    path = tmp_path / "logs.csv"
    path.write_bytes("\ufeffdate,item,sets\r\n2027-01-05,toe_walking,2\r\n".encode())
    assert footmap.read_logs(path)[0].items[0].sets == 2


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "logs.csv"
    path.write_bytes(b"date,note\n2027-01-05,ok\n2027-01-06,caf\xe9\n")
    with pytest.raises(footmap.InvalidLogError) as raised:
        footmap.read_logs(path)
    (problem,) = raised.value.problems
    assert problem.line == 3 and "not UTF-8" in problem.message and "0xe9" in problem.message


def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_files, "MAX_LOG_BYTES", 100)
    path = tmp_path / "logs.jsonl"
    path.write_text(json.dumps(GOOD) * 3, encoding="utf-8")
    with pytest.raises(footmap.InvalidLogError, match="over 100 bytes"):
        footmap.read_logs(path)


@pytest.mark.parametrize("log_format", ["json", "jsonl", "csv"])
def test_a_file_holds_at_most_max_logs(
    monkeypatch: pytest.MonkeyPatch, log_format: log_files.LogFormat
) -> None:
    monkeypatch.setattr(log_files, "MAX_LOGS", 3)
    logs = [footmap.SessionLog(date=datetime.date(2027, 1, day)) for day in range(1, 6)]
    with pytest.raises(footmap.InvalidLogError, match="over 3 logs"):
        parse_logs(logs_text(logs, log_format), log_format)


def test_an_unknown_suffix_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(
        footmap.InvalidLogError, match=r"suffix '\.txt': use \.csv, \.json, \.jsonl, \.ndjson"
    ):
        footmap.read_logs(tmp_path / "logs.txt")


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        footmap.read_logs(tmp_path / "missing.csv")


def test_logs_are_read_against_the_given_knowledge(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "vocabulary.yaml").write_text(
        "pain_areas:\n  - {id: shin, name: Shin pain}\n", encoding="utf-8"
    )
    kb = footmap.KnowledgeBase.load(tmp_path / "kb", overlay=True)
    path = tmp_path / "logs.csv"
    path.write_text("date,area,before,after\n2027-01-05,shin,2,3\n", encoding="utf-8")
    assert footmap.read_logs(path, knowledge=kb)[0].pain[0].area == "shin"
    with pytest.raises(footmap.InvalidLogError, match="Unknown pain area 'shin'"):
        footmap.read_logs(path)


def test_writing_refuses_two_logs_of_one_session(tmp_path: Path) -> None:
    log = footmap.SessionLog.model_validate(GOOD)
    with pytest.raises(footmap.InvalidLogError, match="logs 0 and 1 are both 2027-01-05, session 1"):
        footmap.write_logs([log, log], tmp_path / "logs.csv")
    assert not (tmp_path / "logs.csv").exists()


def test_a_note_that_looks_like_a_formula_is_written_as_text() -> None:
    log = footmap.SessionLog.model_validate({"date": "2027-01-05", "note": '=HYPERLINK("x")'})
    text = logs_text([log], "csv")
    assert list(csv.reader(io.StringIO(text)))[1][-1] == '\'=HYPERLINK("x")'
    assert parse_logs(text, "csv") == [log]


def test_the_csv_header_lists_every_column_once() -> None:
    text = logs_text([footmap.SessionLog.model_validate(GOOD)], "csv")
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS) == CSV_HEADER.strip()


# --- round trips --------------------------------------------------------------------------------


# One property over the formats, not one per format: the same examples spread over all four.
@given(logs=log_file_contents(), suffix=st.sampled_from([".json", ".jsonl", ".ndjson", ".csv"]))
def test_any_logs_round_trip_through_every_format(
    tmp_path_factory: pytest.TempPathFactory, suffix: str, logs: list[footmap.SessionLog]
) -> None:
    path = tmp_path_factory.mktemp("logs") / f"logs{suffix}"
    footmap.write_logs(logs, path)
    assert footmap.read_logs(path) == logs


@given(data=session_log_dicts())
def test_any_generated_log_validates_and_dumps_back_to_itself(data: dict[str, Any]) -> None:
    log = footmap.SessionLog.model_validate(data)
    assert footmap.SessionLog.model_validate(log.model_dump()) == log
    assert footmap.SessionLog.model_validate_json(log.model_dump_json()) == log
