"""The ``footmap`` command: ``recommend`` a plan for a profile file, ``adjust`` a plan to session
logs, ``batch`` a JSON-lines file of profiles, ``progress`` from a file of session logs,
``knowledge check`` a directory, ``knowledge test`` it with scenario files, ``knowledge report``
its safety page, ``knowledge cache`` show, write or clear the knowledge cache, ``knowledge
catalog`` write the catalog compact plans are read with.

Exit codes:

- 0: success (a batch's error lines are data, not failures)
- 1: invalid knowledge
- 2: invalid input: a profile (missing, unreadable, not UTF-8, over ``MAX_PROFILE_BYTES``, bad YAML
  or fields), a batch input, session logs or a plan (``progress``, ``adjust``; a plan made with
  knowledge other than the one given), scenario files, arguments (``--start`` not a date,
  ``--format fhir`` without a valid ``--subject``, ``--start`` or ``--subject`` with a format
  that takes neither), or an output that cannot be resumed
- 3: a scenario failed
- 4: the output cannot be written (a bad path, no permission, a full disk, a closed pipe), or
  another ``footmap batch`` run is writing it
- 5: an internal error (a bug in footmap: please report it)
- 6: the output needs a package that is not installed (``--format fhir`` without
  ``footmap[fhir]``); the line says what to install
- 130: interrupted (Ctrl-C)

Every failure is one line on standard error, ``footmap: ...``; invalid knowledge, an invalid
profile and invalid session logs list every problem, one per line, after it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from footmap import render
from footmap._batch import SMALL_INPUT, os_reason, run_jsonl
from footmap._compact import plan_catalog, read_plan_json
from footmap._errors import (
    BatchError,
    CompactPlanError,
    FootmapError,
    InputError,
    InvalidLogError,
    KnowledgeError,
    MissingDependencyError,
    OutputError,
    ResumeError,
)
from footmap._input.files import Unreadable, read_text
from footmap._input.log_files import read_logs
from footmap._knowledge.base import KnowledgeBase, shipped_knowledge
from footmap._knowledge.loader import load_yaml
from footmap._knowledge.report import safety_report
from footmap._pipeline import adjust, recommend
from footmap._plan import DEFAULT_WEEKS, MAX_WEEKS, Plan
from footmap._programme.progress import progress
from footmap.testing import ScenarioError, run_files


def _parser() -> argparse.ArgumentParser:
    from footmap import __version__  # the package's, read once it is imported

    parser = argparse.ArgumentParser(prog="footmap", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"footmap {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("recommend", help="print a plan for a profile (YAML or JSON file)")
    rec.add_argument("profile", type=Path, help="profile file; '-' reads standard input")
    rec.add_argument(
        "--format",
        choices=[renderer.name for renderer in render.renderers()],
        default=None,
        help="; ".join(f"{r.name}: {r.description}" for r in render.renderers())
        + " (default: text on a terminal, md otherwise)",
    )
    rec.add_argument(
        "--weeks",
        type=int,
        default=DEFAULT_WEEKS,
        help=f"how many weeks the schedule lays out (1 to {MAX_WEEKS}; default {DEFAULT_WEEKS})",
    )
    rec.add_argument(
        "--start",
        metavar="DATE",
        default=None,
        help="--format ics: the day week 1 starts, YYYY-MM-DD (default: the next Monday, said on"
        " standard error)",
    )
    rec.add_argument(
        "--subject",
        metavar="REFERENCE",
        default=None,
        help="--format fhir (required): whose CarePlan it is, a FHIR reference such as Patient/123",
    )
    rec.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="write to FILE, whole or not at all, instead of standard output ('-')",
    )
    _knowledge_options(rec)
    _adjust_parser(commands)
    batch = commands.add_parser(
        "batch",
        help="a plan for every line of a JSON-lines file of profiles",
        description='Write one line to OUT for every line of IN, in order: {"line": N,'
        ' "plan": {...}} or {"line": N, "error": "..."}; a bad line never'
        " stops the batch.",
    )
    batch.add_argument(
        "input", type=Path, metavar="IN", help="JSON lines: one profile per line; '-' reads standard input"
    )
    batch.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="OUT",
        help="JSON lines to write (overwritten unless --resume); '-' writes standard output",
    )
    batch.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=f"plan on N worker processes, even 1 (default: in this process up to {SMALL_INPUT:,} lines,"
        " else one per CPU)",
    )
    batch.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run: keep OUT's complete lines, add the rest",
    )
    batch.add_argument(
        "--compact",
        action="store_true",
        help="write each plan compact: the knowledge's texts as numbers into its catalog"
        " (footmap knowledge catalog; docs/outputs.md)",
    )
    batch.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: on a terminal, for runs over 2 s)",
    )
    _knowledge_options(batch)
    _progress_parser(commands)
    knowledge = commands.add_parser("knowledge", help="work with knowledge directories")
    knowledge_commands = knowledge.add_subparsers(dest="knowledge_command", required=True)
    check = knowledge_commands.add_parser("check", help="report every problem in a directory")
    check.add_argument(
        "directory",
        type=Path,
        nargs="?",
        default=None,
        help="knowledge directory (default: the shipped knowledge)",
    )
    check.add_argument(
        "--overlay", action="store_true", help="check DIRECTORY laid over the shipped knowledge"
    )
    check.add_argument("--release", action="store_true", help="also fail while any source is not verified")
    test = knowledge_commands.add_parser(
        "test",
        help="run scenario files against the knowledge",
        description="Run every case of the scenario files: exit 0 when all pass, 3 when one fails.",
    )
    test.add_argument(
        "scenarios", type=Path, nargs="+", metavar="SCENARIOS", help="scenario files or directories of *.yaml"
    )
    _knowledge_options(test)
    report = knowledge_commands.add_parser(
        "report",
        help="print the safety page (docs/safety.md): every red flag, exclusion, caution and grade",
    )
    _knowledge_options(report)
    catalog = knowledge_commands.add_parser(
        "catalog",
        help="write the knowledge's catalog: the texts compact plans number (docs/outputs.md)",
        description="Write the catalog that compact plans (--format compact) are read with, as JSON.",
    )
    catalog.add_argument(
        "-o", "--output", type=Path, default=None, metavar="FILE", help="write to FILE, whole or not at all"
    )
    _knowledge_options(catalog)
    cache = knowledge_commands.add_parser(
        "cache",
        help="show, write or clear the shipped knowledge's cache file (docs/knowledge.md)",
        description="Where the knowledge cache file is and whether it is written (path), write it"
        " now (write), or delete every cache file (clear).",
    )
    cache.add_argument(
        "action",
        nargs="?",
        choices=CACHE_ACTIONS,
        default=CACHE_ACTIONS[0],
        help="path (the default), write or clear",
    )
    return parser


def _adjust_parser(commands: Any) -> None:
    adj = commands.add_parser(
        "adjust",
        help="a plan made again with session logs: items stepped back or up, what changed",
        description="Read a plan (footmap recommend --format json) and session logs (.json,"
        " .jsonl/.ndjson or .csv) and print the plan adjusted to them, with what changed.",
    )
    adj.add_argument("plan", type=Path, metavar="PLAN", help="the plan as JSON")
    adj.add_argument("logs", type=Path, metavar="LOGS", help="session logs: .json, .jsonl, .ndjson or .csv")
    adj.add_argument(
        "--format",
        choices=[renderer.name for renderer in render.renderers()],
        default=None,
        help="a renderer's name (default: text on a terminal, md otherwise)",
    )
    adj.add_argument("-o", "--output", type=Path, default=None, metavar="FILE", help="write to FILE")
    _knowledge_options(adj)


#: The formats ``footmap progress`` writes, each a method of ``Progress`` (``json``: its data).
PROGRESS_FORMATS = {"text": "to_text", "md": "to_markdown", "html": "to_html", "svg": "to_svg", "json": ""}


def _progress_parser(commands: Any) -> None:
    progress = commands.add_parser(
        "progress",
        help="what session logs show: pain trend, sessions done, each item's progress",
        description="Read session logs (.json, .jsonl/.ndjson or .csv; see docs/programme.md) and"
        " print the pain trend of each complaint, the sessions done and each item's progress.",
    )
    progress.add_argument(
        "logs", type=Path, metavar="LOGS", help="session logs: .json, .jsonl, .ndjson or .csv"
    )
    progress.add_argument(
        "--plan",
        type=Path,
        default=None,
        metavar="PLAN",
        help="the plan as JSON (footmap recommend --format json): sessions planned, items not started",
    )
    progress.add_argument(
        "--format",
        choices=sorted(PROGRESS_FORMATS),
        default="text",
        help="text (the default), md, html, svg (the chart) or json (the data)",
    )
    _knowledge_options(progress)


def _knowledge_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--knowledge", type=Path, default=None, help="knowledge directory (default: the shipped knowledge)"
    )
    parser.add_argument(
        "--overlay",
        action="store_true",
        help="lay --knowledge over the shipped knowledge instead of replacing it",
    )


#: The largest profile file ``footmap recommend`` reads (bytes); a larger one is refused unread.
MAX_PROFILE_BYTES = 1 << 20

#: Exit codes (see the module docstring).
OK, INVALID_KNOWLEDGE, INVALID_INPUT, SCENARIO_FAILED, CANNOT_WRITE, INTERNAL_ERROR, MISSING_PACKAGE = range(
    7
)
INTERRUPTED = 130
#: What ``footmap knowledge cache`` does; the first is the default.
CACHE_ACTIONS = ("path", "write", "clear")


class _Refused(Exception):
    """A failure already worded for its one line on standard error, with its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _read_profile(path: Path) -> Any:
    """The profile file's data; ``_Refused`` (exit 2) when it cannot be read or parsed."""
    where = "standard input" if str(path) == "-" else str(path)
    try:
        raw = _read_bounded(path)
        if len(raw) > MAX_PROFILE_BYTES:
            raise _Refused(
                f"cannot read profile {where}: over {MAX_PROFILE_BYTES:,} bytes, the most a profile may hold",
                INVALID_INPUT,
            )
        text = raw if isinstance(raw, str) else raw.decode("utf-8")
        return load_yaml(text)
    except OSError as error:
        reason = os_reason(error)
    except UnicodeDecodeError as error:
        reason = f"not UTF-8 text (byte {error.object[error.start]:#04x} at offset {error.start})"
    except RecursionError:
        reason = "nested too deeply"
    except (yaml.YAMLError, ValueError) as error:  # ValueError: a loader's own limits
        reason = _one_line(str(error))
    raise _Refused(f"cannot read profile {where}: {reason}", INVALID_INPUT)


