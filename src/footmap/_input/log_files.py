"""Session log files: read and written as JSON, JSON lines and CSV, every problem named by line.

The format is the file's suffix: ``.json`` (a list of logs, or one log), ``.jsonl`` or
``.ndjson`` (one log per line; blank lines are skipped) and ``.csv`` (the layout below). A file
holds at most one log per date and session.

The CSV layout, one header row and then any number of rows, each a row a person can type into a
spreadsheet::

    date,session,item,sets,reps,holds,seconds,skipped,area,side,before,after,next_morning,difficulty,new_symptoms,note
    2027-01-05,,toe_walking,5,,,30,,back,,3,7,6,hard,,felt it in the calves
    2027-01-05,,toe_press,2,10,,,,,,,,,,,
    2027-01-06,,toe_walking,,,,,true,back,,4,4,,ok,,

- Only ``date`` is required; leave out any other column. Cells are trimmed, except ``note``'s.
- Rows with the same ``date`` (and ``session``: blank is 1, the first of the day) are one log.
- A row may hold one item (``item`` and its ``sets``, ``reps``, ``holds``, ``seconds``,
  ``skipped``), one pain (``area``, ``side``, ``before``, ``after``, ``next_morning``), both, or
  neither. ``skipped`` is ``true``/``false`` (or ``yes``/``no``; blank is false).
- ``difficulty`` and ``note`` belong to the log: give each on one of its rows (or the same on
  several). ``new_symptoms`` lists symptom ids separated by ``;``, on any of its rows.
- A note that starts with ``=``, ``+``, ``-``, ``@`` or a tab is written after a ``'``, so that
  a spreadsheet shows it as text instead of running it as a formula; reading drops that ``'``.

Errors name the file, the line and the field (the ``items.0.sets`` path in JSON, the column in
CSV), all at once, in an :class:`~footmap.InvalidLogError`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from footmap._errors import InvalidLogError, LogProblem
from footmap._input.files import Unreadable, read_text
from footmap._input.logs import DOSE_FIELDS, SessionLog
from footmap._input.profile import UNKNOWN_FIELD
from footmap._knowledge.base import KnowledgeBase, shipped_knowledge
from footmap._suggest import did_you_mean

LogFormat = Literal["json", "jsonl", "csv"]
#: The log format of each file suffix.
SUFFIXES: dict[str, LogFormat] = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}

#: The largest log file ``read_logs`` reads (bytes); a larger one is refused unread.
MAX_LOG_BYTES = 8 << 20
#: The most logs one file may hold (27 years of daily sessions).
MAX_LOGS = 10_000

#: The CSV columns, in the order ``write_logs`` writes them.
CSV_COLUMNS: tuple[str, ...] = (
    "date",
    "session",
    "item",
    *DOSE_FIELDS,
    "skipped",
    "area",
    "side",
    "before",
    "after",
    "next_morning",
    "difficulty",
    "new_symptoms",
    "note",
)
_ITEM_COLUMNS = (*DOSE_FIELDS, "skipped")
_PAIN_COLUMNS = ("side", "before", "after", "next_morning")
_INTEGER = re.compile(r"[+-]?\d{1,18}")
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_TRUE, _FALSE = frozenset({"true", "yes"}), frozenset({"false", "no"})


def read_logs(path: str | Path, knowledge: KnowledgeBase | None = None) -> list[SessionLog]:
    """The session logs in a ``.json``, ``.jsonl`` / ``.ndjson`` or ``.csv`` file, in file order.

    Every problem in the file is reported at once, each with its line, in an
    :class:`~footmap.InvalidLogError`; a file that cannot be opened raises ``OSError``. Ids are
    checked against ``knowledge`` (the shipped knowledge by default). See ``docs/programme.md``
    for the three layouts.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "logs.csv"
    >>> _ = path.write_text("date,item,sets,area,before,after\\n2027-01-05,toe_walking,5,back,3,7\\n")
    >>> [(log.date.isoformat(), log.items[0].sets, log.pain[0].after) for log in read_logs(path)]
    [('2027-01-05', 5, 7)]
    """
    path = Path(path)
    log_format = _format_of(path)
    try:
        text = read_text(path, MAX_LOG_BYTES, "log file")
    except Unreadable as error:
        raise InvalidLogError(str(path), [LogProblem(error.line, "", str(error))]) from None
    return parse_logs(text, log_format, str(path), knowledge)


def parse_logs(
    text: str, log_format: LogFormat, where: str = "the logs", knowledge: KnowledgeBase | None = None
) -> list[SessionLog]:
    """The session logs in ``text``, in the given format (``read_logs`` without the file)."""
    context = {"knowledge": knowledge if knowledge is not None else shipped_knowledge()}
    problems: list[LogProblem] = []
    entries = _ENTRIES[log_format](text, problems)
    logs: list[SessionLog] = []
    first_line: dict[tuple[Any, int], int] = {}
    for entry in entries:
        try:
            log = SessionLog.model_validate(entry.data, context=context)
        except ValidationError as error:
            problems += [entry.problem(e["loc"], e["msg"], e["type"]) for e in error.errors()]
        except RecursionError:
            problems.append(LogProblem(entry.line, "", "nested too deeply"))
        else:
            seen = first_line.setdefault(log.key, entry.line)
            if seen != entry.line:
                problems.append(LogProblem(entry.line, "", _second_log(log, seen)))
            logs.append(log)
    if problems:
        raise InvalidLogError(where, problems)
    return logs


def _second_log(log: SessionLog, first: int) -> str:
    return (
        f"a second log for {log.date.isoformat()}, session {log.session} (the first is on line"
        f" {first}): give each session of a day its own 'session' number"
    )


def _format_of(path: Path) -> LogFormat:
    log_format = SUFFIXES.get(path.suffix.lower())
    if log_format is None:
        known = ", ".join(sorted(SUFFIXES))
        reason = f"cannot tell the log format from the suffix {path.suffix or '(none)'!r}: use {known}"
        raise InvalidLogError(str(path), [LogProblem(0, "", reason)])
    return log_format


# --- entries: one log's raw data, and where each part of it came from ---------------------------


@dataclass
class _Entry:
    """One log's raw data and its line; for CSV, the line of each item, pain, symptom and field."""

    line: int
    data: dict[str, Any]
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)
    csv: bool = False

    def problem(self, loc: tuple[str | int, ...], message: str, kind: str) -> LogProblem:
        line = next((self.lines[loc[:n]] for n in (2, 1) if loc[:n] in self.lines), self.line)
        return LogProblem(line, self._field(loc), message, kind)

    def _field(self, loc: tuple[str | int, ...]) -> str:
        if not self.csv:
            return ".".join(str(part) for part in loc)
        if loc[:1] in {("items",), ("pain",)} and len(loc) > 2:
            return f"column {'item' if loc[2] == 'id' else loc[2]!r}"
        return f"column {loc[0]!r}" if loc and isinstance(loc[0], str) and loc[0] in CSV_COLUMNS else ""


