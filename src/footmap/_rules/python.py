"""The compiled-Python twin of the rule engine: each alpha a Python closure, joined in Python.

The rules are compiled once per knowledge base (:func:`~footmap._rules.network.build_network`);
each alpha's field checks become one closure built from :mod:`operator` functions and constant
operands (no ``eval``, no generated source), filed by the fact type and key it tests, so a fact
meets only the tests of its own type and key. Its joins are :meth:`Network.effects`, shared with
the durable-rules engine: the two differ only in who runs the alpha tests.

It is footmap's engine on Python 3.13 and later (durable-rules cannot be imported there) and
wherever durable-rules cannot hold the rules, and what ``engine="python"`` asks for anywhere.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from footmap._facts import Fact
from footmap._rules.effects import Effect
from footmap._rules.match import Check
from footmap._rules.network import Alpha, KnownFits, Network

#: A compiled one-fact test.
Test = Callable[[Mapping[str, Any]], bool]

_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_MISSING = object()


class PythonEngine:
    """Runs a network's rules over facts in plain Python; the effects, sorted.

    >>> from footmap._knowledge.base import shipped_knowledge
    >>> from footmap._rules.engine import knowledge_network
    >>> engine = PythonEngine(knowledge_network(shipped_knowledge()))
    >>> [e.level for e in engine.run([{"t": "symptom", "key": "saddle_numbness"}])]
    ['urgent']
    """

    name = "python"

    def __init__(self, network: Network) -> None:
        self.network = network
        self._slots: dict[tuple[object, object], _Slot] = defaultdict(_Slot)
        for index, alpha in network.tested.items():
            self._slots[(alpha.fact, alpha.key)].add(index, alpha)
        self._known = KnownFits(self._alpha_fits, len(network.alphas))

    def run(self, facts: Sequence[Fact], known: int = 0) -> list[Effect]:
        """Every effect the rules produce over the facts, sorted; the last ``known`` facts depend
        on the knowledge alone (:class:`~footmap._rules.network.KnownFits`)."""
        return self.network.effects(facts, self.fits(facts, known))

    def fits(self, facts: Sequence[Fact], known: int = 0) -> list[Sequence[int]]:
        """For each alpha, the positions of the facts that pass it, in order."""
        return self._known.fits(facts, known)

    def _alpha_fits(self, facts: Sequence[Fact]) -> list[Sequence[int]]:
        fits = self.network.indexed_fits(facts)
        slots = self._slots
        for position, fact in enumerate(facts):
            fact_type = fact.get("t")
            slot = slots.get((fact_type, None))
            if slot is not None:
                slot.test(fact, position, fits)
            key = fact.get("key", _MISSING)
            if key is not _MISSING:
                slot = slots.get((fact_type, key))
                if slot is not None:
                    slot.test(fact, position, fits)
        return fits


class _Slot:
    """The alphas of one fact type and key, filed as a rete's alpha network files them.

    An alpha with an equality check (``eq``, or each value of a ``one_of``) is filed under that
    field and value, so a fact meets only the alphas its own values can pass: a dict lookup by
    the fact's value (``hash`` and ``==`` agree for ``1``, ``1.0`` and ``True``, as the check does).
    """

    def __init__(self) -> None:
        self.plain: list[tuple[int, Test]] = []
        self.by_value: dict[str, dict[Any, list[tuple[int, Test]]]] = defaultdict(lambda: defaultdict(list))

    def add(self, index: int, alpha: Alpha) -> None:
        test = compile_alpha(alpha)
        for name, kind, operand in alpha.checks:
            if kind == "eq" and _hashable(operand):
                self.by_value[name][operand].append((index, test))
                return
        for name, kind, operand in alpha.checks:
            if kind == "one_of" and all(_hashable(one) for one in operand):
                for one in dict.fromkeys(operand):
                    self.by_value[name][one].append((index, test))
                return
        self.plain.append((index, test))

    def test(self, fact: Mapping[str, Any], position: int, fits: list[Sequence[int]]) -> None:
        for index, test in self.plain:
            if test(fact):
                _add(fits, index, position)
        for name, values in self.by_value.items():
            value = fact.get(name, _MISSING)
            if value is _MISSING or not _hashable(value):
                continue
            for index, test in values.get(value, ()):
                if test(fact) and (not fits[index] or fits[index][-1] != position):
                    _add(fits, index, position)


def _add(fits: list[Sequence[int]], index: int, position: int) -> None:
    """``position`` passes alpha ``index``: appended to its fits (a list of its own from the first)."""
    positions = fits[index]
    if isinstance(positions, list):
        positions.append(position)
    else:
        fits[index] = [position]


def _hashable(value: Any) -> bool:
    """Whether a value can be a dict key that finds exactly the values ``==`` to it (not NaN)."""
    return isinstance(value, str | int | float | bool | type(None)) and value == value


def compile_alpha(alpha: Alpha) -> Test:
    """An alpha's field checks as one closure (its type and key are checked by where it is filed).

    >>> test = compile_alpha(Alpha("pain", None, (("severity", "gte", 6),)))
    >>> test({"t": "pain", "severity": 7}), test({"t": "pain", "severity": True}), test({"t": "pain"})
    (True, False, False)
    """
    tests = [compile_check(check) for check in alpha.checks]
    if not tests:
        return _always
    if len(tests) == 1:
        return tests[0]
    return lambda fact: all(test(fact) for test in tests)


def compile_check(check: Check) -> Test:
    """One field check as a closure; a missing field never holds (``docs/knowledge.md``)."""
    name, kind, operand = check
    if kind == "eq":
        return lambda fact: (value := fact.get(name, _MISSING)) is not _MISSING and bool(value == operand)
    if kind == "ne":
        return lambda fact: (value := fact.get(name, _MISSING)) is not _MISSING and bool(value != operand)
    if kind == "one_of":
        return lambda fact: (value := fact.get(name, _MISSING)) is not _MISSING and value in operand
    if kind in _ORDER:
        if not _is_number(operand):
            return _never
        compare = _ORDER[kind]
        return lambda fact: _is_number(value := fact.get(name)) and bool(compare(value, operand))
    raise ValueError(f"not a one-fact check: {check!r}")


def _always(fact: Mapping[str, Any]) -> bool:
    return True


def _never(fact: Mapping[str, Any]) -> bool:
    return False


def _is_number(value: Any) -> bool:
    return (type(value) is int or type(value) is float) or (
        isinstance(value, int | float) and not isinstance(value, bool)
    )