def _read_bounded(path: Path) -> bytes | str:
    """At most ``MAX_PROFILE_BYTES + 1`` of the file (or standard input), a regular file's size
    checked before anything is read."""
    if str(path) == "-":
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        data: bytes | str = stream.read(MAX_PROFILE_BYTES + 1)
        return data
    with path.open("rb") as file:
        status = os.fstat(file.fileno())
        if stat.S_ISREG(status.st_mode) and status.st_size > MAX_PROFILE_BYTES:
            return b" " * (MAX_PROFILE_BYTES + 1)  # refused by size, unread
        return file.read(MAX_PROFILE_BYTES + 1)


def _one_line(text: str, limit: int = 500) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _load_knowledge(args: argparse.Namespace) -> KnowledgeBase | None:
    return KnowledgeBase.load(args.knowledge, overlay=args.overlay) if args.knowledge is not None else None


def _render_options(args: argparse.Namespace, name: str) -> dict[str, object]:
    """The keyword options of the renderer called ``name``, from ``--start`` and ``--subject``."""
    takes = render.get(name).options
    for flag, option in (("--start", "start"), ("--subject", "subject")):
        if getattr(args, option) is not None and option not in takes:
            raise _Refused(f"{flag} does not apply to --format {name}", INVALID_INPUT)
    options: dict[str, object] = {}
    if "start" in takes:
        options["start"] = _start_date(args.start)
    if "subject" in takes:
        if args.subject is None:
            raise _Refused(
                f"--format {name} needs --subject, a FHIR reference such as Patient/123", INVALID_INPUT
            )
        options["subject"] = args.subject
    return options