def _strict_decoder() -> json.JSONDecoder:
    def pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, value in pairs:
            if key in data:
                raise ValueError(f"duplicate key {key!r}")
            data[key] = value
        return data

    return json.JSONDecoder(object_pairs_hook=pairs)


class _Lines:
    """The line of an offset in a text, counted on from the last one asked (offsets mostly grow,
    so a file of many logs is counted once, not once per log)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset, self.line = 0, 1

    def __call__(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _json_entries(text: str, problems: list[LogProblem]) -> list[_Entry]:
    """A JSON list of logs (or one log), each element decoded on its own so its line is known."""
    decoder, line_of = _strict_decoder(), _Lines(text)
    start = _skip_space(text, 0)
    if start == len(text):
        problems.append(LogProblem(0, "", "empty file: expected a JSON list of logs, or one log"))
        return []
    if text[start] != "[":
        entry = _decoded(text, start, decoder, problems, line_of)
        if entry is not None and _skip_space(text, entry[1]) != len(text):
            problems.append(LogProblem(line_of(entry[1]), "", "invalid JSON: extra data after the log"))
        return [] if entry is None else [entry[0]]
    entries: list[_Entry] = []
    position = _skip_space(text, start + 1)
    if text.startswith("]", position):
        return entries
    while True:
        entry = _decoded(text, position, decoder, problems, line_of)
        if entry is None:
            return entries
        entries.append(entry[0])
        position = _skip_space(text, entry[1])
        if text.startswith("]", position):
            if _skip_space(text, position + 1) != len(text):
                problems.append(
                    LogProblem(line_of(position + 1), "", "invalid JSON: extra data after the list")
                )
            return entries
        if not text.startswith(",", position) or len(entries) > MAX_LOGS:
            reason = "expected ',' or the closing ']' of the list of logs"
            if len(entries) > MAX_LOGS:
                reason = f"over {MAX_LOGS:,} logs, the most a file may hold"
            problems.append(LogProblem(line_of(position), "", reason))
            return entries
        position = _skip_space(text, position + 1)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _decoded(
    text: str, position: int, decoder: json.JSONDecoder, problems: list[LogProblem], line_of: _Lines
) -> tuple[_Entry, int] | None:
    """The log at ``position`` and where it ends, or ``None`` (and a problem) when it is not one."""
    line = line_of(position)
    try:
        data, end = decoder.raw_decode(text, position)
    except json.JSONDecodeError as error:
        problems.append(LogProblem(error.lineno, "", f"invalid JSON: {error.msg} (column {error.colno})"))
        return None
    except ValueError as error:  # a duplicate key
        problems.append(LogProblem(line, "", f"invalid JSON: {error}"))
        return None
    except RecursionError:
        problems.append(LogProblem(line, "", "invalid JSON: nested too deeply"))
        return None
    if _too_deep(data):  # Python 3.13's parser reads far deeper than 3.11's: one bound for both
        problems.append(LogProblem(line, "", f"invalid JSON: nested too deeply (over {MAX_NESTING} levels)"))
        return None
    if not isinstance(data, dict):
        problems.append(LogProblem(line, "", f"expected a JSON object of log fields, got {_json_kind(data)}"))
        return None
    return _Entry(line, data), end


#: The deepest nesting a log file's JSON may have (a log needs 3), as for YAML files.
MAX_NESTING = 50


def _too_deep(data: object) -> bool:
    """Whether lists and objects nest more than ``MAX_NESTING`` deep (walked without recursion)."""
    level: list[object] = [data]
    for _ in range(MAX_NESTING + 1):
        level = [
            child
            for value in level
            for child in (
                value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
            )
        ]
        if not level:
            return False
    return True


def _json_kind(data: object) -> str:
    return {list: "a list", str: "a string", bool: "true or false", type(None): "null"}.get(
        type(data), "a number"
    )


def _jsonl_entries(text: str, problems: list[LogProblem]) -> list[_Entry]:
    """One log per line; blank lines are skipped."""
    decoder = _strict_decoder()
    entries: list[_Entry] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        if len(entries) >= MAX_LOGS:
            problems.append(LogProblem(number, "", f"over {MAX_LOGS:,} logs, the most a file may hold"))
            break
        found: list[LogProblem] = []  # their line numbers count within the line: replaced
        entry = _decoded(line, _skip_space(line, 0), decoder, found, _Lines(line))
        if entry is None:
            problems += [LogProblem(number, problem.field, problem.message) for problem in found]
        elif _skip_space(line, entry[1]) != len(line):
            problems.append(
                LogProblem(number, "", "invalid JSON: extra data after the log (one log per line)")
            )
        else:
            entries.append(_Entry(number, entry[0].data))
    return entries


# --- CSV ----------------------------------------------------------------------------------------


def _csv_entries(text: str, problems: list[LogProblem]) -> list[_Entry]:
    """Rows grouped into logs by date and session (see the module's docstring)."""
    rows = _csv_rows(text, problems)
    header = next(rows, None)
    if header is None:
        problems.append(LogProblem(0, "", "empty file: expected a header row, such as date,item,sets"))
        return []
    columns = _header(header, problems)
    if columns is None:
        return []
    groups: dict[tuple[str, object], _Entry] = {}
    for line, cells in rows:
        if len(cells) > len(columns):
            reason = f"{len(cells)} cells, but the header names {len(columns)} columns"
            problems.append(LogProblem(line, "", reason))
            continue
        row = dict(zip(columns, [*cells, *[""] * (len(columns) - len(cells))], strict=True))
        _add_row(groups, line, row, problems)
        if len(groups) > MAX_LOGS:
            problems.append(LogProblem(line, "", f"over {MAX_LOGS:,} logs, the most a file may hold"))
            break
    return list(groups.values())


def _csv_rows(text: str, problems: list[LogProblem]) -> Iterator[tuple[int, list[str]]]:
    """Each row that is not blank, with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(LogProblem(last + 1, "", f"invalid CSV: {error}"))
            return
        start, last = last + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells


def _header(header: tuple[int, list[str]], problems: list[LogProblem]) -> list[str] | None:
    """The columns the header names, or ``None`` (and problems) when it is not a valid header."""
    line, cells = header
    columns = [cell.strip() for cell in cells]
    found: list[LogProblem] = []
    for column in columns:
        if column not in CSV_COLUMNS:
            allowed = ", ".join(CSV_COLUMNS)
            reason = (
                f"Unknown column {column!r}.{did_you_mean(column, CSV_COLUMNS)} Allowed columns: {allowed}."
            )
            found.append(LogProblem(line, "", reason, UNKNOWN_FIELD))
    for column in sorted({c for c in columns if columns.count(c) > 1}):
        found.append(LogProblem(line, f"column {column!r}", "named twice in the header"))
    if "date" not in columns:
        found.append(
            LogProblem(line, "", "the header has no 'date' column: every row needs its session's date")
        )
    problems += found
    return None if found else columns


def _cell(text: str) -> int | str:
    """A number cell as an int where it is one (else as written, for the model to refuse)."""
    return int(text) if _INTEGER.fullmatch(text) else text


def _flag(text: str) -> bool | str:
    lowered = text.lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else text


def _add_row(
    groups: dict[tuple[str, object], _Entry], line: int, row: dict[str, str], problems: list[LogProblem]
) -> None:
    """One row into the log of its date and session."""
    cells = {name: value if name == "note" else value.strip() for name, value in row.items()}
    if not cells["date"]:
        problems.append(LogProblem(line, "column 'date'", "no date: every row needs its session's date"))
        return
    session = _cell(cells.get("session") or "1")
    entry = groups.get((cells["date"], session))
    if entry is None:
        data: dict[str, Any] = {"date": cells["date"], "items": [], "pain": [], "new_symptoms": []}
        if cells.get("session"):
            data["session"] = session
        entry = groups[(cells["date"], session)] = _Entry(
            line, data, {("date",): line, ("session",): line}, True
        )
    _add_item(entry, line, cells, problems)
    _add_pain(entry, line, cells, problems)
    _add_log_fields(entry, line, cells, problems)


def _add_item(entry: _Entry, line: int, cells: dict[str, str], problems: list[LogProblem]) -> None:
    given = [name for name in _ITEM_COLUMNS if cells.get(name)]
    if not cells.get("item"):
        if given:
            problems.append(
                LogProblem(line, "column 'item'", f"{given[0]} given without an item: name the item")
            )
        return
    item: dict[str, Any] = {"id": cells["item"]}
    for name in DOSE_FIELDS:
        if cells.get(name):
            item[name] = _cell(cells[name])
    if cells.get("skipped"):
        item["skipped"] = _flag(cells["skipped"])
    entry.lines[("items", len(entry.data["items"]))] = line
    entry.data["items"].append(item)


def _add_pain(entry: _Entry, line: int, cells: dict[str, str], problems: list[LogProblem]) -> None:
    given = [name for name in _PAIN_COLUMNS if cells.get(name)]
    if not cells.get("area"):
        if given:
            problems.append(
                LogProblem(line, "column 'area'", f"{given[0]} given without an area: name the area")
            )
        return
    pain: dict[str, Any] = {"area": cells["area"]}
    for name in given:
        pain[name] = cells[name] if name == "side" else _cell(cells[name])
    entry.lines[("pain", len(entry.data["pain"]))] = line
    entry.data["pain"].append(pain)


def _add_log_fields(entry: _Entry, line: int, cells: dict[str, str], problems: list[LogProblem]) -> None:
    for name in ("difficulty", "note"):
        value = cells.get(name, "")
        if name == "note":
            value = value[1:] if _FORMULA.match(value) and value.startswith("'") else value
        if not value:
            continue
        known = entry.data.get(name)
        if known is None:
            entry.data[name] = value
            entry.lines[(name,)] = line
        elif known != value:
            reason = f"differs from the {name} on line {entry.lines[(name,)]}: give one per session"
            problems.append(LogProblem(line, f"column {name!r}", reason))
    symptoms = entry.data["new_symptoms"]
    for symptom in (part.strip() for part in cells.get("new_symptoms", "").split(";")):
        if symptom:
            entry.lines[("new_symptoms", len(symptoms))] = line
            symptoms.append(symptom)


_ENTRIES = {"json": _json_entries, "jsonl": _jsonl_entries, "csv": _csv_entries}


# --- writing ------------------------------------------------------------------------------------


def write_logs(logs: Iterable[SessionLog], path: str | Path) -> None:
    """Write session logs to a ``.json``, ``.jsonl`` / ``.ndjson`` or ``.csv`` file, in the order
    given; ``read_logs`` reads them back equal.

    Raises :class:`~footmap.InvalidLogError` when two logs have the same date and session (a file
    holds each once) and ``OSError`` when the file cannot be written.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "logs.jsonl"
    >>> logs = [SessionLog(date="2027-01-05", items=[{"id": "toe_walking", "sets": 5}])]
    >>> write_logs(logs, path)
    >>> read_logs(path) == logs
    True
    """
    path = Path(path)
    text = logs_text(list(logs), _format_of(path), str(path))
    path.write_text(text, encoding="utf-8", newline="")


def logs_text(logs: Sequence[SessionLog], log_format: LogFormat, where: str = "the logs") -> str:
    """The logs as the text of a file in the given format (``write_logs`` without the file)."""
    first: dict[tuple[Any, int], int] = {}
    problems = []
    for index, log in enumerate(logs):
        seen = first.setdefault(log.key, index)
        if seen != index:
            reason = f"logs {seen} and {index} are both {log.date.isoformat()}, session {log.session}"
            problems.append(LogProblem(0, f"logs.{index}", f"{reason}: a file holds each session once"))
    if problems:
        raise InvalidLogError(where, problems)
    records = [log.model_dump(mode="json", exclude_defaults=True) for log in logs]
    if log_format == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if log_format == "jsonl":
        return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    return _csv_text(logs)


def _csv_text(logs: Sequence[SessionLog]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; a note with \r in it is quoted
    writer.writerow(CSV_COLUMNS)
    for log in logs:
        for index in range(max(1, len(log.items), len(log.pain))):
            row = dict.fromkeys(CSV_COLUMNS, "")
            row["date"], row["session"] = log.date.isoformat(), str(log.session)
            if index < len(log.items):
                item = log.items[index]
                row["item"] = item.id
                row.update({name: str(value) for name, value in item.dose.items()})
                row["skipped"] = "true" if item.skipped else ""
            if index < len(log.pain):
                pain = log.pain[index]
                row.update(
                    area=pain.area, side=pain.side or "", before=str(pain.before), after=str(pain.after)
                )
                row["next_morning"] = "" if pain.next_morning is None else str(pain.next_morning)
            if index == 0:
                row["difficulty"] = log.difficulty or ""
                row["new_symptoms"] = ";".join(log.new_symptoms)
                row["note"] = "'" + log.note if _FORMULA.match(log.note) else log.note
            writer.writerow(row.values())
    return out.getvalue()
