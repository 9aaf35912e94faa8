"""The CLIPS peer (clipspy): footmap's rules translated generically into one deftemplate and defrules.

Every fact is an ``fm-fact`` with one slot per field name (``s0``, ``s1`` ...; fields are not
CLIPS names) and its position in the run (``pos``); a field the fact lacks holds the symbol
``fm-missing``, which no check accepts (a missing field never holds, nor joins). Values keep
their kind: text as a CLIPS string, ``True``/``False`` as the symbols ``TRUE``/``FALSE``,
``None`` as ``nil``, numbers as numbers, a whole float as an integer (exact up to 2**53), so that
CLIPS's own equality (literals, shared variables) is Python's ``==`` for numbers too (``3``
equals ``3.0``). One kind differs from Python on purpose: a flag never equals a number here
(Python has ``True == 1``); no shipped rule compares the two, and the agreement check would show it.

A branch (:mod:`peers_rules`) becomes one ``defrule``: each bound pattern a fact pattern with its
checks as slot constraints (literals, which CLIPS shares and indexes, and a predicate for an
order), each ``ref`` a variable shared with the earlier pattern (a join CLIPS hashes), distinct
facts for patterns of one type (``test (neq ?a ?b)``), and each ``absent`` pattern a ``not``
conditional element (CLIPS's ``not`` sees every fact, the bound ones included, as footmap's
``absent`` does). Its action calls back into Python (``fm-record``) with the branch and the
positions of the facts it bound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from peers_rules import Branch, Match, PeerPattern, effects, is_number

from footmap._facts import Fact
from footmap._rules.effects import Effect

_MISSING = "fm-missing"
_ORDER = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
#: The whole floats written as integers: those a float holds exactly.
_EXACT = 2**53


def _whole(value: float) -> bool:
    return value.is_integer() and -_EXACT <= value <= _EXACT


def _exact(value: Any) -> Any:
    """A value as the fact holds it in CLIPS: a whole float as an integer."""
    return int(value) if isinstance(value, float) and _whole(value) else value


def clips_value(value: Any) -> str:
    """A Python value as a CLIPS constant of its kind."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if value is None:
        return "nil"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if _whole(value) else repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