def _start_date(given: str | None) -> dt.date:
    """``--start`` as a date; without it the next Monday (today on a Monday), said on stderr."""
    if given is None:
        today = dt.date.today()
        start = today + dt.timedelta(days=-today.weekday() % 7)
        print(f"footmap: the calendar starts on {start:%A %Y-%m-%d}; --start DATE to choose", file=sys.stderr)
        return start
    try:
        return dt.date.fromisoformat(given)
    except ValueError:
        raise _Refused(f"--start must be a date, YYYY-MM-DD; got {given!r}", INVALID_INPUT) from None


def _recommend(args: argparse.Namespace) -> int:
    if not 1 <= args.weeks <= MAX_WEEKS:
        raise _Refused(f"--weeks must be from 1 to {MAX_WEEKS}; got {args.weeks}", INVALID_INPUT)
    # A person at a terminal reads text; a pipe or a file keeps getting Markdown, as it always has.
    to_stdout = args.output is None or _is_stdio(args.output)
    name = args.format or ("text" if to_stdout and sys.stdout.isatty() else "md")
    options = _render_options(args, name)
    knowledge = _load_knowledge(args)
    data = _read_profile(args.profile)
    if not isinstance(data, dict):
        raise _Refused(f"{args.profile} must hold a mapping of profile fields", INVALID_INPUT)
    try:
        plan = recommend(data, knowledge=knowledge, weeks=args.weeks)
    except ValidationError as error:
        print(f"footmap: invalid profile {args.profile}:\n{error}", file=sys.stderr)
        return INVALID_INPUT
    except RecursionError:
        raise _Refused(f"invalid profile {args.profile}: nested too deeply", INVALID_INPUT) from None
    wording = (knowledge or shipped_knowledge()).wording
    try:
        text = render.render(plan, name, wording=wording, **options)
    except MissingDependencyError as error:
        raise _Refused(str(error), MISSING_PACKAGE) from None
    except ValueError as error:  # an option the renderer refuses (a subject that is no reference)
        raise _Refused(_one_line(str(error)), INVALID_INPUT) from None
    # A calendar ends its every line with CRLF already (RFC 5545): a bare LF after it is not one.
    _write_output(args.output, text if text.endswith("\r\n") else text + "\n")
    return OK


