"""The rules evaluated in plain Python: the test oracle, the benchmark's baseline, the fallback.

It reads the rule data (not the compiled durable-rules JSON), so comparing it with the
durable-rules engine checks the compiler too. It is footmap's engine where durable-rules cannot
be imported (Python 3.13 and later; see :mod:`footmap._rules.engine`), and the baseline the
benchmark measures the durable-rules engine against.

It matches the way a rete network's alpha memories do, in plain Python: facts are indexed by type
and by ``key``; each rule waits on one fact it cannot fire without (its *anchor*: the first
pattern that names a key, else the first pattern's type), so a run only looks at the rules whose
anchor is among the facts; within a rule, patterns are joined in order over the indexed facts,
each fact checked by :func:`footmap._rules.match.fits`, the matcher the engine shares.

It means what durable-rules does (``docs/knowledge.md``, "What a rule means"): the patterns of an
``all`` bind distinct facts, ``any`` fires once per pattern per fitting fact with that binding
alone, and ``absent`` holds when no fact of the run, bound or not, fits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from footmap._facts import Fact
from footmap._knowledge import schema
from footmap._rules.effects import Bindings, Effect, RuleHead, sorted_effects
from footmap._rules.match import Matcher, compile_pattern

#: An index key: a fact type and a key, or a fact type and ``None`` for every fact of the type.
_Slot = tuple[str, Any]
#: The anchor of a rule with no pattern that must be present: looked at on every run.
_ALWAYS: _Slot = ("", None)


@dataclass(frozen=True)
class _Step:
    """One pattern of a rule: its binding name, its matcher, and where its facts come from.

    Facts come from the index ``slot``; a pattern whose key is a ``ref`` to an earlier binding
    (``key: {ref: need.item}``) looks the key up instead (``key_ref``), as a hash join would.
    """

    name: str
    matcher: Matcher
    absent: bool
    slot: _Slot
    key_ref: tuple[str, str] | None = None

    def candidates(self, index: dict[_Slot, list[Fact]], bound: Bindings) -> list[Fact]:
        if self.key_ref is not None:
            binding, field = self.key_ref
            if field not in bound[binding]:
                return []
            return index.get((self.slot[0], bound[binding][field]), [])
        return index.get(self.slot, [])


@dataclass(frozen=True)
class _Prepared:
    """A rule ready to run: its effect's fields and its patterns as join steps."""

    head: RuleHead
    any: bool
    steps: tuple[_Step, ...]

    def matches(self, index: dict[_Slot, list[Fact]]) -> Iterator[Bindings]:
        if self.any:
            for step in self.steps:
                for fact in step.candidates(index, {}):
                    if step.matcher.fits(fact, {}):
                        yield {step.name: fact}
            return
        yield from _join(self.steps, 0, index, {})

    def effect(self, bindings: Bindings) -> Effect:
        return self.head.effect_of(bindings)


def _join(
    steps: tuple[_Step, ...], position: int, index: dict[_Slot, list[Fact]], bound: Bindings
) -> Iterator[Bindings]:
    if position == len(steps):
        yield bound
        return
    step = steps[position]
    fitting = [fact for fact in step.candidates(index, bound) if step.matcher.fits(fact, bound)]
    if step.absent:
        if not fitting:
            yield from _join(steps, position + 1, index, bound)
        return
    for fact in fitting:
        if not any(fact is other for other in bound.values()):  # one fact, one pattern
            yield from _join(steps, position + 1, index, {**bound, step.name: fact})


def _step(number: int, pattern: schema.Pattern) -> _Step:
    matcher = compile_pattern(pattern)
    key_refs = [operand for name, operator, operand in matcher.checks if name == "key" and operator == "ref"]
    return _Step(
        pattern.bind or f"p{number}",
        matcher,
        pattern.absent,
        (pattern.fact, pattern.is_),
        key_refs[0] if key_refs and pattern.is_ is None else None,
    )


class ReferenceEngine:
    """Runs rules over facts in plain Python; the same effects as ``RuleEngine.run``, sorted.

    >>> from footmap._rules.compile import knowledge_rules
    >>> from footmap._knowledge.base import shipped_knowledge
    >>> engine = ReferenceEngine(knowledge_rules(shipped_knowledge()))
    >>> [e.level for e in engine.run([{"t": "symptom", "key": "saddle_numbness"}])]
    ['urgent']
    """

    def __init__(self, rules: Sequence[schema.Rule]) -> None:
        self.rules = tuple(rules)
        #: Rules by anchor; an ``any`` rule is anchored once per pattern (any of them may fire it).
        self._by_anchor: dict[_Slot, list[_Prepared]] = defaultdict(list)
        for rule in self.rules:
            prepared = _prepare(rule)
            anchors = [step.slot for step in prepared.steps] if prepared.any else [_anchor(prepared.steps)]
            for anchor in dict.fromkeys(anchors):
                self._by_anchor[anchor].append(prepared)

    def run(self, facts: Sequence[Fact]) -> list[Effect]:
        """Every effect the rules produce over the facts, sorted like ``RuleEngine.run``."""
        if len({id(fact) for fact in facts}) != len(facts):
            facts = [Fact(**fact) for fact in facts]  # the same fact twice is two facts, as asserted
        index: dict[_Slot, list[Fact]] = defaultdict(list)
        for fact in facts:
            fact_type = str(fact.get("t"))
            index[(fact_type, None)].append(fact)
            if "key" in fact:
                index[(fact_type, fact["key"])].append(fact)
        rows: set[Effect] = set()
        seen: set[int] = set()
        for slot in [_ALWAYS, *index]:
            for prepared in self._by_anchor.get(slot, ()):
                if id(prepared) in seen:
                    continue
                seen.add(id(prepared))
                rows.update(prepared.effect(bindings) for bindings in prepared.matches(index))
        return sorted_effects(rows)


def _prepare(rule: schema.Rule) -> _Prepared:
    steps = tuple(_step(number, pattern) for number, pattern in enumerate(rule.when.patterns))
    return _Prepared(RuleHead.of(rule), rule.when.any is not None, steps)


def _anchor(steps: tuple[_Step, ...]) -> _Slot:
    """A fact an ``all`` rule cannot fire without: a keyed pattern's slot, else the first type's."""
    positive = [step for step in steps if not step.absent]
    keyed = [step for step in positive if step.slot[1] is not None]
    return (keyed or positive)[0].slot if positive else _ALWAYS


def evaluate(rules: Sequence[schema.Rule], facts: Sequence[Fact]) -> list[Effect]:
    """Every effect the rules produce over the facts, sorted like ``RuleEngine.run``."""
    return ReferenceEngine(rules).run(facts)
