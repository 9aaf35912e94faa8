"""The plain-Python peer: one Python function generated from each rule branch, as a person would write it.

Each branch becomes a generator of nested ``for`` loops over the run's facts indexed by type and
key, one loop per bound pattern (a pattern whose key is a ``ref`` looks it up, a hash join), its
checks as ``if`` tests on the fact's fields, and an ``absent`` pattern as ``any(...)`` over the
facts of its type. The source is generated from the rule data (:mod:`peers_rules`) and compiled
once; it names no fact type or field of its own. This is the table's baseline: footmap's compiled
twin (``footmap._rules.python``) is another plain-Python engine, built from closures and a
shared join network instead of generated source, and is timed as its own row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from peers_rules import Branch, Match, PeerPattern, effects, is_number

from footmap._facts import Fact
from footmap._rules.effects import Effect

#: A generated branch: the index of the run's facts in, each match's bindings out.
Generated = Callable[[Mapping[tuple[str, Any], list[Fact]]], Iterator[dict[str, Fact]]]
_ORDER = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class GeneratedPython:
    """Runs generated plain-Python functions, one per branch, over a run's facts."""

    def __init__(self, all_branches: Sequence[Branch]) -> None:
        self.branches = list(all_branches)
        self.source = module_source(self.branches)
        namespace: dict[str, Any] = {"is_number": is_number}
        exec(compile(self.source, "<peers_python>", "exec"), namespace)
        self._functions: list[Generated] = [namespace[f"branch_{n}"] for n in range(len(self.branches))]

    def matches(self, facts: Sequence[Fact]) -> list[Match]:
        """Every match of every branch over the facts."""
        index: dict[tuple[str, Any], list[Fact]] = defaultdict(list)
        for fact in facts:
            index[(str(fact.get("t")), None)].append(fact)
            if "key" in fact:
                index[(str(fact.get("t")), fact["key"])].append(fact)
        return [(number, bound) for number, run in enumerate(self._functions) for bound in run(index)]

    def run(self, facts: Sequence[Fact]) -> list[Effect]:
        """footmap's effects, sorted."""
        return effects(self.branches, self.matches(facts))


def module_source(all_branches: Sequence[Branch]) -> str:
    """The Python source of every branch's function (``branch_<n>``)."""
    return "\n\n".join(branch_source(number, branch) for number, branch in enumerate(all_branches))


def branch_source(number: int, branch: Branch) -> str:
    """One branch as a generator function of the facts' index."""
    lines = [f"def branch_{number}(index):"]
    depth = 1
    bound: list[PeerPattern] = []
    for pattern in branch.bound:
        variable = _variable(pattern.name)
        lines.append("    " * depth + f"for {variable} in {_source_of(pattern)}:")
        depth += 1
        same_type = [_variable(other.name) for other in bound if other.fact == pattern.fact]
        tests = [test for test in (_fact_test(variable, pattern),) if test != "True"]
        tests += [f"{variable} is not {other}" for other in same_type]  # one fact, one pattern
        if tests:
            lines.append("    " * depth + f"if not ({' and '.join(tests)}):")
            lines.append("    " * (depth + 1) + "continue")
        bound.append(pattern)
    for pattern in branch.patterns:
        if pattern.absent:
            test = _fact_test("x", pattern)
            lines.append("    " * depth + f"if any({test} for x in {_source_of(pattern)}):")
            lines.append("    " * (depth + 1) + "continue" if bound else "    " * (depth + 1) + "return")
    names = ", ".join(f"{pattern.name!r}: {_variable(pattern.name)}" for pattern in branch.bound)
    lines.append("    " * depth + f"yield {{{names}}}")
    if not bound:
        lines.append("    " * depth + "return")
    return "\n".join(lines)


def _variable(name: str) -> str:
    return f"f_{name}"


def _source_of(pattern: PeerPattern) -> str:
    """Where a pattern's facts come from: its type and key, or its key's ``ref``, in the index."""
    key_refs = [(binding, field) for name, binding, field in pattern.refs if name == "key"]
    if pattern.key is None and key_refs:
        binding, field = key_refs[0]
        other = _variable(binding)
        return f"(index.get(({pattern.fact!r}, {other}[{field!r}]), ()) if {field!r} in {other} else ())"
    return f"index.get(({pattern.fact!r}, {pattern.key!r}), ())"


def _fact_test(variable: str, pattern: PeerPattern) -> str:
    """A pattern's checks and refs on one fact as one Python expression (a missing field: false)."""
    tests = [_check(variable, name, operator, operand) for name, operator, operand in pattern.checks]
    for name, binding, field in pattern.refs:
        other = _variable(binding)
        tests.append(
            f"{name!r} in {variable} and {field!r} in {other} and {variable}[{name!r}] == {other}[{field!r}]"
        )
    return " and ".join(f"({test})" for test in tests) or "True"


def _check(variable: str, name: str, operator: str, operand: Any) -> str:
    value = f"{variable}[{name!r}]"
    present = f"{name!r} in {variable}"
    if operator == "eq":
        return f"{present} and {value} == {operand!r}"
    if operator == "ne":
        return f"{present} and {value} != {operand!r}"
    if operator == "one_of":
        return f"{present} and {value} in {tuple(operand)!r}"
    if not is_number(operand):
        return "False"  # an order holds between numbers only
    return f"{present} and is_number({value}) and {value} {_ORDER[operator]} {operand!r}"