#: The largest plan file ``footmap progress --plan`` reads (bytes).
MAX_PLAN_BYTES = 8 << 20


def _progress(args: argparse.Namespace) -> int:
    knowledge = _load_knowledge(args)
    plan = _read_plan(args.plan, knowledge) if args.plan is not None else None
    try:
        logs = read_logs(args.logs, knowledge=knowledge)
    except InvalidLogError as error:
        print(f"footmap: {error}", file=sys.stderr)
        return INVALID_INPUT
    except OSError as error:
        raise _Refused(f"cannot read logs {args.logs}: {os_reason(error)}", INVALID_INPUT) from None
    result = progress(logs, plan=plan, knowledge=knowledge)
    method = PROGRESS_FORMATS[args.format]
    text = getattr(result, method)() if method else result.model_dump_json(indent=2) + "\n"
    _write_stdout(text)
    return OK


def _adjust(args: argparse.Namespace) -> int:
    knowledge = _load_knowledge(args)
    plan = _read_plan(args.plan, knowledge)
    try:
        logs = read_logs(args.logs, knowledge=knowledge)
        adjusted = adjust(plan, logs, knowledge=knowledge)
    except InvalidLogError as error:
        print(f"footmap: {error}", file=sys.stderr)
        return INVALID_INPUT
    except OSError as error:
        raise _Refused(f"cannot read logs {args.logs}: {os_reason(error)}", INVALID_INPUT) from None
    except ValidationError as error:
        raise _Refused(f"invalid profile in plan {args.plan}: {_first(error)}", INVALID_INPUT) from None
    except FootmapError as error:
        raise _Refused(
            f"cannot adjust plan {args.plan}: {error} (on the command line: --knowledge DIR)", INVALID_INPUT
        ) from None
    interactive = (args.output is None or _is_stdio(args.output)) and sys.stdout.isatty()
    name = args.format or ("text" if interactive else "md")
    text = render.render(adjusted, name, wording=(knowledge or shipped_knowledge()).wording) + "\n"
    _write_output(args.output, text)
    return OK


