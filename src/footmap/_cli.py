"""The ``footmap`` command: ``recommend`` a plan for a profile file, ``batch`` a JSON-lines file of
profiles, ``knowledge check`` a directory, ``knowledge test`` it with scenario files, ``knowledge
report`` its safety page.

Exit codes: 0 success, 1 invalid knowledge, 2 invalid input (profile, scenario files or arguments),
3 a scenario failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from footmap import render
from footmap._batch import run_jsonl
from footmap._errors import KnowledgeError, ResumeError
from footmap._knowledge.base import KnowledgeBase, shipped_knowledge
from footmap._knowledge.loader import load_yaml
from footmap._knowledge.report import safety_report
from footmap._pipeline import recommend
from footmap.testing import ScenarioError, run_files


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="footmap", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("recommend", help="print a plan for a profile (YAML or JSON file)")
    rec.add_argument("profile", type=Path, help="profile file; '-' reads standard input")
    rec.add_argument(
        "--format",
        choices=[renderer.name for renderer in render.renderers()],
        default="md",
        help="; ".join(f"{r.name}: {r.description}" for r in render.renderers()),
    )
    _knowledge_options(rec)
    batch = commands.add_parser(
        "batch",
        help="a plan for every line of a JSON-lines file of profiles",
        description='Write one line to OUT for every line of IN, in order: {"line": N,'
        ' "plan": {...}} or {"line": N, "error": "..."}; a bad line never'
        " stops the batch.",
    )
    batch.add_argument("input", type=Path, metavar="IN", help="JSON lines: one profile per line")
    batch.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="OUT",
        help="JSON lines to write (overwritten unless --resume)",
    )
    batch.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: one per CPU; 1: no worker processes)",
    )
    batch.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run: keep OUT's complete lines, add the rest",
    )
    batch.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: on a terminal, for runs over 2 s)",
    )
    _knowledge_options(batch)
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
    return parser


def _knowledge_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--knowledge", type=Path, default=None, help="knowledge directory (default: the shipped knowledge)"
    )
    parser.add_argument(
        "--overlay",
        action="store_true",
        help="lay --knowledge over the shipped knowledge instead of replacing it",
    )


def _read_profile(path: Path) -> Any:
    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    return load_yaml(text)


def _recommend(args: argparse.Namespace) -> int:
    knowledge = (
        KnowledgeBase.load(args.knowledge, overlay=args.overlay) if args.knowledge is not None else None
    )
    try:
        data = _read_profile(args.profile)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        print(f"footmap: cannot read profile {args.profile}: {error}", file=sys.stderr)
        return 2
    if not isinstance(data, dict):
        print(f"footmap: {args.profile} must hold a mapping of profile fields", file=sys.stderr)
        return 2
    try:
        plan = recommend(data, knowledge=knowledge)
    except ValidationError as error:
        print(f"footmap: invalid profile {args.profile}:\n{error}", file=sys.stderr)
        return 2
    print(render.render(plan, args.format, wording=(knowledge or shipped_knowledge()).wording))
    return 0


def _batch(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        print("footmap: --workers must be at least 1", file=sys.stderr)
        return 2
    if not args.input.is_file():
        print(f"footmap: cannot read {args.input}: no such file", file=sys.stderr)
        return 2
    knowledge = (
        KnowledgeBase.load(args.knowledge, overlay=args.overlay) if args.knowledge is not None else None
    )
    try:
        summary = run_jsonl(
            args.input,
            args.output,
            knowledge=knowledge,
            workers=args.workers,
            resume=args.resume,
            progress=args.progress,
        )
    except ResumeError as error:
        print(f"footmap: cannot resume: {error}", file=sys.stderr)
        return 2
    resumed = f"; resumed after line {summary.resumed_after}" if summary.resumed_after else ""
    print(
        f"footmap: wrote {summary.written} lines to {args.output}"
        f" ({summary.plans} plans, {summary.errors} errors{resumed})",
        file=sys.stderr,
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    findings = KnowledgeBase.check(args.directory, overlay=args.overlay)
    where = args.directory or "the shipped knowledge"
    if findings:
        print(KnowledgeError(findings), file=sys.stderr)
        return 1
    print(f"{where}: no problems found")
    return 0


def _test(args: argparse.Namespace) -> int:
    knowledge = (
        KnowledgeBase.load(args.knowledge, overlay=args.overlay) if args.knowledge is not None else None
    )
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
    knowledge = (
        KnowledgeBase.load(args.knowledge, overlay=args.overlay) if args.knowledge is not None else None
    )
    sys.stdout.write(safety_report(knowledge or shipped_knowledge()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``footmap`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "recommend":
            return _recommend(args)
        if args.command == "batch":
            return _batch(args)
        if args.knowledge_command == "test":
            return _test(args)
        if args.knowledge_command == "report":
            return _report(args)
        return _check(args)
    except KnowledgeError as error:
        print(f"footmap: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
