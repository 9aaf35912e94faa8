"""Test knowledge with scenarios: a profile in, the plan's expected properties out, all in YAML.

A scenario file is a list of cases, each with a sentence-long ``name``, the ``source`` (an id in
``sources.yaml``) behind its expectation, a ``profile`` and what to ``expect`` of the plan::

    - name: Back pain with stiffness gets a routine that starts with the toe press warm-up
      source: seed_article
      profile:
        pains: [{area: back, severity: 6}]
        symptoms: [stiffness]
      expect:
        triage: self_care
        first: toe_press

A case may also give session ``logs`` (a list of logs, each as ``footmap.SessionLog`` takes it):
the plan is then ``recommend(profile, logs=logs)``, what ``footmap.adjust`` gives, and
``expect: {changes: [{item: toe_walking, change: regressed}]}`` checks ``plan.changes``.

Loading is strict and checked against the knowledge in use: an unknown key, an item, rule or
source id the knowledge does not have, an invalid profile, a duplicate key or a YAML syntax error
is a :class:`ScenarioError` that lists every problem of the file at once, each with its file,
line and a did-you-mean. A case never passes by testing nothing.

Run scenarios with ``footmap knowledge test SCENARIOS... [--knowledge DIR] [--overlay]``, with
:func:`run_files` (or :func:`load_scenarios` and :func:`run_scenario`), or with pytest: this
module is a pytest plugin (``pytest_plugins = ["footmap.testing"]`` in a ``conftest.py``, or
``pytest -p footmap.testing``) that collects every ``*.yaml`` file in a directory named
``scenarios`` (the ``footmap_scenarios`` ini option sets other glob patterns), one test per case;
``--footmap-knowledge DIR`` and ``--footmap-overlay`` choose the knowledge. Only the plugin needs
pytest, and it is imported only when pytest loads the plugin.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from footmap._compose.select import kept_while_waiting
from footmap._errors import FindingCode, FootmapError, KnowledgeError, every_problem
from footmap._input.logs import SessionLog
from footmap._input.profile import Profile
from footmap._knowledge.base import KnowledgeBase, PerKnowledge, shipped_knowledge
from footmap._knowledge.loader import DuplicateKeyError, load_yaml
from footmap._knowledge.schema import TRIAGE_ORDER
from footmap._pipeline import recommend
from footmap._plan import ChangeKind, Plan, PlanItem
from footmap._rules.compile import knowledge_rules
from footmap._suggest import did_you_mean

if TYPE_CHECKING:
    import pytest

__all__ = [
    "Expectations",
    "Failure",
    "Scenario",
    "ScenarioError",
    "ScenarioProblem",
    "ScenarioResult",
    "check_plan",
    "load_scenarios",
    "parse_scenarios",
    "run_files",
    "run_scenario",
    "scenario_files",
]

#: The glob patterns of scenario files the pytest plugin collects unless ``footmap_scenarios``
#: says otherwise, matched against the end of each path (``pathlib.PurePath.match``).
DEFAULT_PATTERNS = ("scenarios/*.yaml",)

_SafeLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --- validation against the knowledge ----------------------------------------------------------


def _knowledge_of(info: ValidationInfo) -> KnowledgeBase:
    context = info.context
    knowledge = context.get("knowledge") if isinstance(context, dict) else None
    return knowledge if isinstance(knowledge, KnowledgeBase) else shipped_knowledge()


#: Every rule id a plan's safety messages may name: the rules and the compiled item precautions.
_rule_ids: PerKnowledge[frozenset[str]] = PerKnowledge(
    lambda knowledge: frozenset(rule.id for rule in knowledge_rules(knowledge))
)


def _known(value: str, allowed: Collection[str], label: str) -> str:
    if value not in allowed:
        message = f"Unknown {label} {value!r} in the knowledge.{did_you_mean(value, allowed)}"
        raise PydanticCustomError("unknown_id", "{message}", {"message": message})
    return value


def _item_id(value: str, info: ValidationInfo) -> str:
    return _known(value, _knowledge_of(info).items, "item")


def _rule_id(value: str, info: ValidationInfo) -> str:
    return _known(value, _rule_ids(_knowledge_of(info)), "rule")


def _source_id(value: str, info: ValidationInfo) -> str:
    return _known(value, _knowledge_of(info).sources, "source")


def _triage_level(value: str) -> str:
    if value not in TRIAGE_ORDER:
        raise ValueError(
            f"Unknown triage level {value!r}.{did_you_mean(value, TRIAGE_ORDER)}"
            f" Allowed: {', '.join(TRIAGE_ORDER)}."
        )
    return value


_ItemId = Annotated[str, AfterValidator(_item_id)]
_RuleId = Annotated[str, AfterValidator(_rule_id)]
_SourceId = Annotated[str, AfterValidator(_source_id)]
_TriageLevel = Annotated[str, AfterValidator(_triage_level)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ExpectedChange(_Strict):
    """A change the plan must list (``plan.changes``): each field given must match one change."""

    item: _ItemId | None = None
    change: ChangeKind
    rule: _RuleId | None = None

    def matches(self, found: Any) -> bool:
        """Whether a ``Change`` of the plan is this one."""
        wanted = {"change": self.change, "item": self.item, "rule": self.rule}
        return all(value is None or getattr(found, key) == value for key, value in wanted.items())

    def __str__(self) -> str:
        fields = {"item": self.item, "change": self.change, "rule": self.rule}
        return ", ".join(f"{key} {value}" for key, value in fields.items() if value is not None)


class Expectations(_Strict):
    """What a scenario expects of the plan; each key given is checked, the others are not."""

    #: The plan's triage level: ``self_care``, ``see_clinician`` or ``urgent``.
    triage: _TriageLevel | None = None
    #: Items that must be in the plan (routine, reflexology, acupressure or advice).
    include: list[_ItemId] = []
    #: Items that must not be in the plan.
    exclude: list[_ItemId] = []
    #: Items that must be listed among the plan's excluded items.
    excluded: list[_ItemId] = []
    #: The item the routine must start with.
    first: _ItemId | None = None
    #: ``true``: the routine must be empty; ``false``: it must not be.
    routine_empty: bool | None = None
    #: Rules (``precaution.<item>.<id>`` for an item's precaution) that must give a safety message.
    safety_rules: list[_RuleId] = []
    #: Rules that must give no safety message (a flag the person's state answers already).
    no_safety_rules: list[_RuleId] = []
    #: The plan's minutes a day must not exceed this.
    max_minutes: Annotated[float, Field(ge=0)] | None = None
    #: Items that must be in the plan with a caution.
    cautioned: list[_ItemId] = []
    #: Items that must be in the plan with an adjusted dosage.
    adjusted: list[_ItemId] = []
    #: ``true``: every item of the plan must be gentle (``false`` checks nothing).
    all_gentle: bool = False
    #: ``true``: every item must be one kept while waiting to be assessed (gentle, or
    #: ``while_waiting``), as a ``see_clinician`` plan keeps (``false`` checks nothing).
    all_kept_while_waiting: bool = False
    #: Changes the session logs must have made (a case with ``logs``).
    changes: list[ExpectedChange] = []

    @model_validator(mode="after")
    def _expects_something(self) -> Expectations:
        if not self.model_fields_set:
            raise ValueError(
                f"a case must expect something; expectations: {', '.join(type(self).model_fields)}"
            )
        return self


class Scenario(_Strict):
    """One case: a profile in, expected plan properties out, and the source behind them.

    ``file`` and ``line`` say where it was read (empty and 0 when it was not read from a file).

    >>> scenario = Scenario.model_validate(
    ...     {
    ...         "name": "Knee pain alone is for self-care",
    ...         "source": "footmap_policy",
    ...         "profile": {"pains": [{"area": "knee", "severity": 4}]},
    ...         "expect": {"triage": "self_care"},
    ...     }
    ... )
    >>> scenario.expect.triage
    'self_care'
    """

    name: Annotated[str, Field(min_length=1)]
    source: _SourceId
    profile: Profile
    expect: Expectations
    logs: list[SessionLog] = []
    """Session logs, as ``footmap.SessionLog`` takes them: more facts (``footmap.adjust``)."""

    _file: str = PrivateAttr(default="")
    _node: yaml.Node | None = PrivateAttr(default=None)

    @property
    def file(self) -> str:
        """The file the case was read from, as given (or relative to the working directory)."""
        return self._file

    @property
    def line(self) -> int:
        """The 1-based line where the case starts."""
        return self.line_of()

    def line_of(self, *loc: str | int) -> int:
        """The 1-based line of the key or list entry at ``loc`` (``"expect", "include", 0``).

        The nearest line that exists when ``loc`` does not; 0 when the case is not from a file.
        """
        return _node_at(self._node, loc).start_mark.line + 1 if self._node is not None else 0


# --- problems ----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ScenarioProblem:
    """One problem in a scenario file: its file, 1-based line, case and key, and what is wrong."""

    file: str
    line: int
    case: str
    field: str
    code: FindingCode
    message: str

    def __str__(self) -> str:
        where = [f"{self.file}:{self.line}" if self.line else self.file]
        if self.case:
            where.append(f"case {self.case!r}")
        if self.field:
            where.append(self.field)
        return f"{', '.join(where)}: {self.message} [{self.code.value}]"


class ScenarioError(FootmapError):
    """Scenario files are invalid; ``problems`` lists every problem at once."""

    def __init__(self, problems: Sequence[ScenarioProblem]) -> None:
        self.problems = sorted(problems)
        super().__init__(every_problem(self.problems, "the scenarios"))


def _node_at(node: yaml.Node, loc: Sequence[str | int]) -> yaml.Node:
    """The node at ``loc``, or the deepest one that exists; a mapping key's own node last."""
    for depth, part in enumerate(loc):
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    child = key if depth == len(loc) - 1 else value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
    return node