def _read_plan(path: Path, knowledge: KnowledgeBase | None) -> Plan:
    """The plan in a JSON file, in full or compact; ``_Refused`` (exit 2) when it cannot be read
    or is not a plan."""
    try:
        text = read_text(path, MAX_PLAN_BYTES, "plan")
        return read_plan_json(text, knowledge=knowledge)
    except OSError as error:
        reason = os_reason(error)
    except Unreadable as error:
        reason = str(error)
    except CompactPlanError as error:
        reason = f"{error} (on the command line: --knowledge DIR)"
    except ValidationError as error:
        count = error.error_count()
        reason = f"not a footmap plan in JSON ({count} problem{'s' if count != 1 else ''}: {_first(error)})"
    raise _Refused(f"cannot read plan {path}: {reason}", INVALID_INPUT)


def _first(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    return _one_line(f"{where}: {first['msg']}" if where else first["msg"], 200)


def _write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as error:
        _silence_stdout()
        raise _Refused(f"cannot write standard output: {os_reason(error)}", CANNOT_WRITE) from None


def _silence_stdout() -> None:
    """Nothing more can reach a closed pipe, not even Python's own flush at exit."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # stdout may be no file
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _is_stdio(path: Path) -> bool:
    """Whether a path argument is ``-``: standard input or output."""
    return str(path) == "-"


def _write_output(path: Path | None, text: str) -> None:
    """``text`` to ``-o FILE`` (whole or not at all), or to standard output (no ``-o``, or ``-``)."""
    if path is None or _is_stdio(path):
        _write_stdout(text)
        return
    try:
        _replace_atomically(path, text.encode("utf-8"))
    except OSError as error:
        raise _Refused(f"cannot write {path}: {os_reason(error)}", CANNOT_WRITE) from None


def _replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file beside ``path`` and rename it over ``path``, so that ``path``
    holds the old text or the new, never a part. A file keeps its mode; a link, the file it
    points at is replaced; a device or a pipe (``/dev/null``) is written as it is."""
    real = Path(os.path.realpath(path))
    try:
        status: os.stat_result | None = real.stat()
    except FileNotFoundError:
        status = None
    if status is not None and not (stat.S_ISREG(status.st_mode) or stat.S_ISDIR(status.st_mode)):
        with real.open("wb") as device:
            device.write(data)
        return
    mode = stat.S_IMODE(status.st_mode) if status is not None else 0o666 & ~_umask()
    handle, name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        temporary.chmod(mode)
        temporary.replace(real)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _umask() -> int:
    """The process's umask (reading it means setting it: it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:  # either is missing or unreadable: not one file
        return False


def _batch(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise _Refused("--workers must be at least 1", INVALID_INPUT)
    from_stdin, to_stdout = _is_stdio(args.input), _is_stdio(args.output)
    if args.resume and from_stdin:
        raise _Refused(
            "cannot resume from standard input: --resume reads IN again from its first line;"
            " save the input to a file",
            INVALID_INPUT,
        )
    if args.resume and to_stdout:
        raise _Refused(
            "cannot resume into standard output: --resume reads OUT back; write to a file", INVALID_INPUT
        )
    if not (from_stdin or to_stdout) and _same_file(args.input, args.output):
        raise _Refused(f"{args.output} is the input file: write to another file", INVALID_INPUT)
    knowledge = _load_knowledge(args)
    if to_stdout:
        sys.stdout.flush()  # the lines go below the text layer, straight to its bytes
    try:
        summary = run_jsonl(
            _binary(sys.stdin, "standard input") if from_stdin else args.input,
            _binary(sys.stdout, "standard output") if to_stdout else args.output,
            knowledge=knowledge,
            workers=args.workers,
            resume=args.resume,
            progress=args.progress,
            compact=args.compact,
        )
    except InputError as error:
        raise _Refused(str(error), INVALID_INPUT) from None
    except ResumeError as error:
        raise _Refused(f"cannot resume: {error}", INVALID_INPUT) from None
    except OutputError as error:
        if to_stdout:
            _silence_stdout()
        raise _Refused(str(error), CANNOT_WRITE) from None
    except BatchError as error:
        raise _Refused(str(error), INTERNAL_ERROR) from None
    resumed = f"; resumed after line {summary.resumed_after}" if summary.resumed_after else ""
    failed = f", {summary.failed} of them profiles the engine failed on" if summary.failed else ""
    where = "standard output" if to_stdout else args.output
    print(
        f"footmap: wrote {summary.written} lines to {where}"
        f" ({_count(summary.plans, 'plan')}, {_count(summary.errors, 'error')}{failed}{resumed})",
        file=sys.stderr,
    )
    return OK


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _binary(stream: Any, name: str) -> Any:
    """The byte stream under a text stream (``sys.stdin.buffer``)."""
    binary = getattr(stream, "buffer", None)
    if binary is None:
        raise _Refused(f"cannot use {name}: it is not a byte stream", INTERNAL_ERROR)
    return binary


def _check(args: argparse.Namespace) -> int:
    findings = KnowledgeBase.check(args.directory, overlay=args.overlay, release=args.release)
    where = args.directory or "the shipped knowledge"
    if findings:
        print(KnowledgeError(findings), file=sys.stderr)
        return 1
    print(f"{where}: no problems found")
    return 0


def _test(args: argparse.Namespace) -> int:
    knowledge = _load_knowledge(args)
    try:
        results = run_files(args.scenarios, knowledge=knowledge)
    except ScenarioError as error:
        print(f"footmap: {error}", file=sys.stderr)
        return 2
    for result in results:
        print(result.report())
    failed = sum(not result.passed for result in results)
    count = f"{len(results)} scenario{'s' if len(results) != 1 else ''}"
    print(f"{count}: {len(results) - failed} passed, {failed} failed")
    return 3 if failed else 0


def _report(args: argparse.Namespace) -> int:
    knowledge = _load_knowledge(args)
    _write_stdout(safety_report(knowledge or shipped_knowledge()))
    return OK


def _cache(args: argparse.Namespace) -> int:
    """``knowledge cache``: the shipped knowledge's cache file, written now, or every one deleted."""
    from footmap._knowledge import cache

    setting = os.environ.get(cache.CACHE_ENV, "")
    off = (
        f"the knowledge cache is off ({cache.CACHE_ENV}={setting})"
        if setting.strip().lower() in cache.OFF
        else f"the knowledge cache has no directory (no home directory; set {cache.CACHE_DIR_ENV})"
    )
    if args.action == "clear":
        folder = cache.cache_dir()
        if folder is None:
            print(f"{off}: nothing to clear")
            return OK
        print(f"{folder}: {_count(cache.clear_cache(), 'cache file')} deleted")
        return OK
    if args.action == "write":
        if cache.cache_dir() is None:
            raise _Refused(f"cannot write the knowledge cache: {off}", CANNOT_WRITE)
        written = cache.write_cache()
        if written is None:
            raise _Refused(
                f"cannot write the knowledge cache in {cache.cache_dir()} (set {cache.CACHE_DIR_ENV}"
                " to a directory that can be written)",
                CANNOT_WRITE,
            )
        print(f"{written}: written")
        return OK
    path = cache.cache_path()
    if path is None:
        print(off)
        return OK
    print(f"{path} ({'written' if path.is_file() else 'not written yet'})")
    return OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``footmap`` command; returns the exit code (see the module docstring).

    Only ``SystemExit`` (from argument parsing) leaves it: every other failure is one line on
    standard error and its exit code.
    """
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except KnowledgeError as error:
        print(f"footmap: {error}", file=sys.stderr)
        return INVALID_KNOWLEDGE
    except _Refused as error:
        print(f"footmap: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print("footmap: interrupted", file=sys.stderr)
        return INTERRUPTED
    except RecursionError:  # deep input the readers did not bound (scenarios, knowledge files)
        print("footmap: invalid input: nested too deeply to read", file=sys.stderr)
        return INVALID_INPUT
    except Exception as error:  # a bug: still one line and a code, never a traceback
        print(
            f"footmap: internal error ({type(error).__name__}: {_one_line(str(error), 300)});"
            " please report it",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


def _run(args: argparse.Namespace) -> int:
    if args.command == "recommend":
        return _recommend(args)
    if args.command == "adjust":
        return _adjust(args)
    if args.command == "batch":
        return _batch(args)
    if args.command == "progress":
        return _progress(args)
    if args.knowledge_command == "test":
        return _test(args)
    if args.knowledge_command == "report":
        return _report(args)
    if args.knowledge_command == "cache":
        return _cache(args)
    if args.knowledge_command == "catalog":
        _write_output(args.output, plan_catalog(_load_knowledge(args)).to_json() + "\n")
        return OK
    return _check(args)


if __name__ == "__main__":
    sys.exit(main())
