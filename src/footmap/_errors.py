"""The exceptions footmap raises.

::

    FootmapError                 anything footmap raises on purpose
    ├── KnowledgeError           a knowledge directory is invalid (carries every Finding)
    ├── BatchError               a batch cannot go on (``recommend_many``, ``footmap batch``)
    │   ├── InputError           the input file cannot be read
    │   ├── OutputError          the output cannot be written, or another run holds its lock
    │   └── ResumeError          ``footmap batch --resume``: the output is not this batch's
    ├── WorkerError              one profile of a batch failed: its worker raised or died on it
    ├── InvalidLogError          a session log file is invalid (carries every LogProblem, by line)
    ├── ScenarioError            scenario files are invalid (``footmap.testing``; every problem)
    ├── RuleEngineError          the rule engine failed while evaluating a profile
    └── MissingDependencyError   (also an ImportError) an output needs a package not installed

    EngineFallbackWarning        (a UserWarning) durable-rules is installed but cannot run here

Invalid profiles and session logs raise :class:`pydantic.ValidationError`, like any other
pydantic model, with messages that list the allowed values and the nearest match; a log *file*
that does not read (``read_logs``) raises :class:`InvalidLogError`, each problem with its line.
"""

from __future__ import annotations

import dataclasses
import enum
from collections import Counter
from collections.abc import Sequence


class FindingCode(enum.StrEnum):
    """Machine-readable reason for a knowledge finding."""

    MISSING_FILE = "missing_file"
    YAML_SYNTAX = "yaml_syntax"
    DUPLICATE_KEY = "duplicate_key"
    INVALID_FIELD = "invalid_field"
    UNKNOWN_FIELD = "unknown_field"
    MISSING_FIELD = "missing_field"
    DUPLICATE_ID = "duplicate_id"
    DANGLING_REFERENCE = "dangling_reference"
    MISSING_SOURCE = "missing_source"
    INVALID_RULE = "invalid_rule"
    MISSING_SAFETY_REVIEW = "missing_safety_review"
    UNGUARDED_RED_FLAG = "unguarded_red_flag"
    UNMARKED_RED_FLAG = "unmarked_red_flag"
    CIRCULAR_REFERENCE = "circular_reference"
    UNVERIFIED_SOURCE = "unverified_source"
    INVALID_PROGRESSION = "invalid_progression"
    MISSING_GEOMETRY = "missing_geometry"
    OUTSIDE_VIEW = "outside_view"
    OFF_OUTLINE = "off_outline"


@dataclasses.dataclass(frozen=True, order=True)
class Finding:
    """One problem in a knowledge directory: where it is, what is wrong and, if near, the fix.

    ``suggestion`` is the allowed value nearest a misspelt one (the ``Did you mean`` the message
    ends with), for tools that offer the fix.
    """

    file: str
    entry: str
    field: str
    code: FindingCode
    message: str
    # Left out of comparisons: the message already says it, and None does not order against str.
    suggestion: str | None = dataclasses.field(default=None, compare=False)

    def __str__(self) -> str:
        where = self.file
        if self.entry:
            where += f", entry {self.entry!r}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message} [{self.code.value}]"


class FootmapError(Exception):
    """Base class of every error footmap raises on purpose."""


def every_problem(problems: Sequence[object], where: str) -> str:
    """The message of an error that lists every problem at once, one per line.

    >>> print(every_problem(["a", "b"], "the knowledge"))
    2 problems in the knowledge:
      - a
      - b
    """
    lines = "".join(f"\n  - {problem}" for problem in problems)
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {where}:{lines}"


class KnowledgeError(FootmapError):
    """A knowledge directory is invalid; ``findings`` lists every problem at once."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = sorted(findings)
        super().__init__(every_problem(self.findings, "the knowledge"))

    @property
    def counts(self) -> dict[FindingCode, int]:
        """How many findings have each code, in ``FindingCode`` order (codes with none left out).

        >>> error = KnowledgeError([Finding("factors.yaml", "", "", FindingCode.YAML_SYNTAX, "bad")])
        >>> error.counts
        {<FindingCode.YAML_SYNTAX: 'yaml_syntax'>: 1}
        """
        found = Counter(finding.code for finding in self.findings)
        return {code: found[code] for code in FindingCode if found[code]}


class BatchError(FootmapError):
    """A batch cannot go on: its output cannot be written or resumed, or its workers cannot start."""


class InputError(BatchError, OSError):
    """The input file of a batch cannot be read: missing, a directory, no permission."""


class OutputError(BatchError, OSError):
    """The output file of a batch cannot be written: a bad path, no permission, a full disk, or
    another run holds its lock."""


class ResumeError(BatchError, ValueError):
    """The output file of a batch cannot be resumed: it is not this batch's output."""


class WorkerError(FootmapError):
    """One profile of a batch failed for a reason other than validation: its worker raised, or died.

    ``position`` is the profile's index in the input (from 0; ``None`` when no single profile is
    to blame), ``reason`` what happened.
    """

    def __init__(self, reason: str, position: int | None = None) -> None:
        self.reason = reason
        self.position = position
        where = f"the profile at index {position}" if position is not None else "a worker process"
        super().__init__(f"{where}: {reason}")


@dataclasses.dataclass(frozen=True)
class LogProblem:
    """One problem in a session log file: its line (from 1; 0 for the file as a whole), the field
    (``items.0.sets`` in JSON, the column in CSV; empty for the whole log), the message and the
    error type (pydantic's, or footmap's own such as ``footmap.unknown_value``)."""

    line: int
    field: str
    message: str
    type: str = "footmap.invalid_log"

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "the file"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


class InvalidLogError(FootmapError, ValueError):
    """A session log file is invalid; ``problems`` lists every problem at once, by line.

    >>> print(InvalidLogError("logs.csv", [LogProblem(3, "column 'sets'", "Not a whole number")]))
    1 problem in logs.csv:
      - line 3, column 'sets': Not a whole number
    """

    def __init__(self, file: str, problems: Sequence[LogProblem]) -> None:
        self.file = file
        self.problems = sorted(problems, key=lambda problem: problem.line)
        super().__init__(every_problem(self.problems, file))


class CompactPlanError(FootmapError, ValueError):
    """A compact plan or a catalog cannot be read: it is not one, it was changed, or the catalog
    it was written with is not the one given or not found (``docs/outputs.md``, "Compact plans")."""


class RuleEngineError(FootmapError):
    """The rule engine failed while evaluating a profile (for example an action raised)."""


class EngineFallbackWarning(UserWarning):
    """durable-rules is installed but cannot run the rules here; footmap runs its compiled twin."""


class MissingDependencyError(FootmapError, ImportError):
    """An output needs a package that is not installed; the message says what to install.

    ``package`` is the missing import, ``install`` the command that brings it.

    >>> print(MissingDependencyError("the fhir renderer", "fhir.resources", "pip install 'footmap[fhir]'"))
    the fhir renderer needs fhir.resources, which is not installed: pip install 'footmap[fhir]'
    """

    def __init__(self, needed_by: str, package: str, install: str) -> None:
        self.package = package
        self.install = install
        super().__init__(f"{needed_by} needs {package}, which is not installed: {install}", name=package)