def _dotted(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


#: The keys a mapping allows, by its location in a case, for an unknown key's did-you-mean.
_KEYS_AT: dict[tuple[str | int, ...], tuple[str, ...]] = {
    (): tuple(Scenario.model_fields),
    ("expect",): tuple(Expectations.model_fields),
}


def _problem(file: str, node: yaml.Node, case: str, error: ErrorDetails) -> ScenarioProblem:
    loc = error["loc"]
    kind = error["type"]
    line = _node_at(node, loc).start_mark.line + 1
    if kind == "extra_forbidden":
        allowed = _KEYS_AT.get(tuple(loc[:-1]), ())
        hint = did_you_mean(str(loc[-1]), allowed)
        listed = f" Allowed: {', '.join(allowed)}." if allowed else ""
        code, message = FindingCode.UNKNOWN_FIELD, f"unknown key {loc[-1]!r}.{hint}{listed}"
    elif kind == "missing":
        code, message = FindingCode.MISSING_FIELD, f"required key {loc[-1]!r} is missing"
    elif kind == "unknown_id":
        code, message = FindingCode.DANGLING_REFERENCE, error["msg"]
    elif kind == "value_error":
        code, message = FindingCode.INVALID_FIELD, str(error.get("ctx", {}).get("error", error["msg"]))
    elif kind == "model_type" and not loc:
        fields = ", ".join(Scenario.model_fields)
        code, message = FindingCode.INVALID_FIELD, f"a case is a mapping with the keys {fields}"
    else:
        code, message = FindingCode.INVALID_FIELD, error["msg"]
    return ScenarioProblem(file, line, case, _dotted(loc), code, message)


def _duplicate_keys(file: str, root: yaml.Node | None) -> list[ScenarioProblem]:
    problems: list[ScenarioProblem] = []
    seen_nodes: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:  # an alias: its node was walked already
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue
                line = key.start_mark.line + 1
                if (key.tag, key.value) in first:
                    message = f"duplicate key {key.value!r} (first at line {first[key.tag, key.value]})"
                    problems.append(ScenarioProblem(file, line, "", "", FindingCode.DUPLICATE_KEY, message))
                first.setdefault((key.tag, key.value), line)
            stack += [value for _, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return problems


def _yaml_problem(file: str, error: yaml.YAMLError) -> ScenarioProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    if isinstance(error, yaml.MarkedYAMLError):
        message = ": ".join(part for part in (error.context, error.problem) if part)
    else:
        message = str(error)
    code = FindingCode.DUPLICATE_KEY if isinstance(error, DuplicateKeyError) else FindingCode.YAML_SYNTAX
    return ScenarioProblem(file, line, "", "", code, message)


# --- loading -----------------------------------------------------------------------------------


def parse_scenarios(
    text: str, file: str = "<string>", knowledge: KnowledgeBase | None = None
) -> list[Scenario]:
    """The cases of a scenario file's text, checked against ``knowledge`` (default: the shipped).

    Raises :class:`ScenarioError` with every problem at once; ``file`` names the text in them.

    >>> parse_scenarios('''
    ... - name: Knee pain alone is for self-care
    ...   source: footmap_policy
    ...   profile: {pains: [{area: knee, severity: 4}]}
    ...   expect: {triage: self_care, exclude: [toe_pres]}
    ... ''')
    Traceback (most recent call last):
    ...
    footmap.testing.ScenarioError: 1 problem in the scenarios:
      - <string>:5, case 'Knee pain alone is for self-care', expect.exclude[0]: Unknown item 'toe_pres' in the knowledge. Did you mean 'toe_press'? [dangling_reference]
    """  # noqa: E501
    knowledge = knowledge if knowledge is not None else shipped_knowledge()
    problems: list[ScenarioProblem] = []
    try:
        data = load_yaml(text)
    except DuplicateKeyError:
        # Report every duplicate, then go on (the last value wins) to find the other problems.
        problems += _duplicate_keys(file, yaml.compose(text, Loader=_SafeLoader))
        data = yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as error:
        raise ScenarioError([_yaml_problem(file, error)]) from None
    root = yaml.compose(text, Loader=_SafeLoader)  # the nodes, for the line of each problem
    if not isinstance(data, list) or not data or not isinstance(root, yaml.SequenceNode):
        line = root.start_mark.line + 1 if root is not None else 1
        message = "a scenario file is a non-empty list of cases (each with name, source, profile, expect)"
        problems.append(ScenarioProblem(file, line, "", "", FindingCode.INVALID_FIELD, message))
        raise ScenarioError(problems)
    scenarios: list[Scenario] = []
    first_line: dict[str, int] = {}
    for index, (entry, node) in enumerate(zip(data, root.value, strict=True)):
        name = entry.get("name") if isinstance(entry, dict) else None
        case = name if isinstance(name, str) else f"#{index + 1}"
        line = _node_at(node, ["name"]).start_mark.line + 1
        if isinstance(name, str) and name in first_line:
            message = f"another case (line {first_line[name]}) has this name; names are unique in a file"
            problems.append(ScenarioProblem(file, line, case, "name", FindingCode.DUPLICATE_ID, message))
        first_line.setdefault(case, line)
        try:
            scenario = Scenario.model_validate(entry, context={"knowledge": knowledge})
        except ValidationError as error:
            problems += [_problem(file, node, case, details) for details in error.errors()]
            continue
        scenario._file, scenario._node = file, node
        scenarios.append(scenario)
    if problems:
        raise ScenarioError(problems)
    return scenarios


def _label(path: Path) -> str:
    """A path as the user gave it, or relative to the working directory when it lies below it."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            pass
    return str(path)


def load_scenarios(path: str | Path, knowledge: KnowledgeBase | None = None) -> list[Scenario]:
    """The cases of one scenario file, checked against ``knowledge`` (default: the shipped).

    Raises :class:`ScenarioError` with every problem of the file at once.

    >>> load_scenarios("no/such/file.yaml")
    Traceback (most recent call last):
    ...
    footmap.testing.ScenarioError: 1 problem in the scenarios:
      - no/such/file.yaml: cannot read: No such file or directory [missing_file]
    """
    path = Path(path)
    label = _label(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        message = f"cannot read: {error.strerror or error}"
        raise ScenarioError([ScenarioProblem(label, 0, "", "", FindingCode.MISSING_FILE, message)]) from None
    except UnicodeDecodeError as error:
        message = f"not UTF-8 text: {error.reason}"
        raise ScenarioError([ScenarioProblem(label, 0, "", "", FindingCode.YAML_SYNTAX, message)]) from None
    return parse_scenarios(text, label, knowledge)


def scenario_files(paths: Iterable[str | Path]) -> list[Path]:
    """The scenario files named: each file as given, each directory's ``*.yaml`` files, sorted.

    Raises :class:`ScenarioError` for a path that does not exist or a directory without any.

    >>> scenario_files([])
    []
    """
    files: list[Path] = []
    problems: list[ScenarioProblem] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(path.glob("*.yaml"))
            if not found:
                problems.append(
                    ScenarioProblem(str(path), 0, "", "", FindingCode.MISSING_FILE, "no *.yaml files here")
                )
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(
                ScenarioProblem(str(path), 0, "", "", FindingCode.MISSING_FILE, "no such file or directory")
            )
    if problems:
        raise ScenarioError(problems)
    return files


# --- running -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """One expectation a plan does not meet: which, where, what was expected and what came."""

    case: str
    file: str
    line: int
    expectation: str
    expected: str
    actual: str

    @property
    def where(self) -> str:
        """``file:line`` of the expectation."""
        return f"{self.file}:{self.line}" if self.line else self.file or "<scenario>"

    def __str__(self) -> str:
        return (
            f"{self.where}: {self.case}: {self.expectation}: expected {self.expected}; actual {self.actual}"
        )


@dataclass(frozen=True)
class ScenarioResult:
    """A case, the plan it gave, and the expectations that plan does not meet (none: it passed)."""

    scenario: Scenario
    plan: Plan
    failures: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        """Whether the plan meets every expectation."""
        return not self.failures

    @property
    def where(self) -> str:
        """``file:line`` of the case."""
        scenario = self.scenario
        return f"{scenario.file}:{scenario.line}" if scenario.line else scenario.file or "<scenario>"

    def report(self) -> str:
        """``PASS name``, or ``FAIL name (file:line)`` with each failure and the plan's reasoning."""
        if self.passed:
            return f"PASS {self.scenario.name}"
        lines = [f"FAIL {self.scenario.name} ({self.where})"]
        for failure in self.failures:
            lines += [
                f"  {failure.expectation} ({failure.where})",
                f"    expected: {failure.expected}",
                f"    actual:   {failure.actual}",
            ]
        lines.append("  the plan:")
        lines += [f"    {line}" if line else "" for line in self.plan.explain().splitlines()]
        return "\n".join(lines)


def _listed(ids: Iterable[str]) -> str:
    return ", ".join(ids) or "none"


def check_plan(scenario: Scenario, plan: Plan, knowledge: KnowledgeBase | None = None) -> list[Failure]:
    """The expectations of ``scenario`` that ``plan`` does not meet, in the order of the keys.

    >>> case = Scenario.model_validate(
    ...     {
    ...         "name": "Knee pain alone is for self-care",
    ...         "source": "footmap_policy",
    ...         "profile": {"pains": [{"area": "knee", "severity": 4}]},
    ...         "expect": {"triage": "urgent"},
    ...     }
    ... )
    >>> print(check_plan(case, recommend(case.profile))[0])
    <scenario>: Knee pain alone is for self-care: triage: expected 'urgent'; actual 'self_care'
    """
    knowledge = knowledge if knowledge is not None else shipped_knowledge()
    expect = scenario.expect
    failures: list[Failure] = []

    def fail(key: str, index: int | None, expected: str, actual: str) -> None:
        loc = ("expect", key) if index is None else ("expect", key, index)
        label = key if index is None else f"{key}[{index}]"
        failures.append(
            Failure(scenario.name, scenario.file, scenario.line_of(*loc), label, expected, actual)
        )

    items = {item.id: item for item in plan.items}
    excluded = {entry.id: entry for entry in plan.excluded}
    routine = [item.id for item in plan.routine]

    def absent(ident: str) -> str:
        if ident in excluded:
            return f"{ident!r} is excluded: {excluded[ident].reason}"
        return f"{ident!r} is not in the plan (items: {_listed(items)})"

    if expect.triage is not None and plan.triage != expect.triage:
        fail("triage", None, repr(expect.triage), repr(plan.triage))
    for index, ident in enumerate(expect.include):
        if ident not in items:
            fail("include", index, f"{ident!r} in the plan", absent(ident))
    for index, ident in enumerate(expect.exclude):
        if ident in items:
            fail("exclude", index, f"{ident!r} not in the plan", f"{ident!r} is in the plan")
    for index, ident in enumerate(expect.excluded):
        if ident not in excluded:
            where = "is in the plan" if ident in items else "is not listed"
            fail(
                "excluded",
                index,
                f"{ident!r} listed as excluded",
                f"{ident!r} {where} (excluded: {_listed(excluded)})",
            )
    if expect.first is not None and routine[:1] != [expect.first]:
        actual = f"{routine[0]!r} first (routine: {_listed(routine)})" if routine else "an empty routine"
        fail("first", None, f"{expect.first!r} first in the routine", actual)
    if expect.routine_empty is not None and (not routine) != expect.routine_empty:
        expected = "an empty routine" if expect.routine_empty else "a routine with items"
        actual = f"routine: {_listed(routine)}" if routine else "an empty routine"
        fail("routine_empty", None, expected, actual)
    rules = sorted({message.rule for message in plan.safety})
    for index, rule in enumerate(expect.safety_rules):
        if rule not in rules:
            fail("safety_rules", index, f"a safety message from {rule!r}", f"messages from {_listed(rules)}")
    for index, rule in enumerate(expect.no_safety_rules):
        if rule in rules:
            fail("no_safety_rules", index, f"no safety message from {rule!r}", f"a message from {rule!r}")
    if expect.max_minutes is not None and plan.minutes_per_day > expect.max_minutes:
        fail(
            "max_minutes",
            None,
            f"at most {expect.max_minutes:g} minutes a day",
            f"{plan.minutes_per_day:g} minutes a day",
        )
    checks: dict[str, tuple[str, Callable[[PlanItem], bool]]] = {
        "cautioned": ("a caution", lambda item: bool(item.cautions)),
        "adjusted": ("an adjusted dosage", lambda item: bool(item.dosage and item.dosage.adjusted_by)),
    }
    for key, (what, has) in checks.items():
        for index, ident in enumerate(getattr(expect, key)):
            expected = f"{ident!r} in the plan with {what}"
            if ident not in items:
                fail(key, index, expected, absent(ident))
            elif not has(items[ident]):
                fail(key, index, expected, f"{ident!r} is in the plan without {what}")
    if expect.all_gentle:
        rough = [ident for ident in items if not knowledge.items[ident].gentle]
        if rough:
            fail("all_gentle", None, "only gentle items", f"not gentle: {_listed(rough)}")
    if expect.all_kept_while_waiting:
        held = [ident for ident in items if not kept_while_waiting(knowledge.items[ident])]
        if held:
            expected = "only items kept while waiting to be assessed"
            fail("all_kept_while_waiting", None, expected, f"not kept while waiting: {_listed(held)}")
    for index, change in enumerate(expect.changes):
        if not any(change.matches(found) for found in plan.changes):
            listed = "; ".join(f"{c.item or 'plan'} {c.change} by {c.rule}" for c in plan.changes) or "none"
            fail("changes", index, f"a change: {change}", f"changes: {listed}")
    return failures


def _result(scenario: Scenario, knowledge: KnowledgeBase) -> ScenarioResult:
    plan = recommend(scenario.profile, knowledge=knowledge, logs=scenario.logs)
    return ScenarioResult(scenario, plan, tuple(check_plan(scenario, plan, knowledge)))


def run_scenario(scenario: Scenario, knowledge: KnowledgeBase | None = None) -> list[Failure]:
    """Recommend a plan for the case's profile; the expectations it does not meet (none: passed).

    >>> case = Scenario.model_validate(
    ...     {
    ...         "name": "Knee pain alone is for self-care",
    ...         "source": "footmap_policy",
    ...         "profile": {"pains": [{"area": "knee", "severity": 4}]},
    ...         "expect": {"triage": "self_care", "routine_empty": False},
    ...     }
    ... )
    >>> run_scenario(case)
    []
    """
    return list(_result(scenario, knowledge if knowledge is not None else shipped_knowledge()).failures)


def run_files(paths: Iterable[str | Path], knowledge: KnowledgeBase | None = None) -> list[ScenarioResult]:
    """Run every case of the scenario files (or directories of ``*.yaml``) named, in order.

    Every file is loaded before any case runs: :class:`ScenarioError` lists the problems of all
    of them at once.

    >>> run_files([])
    []
    """
    knowledge = knowledge if knowledge is not None else shipped_knowledge()
    scenarios: list[Scenario] = []
    problems: list[ScenarioProblem] = []
    for path in scenario_files(paths):
        try:
            scenarios += load_scenarios(path, knowledge)
        except ScenarioError as error:
            problems += error.problems
    if problems:
        raise ScenarioError(problems)
    return [_result(scenario, knowledge) for scenario in scenarios]


# --- the pytest plugin -------------------------------------------------------------------------


class _ScenarioFailed(Exception):
    """Raised by a scenario test item whose plan misses an expectation."""

    def __init__(self, result: ScenarioResult) -> None:
        super().__init__(result.report())
        self.result = result


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--footmap-knowledge``, ``--footmap-overlay`` and the ``footmap_scenarios`` ini option."""
    group = parser.getgroup("footmap", "footmap scenarios")
    group.addoption(
        "--footmap-knowledge",
        metavar="DIR",
        default=None,
        help="knowledge directory to run the scenarios on (default: the shipped knowledge)",
    )
    group.addoption(
        "--footmap-overlay",
        action="store_true",
        help="lay --footmap-knowledge over the shipped knowledge instead of replacing it",
    )
    parser.addini(
        "footmap_scenarios",
        type="args",
        default=list(DEFAULT_PATTERNS),
        help="glob patterns of footmap scenario files, matched against the end of each path"
        f" (default: {' '.join(DEFAULT_PATTERNS)})",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect a file that matches a ``footmap_scenarios`` pattern as a scenario file."""
    patterns: list[str] = parent.config.getini("footmap_scenarios")
    if any(PurePath(file_path).match(pattern) for pattern in patterns):
        collector: pytest.Collector = _scenario_file_class().from_parent(parent, path=file_path)
        return collector
    return None


def _session_knowledge(config: pytest.Config) -> KnowledgeBase:
    directory = config.getoption("footmap_knowledge")
    if directory is None:
        return shipped_knowledge()
    return _load_knowledge(config.invocation_params.dir / directory, config.getoption("footmap_overlay"))


@functools.cache
def _load_knowledge(directory: Path, overlay: bool) -> KnowledgeBase:
    return KnowledgeBase.load(directory, overlay=overlay)


@functools.cache
def _scenario_file_class() -> type[pytest.File]:
    """The plugin's collector and item classes, made on first use so that only pytest needs pytest."""
    import pytest

    class ScenarioFile(pytest.File):
        """A YAML file of scenarios: one test item per case."""

        def collect(self) -> Iterator[pytest.Item]:
            for scenario in load_scenarios(self.path, _session_knowledge(self.config)):
                yield ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)

        def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
            if isinstance(excinfo.value, ScenarioError | KnowledgeError):
                return str(excinfo.value)
            return super().repr_failure(excinfo)

    class ScenarioItem(pytest.Item):
        """One case: recommend a plan for its profile and check every expectation."""

        def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.scenario = scenario

        def runtest(self) -> None:
            result = _result(self.scenario, _session_knowledge(self.config))
            if not result.passed:
                raise _ScenarioFailed(result)

        def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
            if isinstance(excinfo.value, _ScenarioFailed):
                return excinfo.value.result.report()
            return super().repr_failure(excinfo, style)

        def reportinfo(self) -> tuple[Path, int, str]:
            return self.path, self.scenario.line - 1, f"scenario: {self.name}"

    return ScenarioFile