class ClipsPeer:
    """Runs the branches in a CLIPS environment; one ``reset``, assert, ``run`` per call."""

    def __init__(self, all_branches: Sequence[Branch], fields: Sequence[str]) -> None:
        import clips

        self.branches = list(all_branches)
        self.slots = {name: f"s{number}" for number, name in enumerate(fields)}
        self.environment = clips.Environment()
        self.environment.build(self.template())
        self._facts: Sequence[Fact] = ()
        self._found: list[Match] = []
        self.environment.define_function(self._record, "fm-record")
        for number, branch in enumerate(self.branches):
            self.environment.build(self.defrule(number, branch))
        self._template = self.environment.find_template("fm-fact")
        self._release = _release_fact()
        self._slot_values: dict[tuple[tuple[tuple[str, object], ...], tuple[type, ...]], dict[str, Any]] = {}

    def template(self) -> str:
        """The one deftemplate every fact is an instance of."""
        slots = " ".join(f"(slot {slot} (default {_MISSING}))" for slot in self.slots.values())
        return f"(deftemplate fm-fact (slot pos) {slots})"

    def defrule(self, number: int, branch: Branch) -> str:
        """One branch as a CLIPS rule."""
        places = {pattern.name: place for place, pattern in enumerate(branch.patterns)}
        lines: list[str] = []
        bound: list[int] = []
        for place, pattern in enumerate(branch.patterns):
            element = self._pattern(place, pattern, branch, places)
            if pattern.absent:
                lines.append(f"(not {element})")
                continue
            lines.append(f"?f{place} <- {element}")
            same_type = [other for other in bound if branch.patterns[other].fact == pattern.fact]
            lines += [f"(test (neq ?f{place} ?f{other}))" for other in same_type]
            bound.append(place)
        positions = " ".join(f"?pos{place}" for place in bound)
        body = "\n  ".join(lines)
        return f"(defrule branch-{number}\n  {body}\n  =>\n  (fm-record {number} {positions}))"

    def _pattern(self, place: int, pattern: PeerPattern, branch: Branch, places: dict[str, int]) -> str:
        """A pattern as an ``fm-fact`` pattern: a constraint per slot it tests, joins as shared
        variables (CLIPS hashes them), and a variable for each slot a later pattern joins on."""
        constraints: dict[str, list[tuple[str, Any]]] = {"t": [("eq", pattern.fact)]}
        if pattern.key is not None:
            constraints["key"] = [("eq", pattern.key)]
        for name, operator, operand in pattern.checks:
            constraints.setdefault(name, []).append((operator, operand))
        joined: dict[str, list[str]] = {}
        for name, binding, field in pattern.refs:
            joined.setdefault(name, []).append(self._variable(places[binding], field))
        read_later = {
            field for later in branch.patterns for _, binding, field in later.refs if binding == pattern.name
        }
        slots = [] if pattern.absent else [f"(pos ?pos{place})"]
        for name in sorted(set(constraints) | set(joined) | read_later, key=self.slots.__getitem__):
            earlier = joined.get(name, [])
            shared = bool(earlier) and name not in read_later  # a later join needs this one's own
            variable = earlier[0] if shared else self._variable(place, name)
            # A literal only for a slot's one check, never on a slot joined to an earlier
            # pattern: CLIPS refuses a rule whose literals it proves contradictory ("a"&"b") where
            # footmap's rule simply never fires, and clipspy 1.0.6's CLIPS ignores a predicate
            # joined to a literal (?v&"a"&:(eq ?v "b") matches "a", measured).
            checks = constraints.get(name, [])
            literal = len(checks) == 1 and not earlier
            tests = [_constraint(variable, operator, operand, literal) for operator, operand in checks]
            tests += [f":(eq {variable} {other})" for other in earlier[1 if shared else 0 :]]
            if shared:
                tests.insert(0, f":(neq {variable} {_MISSING})")  # a missing field never joins
            elif name in joined or (tests and tests[0].startswith((":", "~"))):
                tests.insert(0, f"~{_MISSING}")  # a missing field never holds
            slots.append(f"({self.slots[name]} {'&'.join([variable, *tests])})")
        return f"(fm-fact {' '.join(slots)})"

    def _variable(self, place: int, field: str) -> str:
        """The CLIPS variable that holds a field of the fact bound by the pattern at ``place``."""
        return f"?v{place}_{self.slots[field]}"

    def matches(self, facts: Sequence[Fact]) -> list[Match]:
        """Every match of every branch over the facts."""
        environment = self.environment
        environment.reset()
        self._facts = facts
        assert_fact, release = self._template.assert_fact, self._release
        for number, fact in enumerate(facts):
            release(assert_fact(pos=number, **self._slots_of(fact)))
        self._found = []
        environment.run()
        return self._found

    def _record(self, number: int, *positions: int) -> None:
        """A match, as a rule's action hands it over: the branch and its bound facts' positions."""
        names = [pattern.name for pattern in self.branches[number].bound]
        facts = self._facts
        self._found.append((number, {name: facts[at] for name, at in zip(names, positions, strict=True)}))

    def _slots_of(self, fact: Fact) -> dict[str, Any]:
        """A fact's values by slot (remembered: item facts repeat from run to run); clipspy
        writes text as a CLIPS string, a flag as ``TRUE``/``FALSE``, ``None`` as ``nil``."""
        # with each value's type: 1, 1.0 and True are equal keys, but not the same fact here
        content = (tuple(fact.items()), tuple(map(type, fact.values())))
        slots = self._slot_values.get(content)
        if slots is None:
            slots = self._slot_values[content] = {
                self.slots[name]: _exact(value) for name, value in content[0] if name in self.slots
            }
        return slots

    def run(self, facts: Sequence[Fact]) -> list[Effect]:
        """footmap's effects, sorted."""
        return effects(self.branches, self.matches(facts))


def _constraint(variable: str, operator: str, operand: Any, literal: bool) -> str:
    """One check as a CLIPS slot constraint: a literal where asked and CLIPS can test one (it
    shares and indexes those), else a predicate (``:``) on the slot's variable."""
    if operator in ("eq", "ne", "one_of") and literal:
        values = [clips_value(one) for one in (operand if operator == "one_of" else [operand])]
        if values:
            return ("~" if operator == "ne" else "") + "|".join(values)
    if operator == "eq":
        return f":(eq {variable} {clips_value(operand)})"
    if operator == "ne":
        return f":(neq {variable} {clips_value(operand)})"
    if operator == "one_of":
        return f":(or {' '.join(f'(eq {variable} {clips_value(one)})' for one in operand)} FALSE)"
    if not is_number(operand):
        return f":(eq {variable} fm-never)"  # an order holds between numbers only
    return f":(and (numberp {variable}) ({_ORDER[operator]} {variable} {clips_value(operand)}))"


def _release_fact() -> Callable[[Any], None]:
    """What releases a fact clipspy wrapped, as clipspy 1.0.6 means to and does not.

    Its ``Fact.__del__`` calls CLIPS's ``ReleaseFact`` with two arguments where CLIPS 6.4 takes
    one, and swallows the ``TypeError``: every fact asserted from Python stays retained in CLIPS,
    its memory grows 160 bytes a fact and each run is slower than the last (measured: 3 s for
    the first 1,000 runs of 40 facts, 31 s for the sixth). So the peer releases each fact itself
    right after asserting it, with the one-argument call (clipspy's own binding of CLIPS).
    """
    from clips._clips import lib

    def release(fact: Any) -> None:
        lib.ReleaseFact(fact._fact)

    return release
