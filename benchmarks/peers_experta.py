"""The experta peer: footmap's rules translated generically into one ``KnowledgeEngine`` subclass.

Each fact is an experta ``Fact`` with the same fields plus its position (``pos``). Each branch
(:mod:`peers_rules`) is one ``@Rule``: each bound pattern ``AS.<name> << Fact(t=..., key=...,
field=P(test) ...)``, with footmap's check as the predicate (a missing field never matches),
and one ``TEST`` over the bound facts for the ``ref`` s and for distinct facts of one type; an
``absent`` pattern (with no ``ref``) is ``NOT(Fact(...))``. Its action records the match.

experta 1.9.4 pins ``frozendict==1.2``, which cannot be imported on Python 3.10 and later
(``collections.Mapping``); it runs with ``frozendict`` 2 installed over the pin (see
``pyproject.toml``'s ``bench`` extra).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from peers_rules import Branch, Match, PeerPattern, effects, is_number

from footmap._facts import Fact
from footmap._rules.effects import Effect

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda value, operand: value > operand,
    "gte": lambda value, operand: value >= operand,
    "lt": lambda value, operand: value < operand,
    "lte": lambda value, operand: value <= operand,
}


def value_test(operator: str, operand: Any) -> Callable[[Any], bool]:
    """footmap's one-field check as a predicate on a value that is there."""
    if operator == "eq":
        return lambda value: bool(value == operand)
    if operator == "ne":
        return lambda value: bool(value != operand)
    if operator == "one_of":
        return lambda value: value in operand
    if not is_number(operand):
        return lambda value: False  # an order holds between numbers only
    order = _ORDER[operator]
    return lambda value: is_number(value) and order(value, operand)


class ExpertaPeer:
    """Runs the branches as experta rules; one ``reset``, ``declare``, ``run`` per call."""

    def __init__(self, all_branches: Sequence[Branch]) -> None:
        import experta

        self.experta = experta
        self.branches = list(all_branches)
        rules = {f"branch_{n}": self._rule(n, branch) for n, branch in enumerate(self.branches)}
        self.engine_class = type("FootmapRules", (experta.KnowledgeEngine,), rules)
        self.engine = self.engine_class()
        #: The matches of the current run, as experta binds them (experta facts by binding name).
        self.hits: list[tuple[int, dict[str, Any]]] = []

    def _rule(self, number: int, branch: Branch) -> Any:
        experta = self.experta
        elements: list[Any] = []
        for pattern in branch.patterns:
            if pattern.absent:
                if pattern.refs:
                    raise ValueError("an absent pattern with a ref is not translated for experta")
                elements.append(experta.NOT(self._fact(pattern)))
            else:
                elements.append(getattr(experta.AS, _variable(pattern.name)) << self._fact(pattern))
        test = _join_test(branch)
        if test is not None:
            elements.append(experta.TEST(test))
        names = {_variable(pattern.name): pattern.name for pattern in branch.bound}
        hits = self

        def record(engine: Any, **bound: Any) -> None:
            hits.hits.append(
                (number, {names[variable]: fact for variable, fact in bound.items() if variable in names})
            )

        return experta.Rule(*elements)(record)

    def _fact(self, pattern: PeerPattern) -> Any:
        """A pattern as an experta ``Fact`` pattern: type and key as literals, checks as ``P``."""
        fields: dict[str, Any] = {"t": self.experta.L(pattern.fact)}
        if pattern.key is not None:
            fields["key"] = self.experta.L(pattern.key)
        for name, operator, operand in pattern.checks:
            constraint = self.experta.P(value_test(operator, operand))
            fields[name] = fields[name] & constraint if name in fields else constraint
        return self.experta.Fact(**fields)

    def matches(self, facts: Sequence[Fact]) -> list[Match]:
        """Every match of every branch over the facts (positions mapped back to footmap's facts)."""
        engine = self.engine
        self.hits = []
        engine.reset()
        engine.declare(*(self.experta.Fact(pos=n, **fact) for n, fact in enumerate(facts)))
        engine.run()
        return [
            (number, {name: facts[int(fact["pos"])] for name, fact in bound.items()})
            for number, bound in self.hits
        ]

    def run(self, facts: Sequence[Fact]) -> list[Effect]:
        """footmap's effects, sorted."""
        return effects(self.branches, self.matches(facts))


def _variable(name: str) -> str:
    return f"f_{name}"


def _join_test(branch: Branch) -> Callable[..., bool] | None:
    """One test over the bound facts: every ``ref``, and distinct facts for patterns of one type;
    ``None`` when there is nothing to test. Its signature names the bindings, as ``TEST`` reads it."""
    bound = branch.bound
    refs = [
        (_variable(p.name), name, _variable(binding), field) for p in bound for name, binding, field in p.refs
    ]
    pairs = [
        (_variable(one.name), _variable(other.name))
        for place, one in enumerate(bound)
        for other in bound[:place]
        if other.fact == one.fact
    ]
    if not refs and not pairs:
        return None

    def test(**facts: Mapping[str, Any]) -> bool:
        for variable, name, other, field in refs:
            this, that = facts[variable], facts[other]
            if name not in this or field not in that or this[name] != that[field]:
                return False
        return all(facts[one]["pos"] != facts[other]["pos"] for one, other in pairs)

    parameters = [_variable(p.name) for p in bound]
    test.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in parameters]
    )
    return test
