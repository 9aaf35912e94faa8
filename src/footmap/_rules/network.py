"""The rules as a network: distinct one-fact tests (alphas), and joins over the facts that pass.

A rete network has two halves: the *alpha* half tests one fact at a time ("a pain at the back
of severity 6 or more"), the *beta* half joins facts that passed ("that pain, and a person over
50, and no red flag"). footmap compiles its rules once per knowledge base into this shape:

- :class:`Alpha`: one distinct one-fact test (type, key and field checks, no reference to
  another fact). Patterns alike across rules share one alpha, so a test runs once per fact.
- :class:`JoinRule`: a rule as join steps over alphas, with the checks that compare two facts
  (``ref``), ``absent`` patterns, and the rule's effect (:class:`~footmap._rules.effects.RuleHead`).

Both engines run the alpha half their own way, into :data:`Fits` (for each alpha, the positions
of the facts that pass it, in order); :meth:`Network.effects` then runs the beta half in plain
Python for both. durable-rules runs the alphas (``footmap._rules.durable``), the compiled twin
runs them as Python closures (``footmap._rules.python``). The joins are Python for both because
durable-rules 2.0.28 corrupts its heap when it retracts the facts of a completed join
(``docs/reliability.md``); one-fact matches it retracts cleanly (valgrind shows no error).

The meaning is the one written in ``docs/knowledge.md`` ("What a rule means"), which the
independent reference evaluator (``footmap._rules.reference``) also follows: the patterns of an
``all`` bind distinct facts, joined in order; ``any`` fires once per pattern per fitting fact, with
that binding alone; an ``absent`` pattern holds when no fact of the run, bound or not, fits it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from footmap._knowledge import schema
from footmap._rules.effects import Effect, RuleHead, describe_fact, sorted_effects
from footmap._rules.match import Check, compile_pattern

if TYPE_CHECKING:  # the facts stage reads the profile, which the knowledge check (and so this) precedes
    from footmap._facts import Fact

#: For each alpha of a network, the positions (in the run's facts) of the facts that pass it.
Fits = Sequence[Sequence[int]]
#: A ``ref`` check: the field of this fact, the binding of an earlier pattern, that fact's field.
RefCheck = tuple[str, str, str]


@dataclass(frozen=True)
class Alpha:
    """One distinct one-fact test: the fact type, its key (``is``) if any, and field checks."""

    fact: str
    key: str | None
    checks: tuple[Check, ...]

    @property
    def identity(self) -> tuple[str, str | None, str]:
        """What makes two alphas the same test (``repr`` keeps ``1``, ``1.0`` and ``True`` apart)."""
        return (self.fact, self.key, repr(self.checks))


@dataclass(frozen=True)
class JoinStep:
    """One pattern of a rule: its binding, its alpha, and its checks against earlier bindings.

    ``key_ref`` is the ``ref`` a keyless pattern makes on its ``key`` (``key: {ref: need.item}``):
    the join looks that key up among the alpha's facts instead of trying each one.
    """

    name: str
    alpha: int
    refs: tuple[RefCheck, ...]
    absent: bool
    key_ref: tuple[str, str] | None


@dataclass(frozen=True)
class JoinRule:
    """A rule as join steps over alphas, and its effect."""

    head: RuleHead
    any: bool
    steps: tuple[JoinStep, ...]

    @property
    def anchors(self) -> tuple[int, ...]:
        """The alphas one of which must have a fact for the rule to fire (none: it always may).

        An ``any`` rule fires from any of its patterns; an ``all`` rule needs every positive one,
        so one suffices to look it up: a keyed one (fewest facts), else the first.
        """
        if self.any:
            return tuple(dict.fromkeys(step.alpha for step in self.steps))
        positive = [step for step in self.steps if not step.absent]
        return (positive[0].alpha,) if positive else ()


@dataclass(frozen=True)
class Network:
    """Compiled rules: their alphas, and the rules as joins over them."""

    alphas: tuple[Alpha, ...]
    rules: tuple[JoinRule, ...]
    #: Rules by anchor alpha (see :attr:`JoinRule.anchors`).
    by_anchor: Mapping[int, tuple[int, ...]] = field(repr=False)
    #: Rules with no positive pattern: looked at on every run.
    always: tuple[int, ...] = field(repr=False)
    #: The rules' own data, in order (what the reference evaluator reads).
    sources: tuple[schema.Rule, ...] = field(repr=False)

    def effects(self, facts: Sequence[Fact], fits: Fits) -> list[Effect]:
        """Every effect of the rules over the facts, given which facts pass each alpha; sorted."""
        described = [describe_fact(fact) for fact in facts]
        rows: set[Effect] = set()
        for index in self._reached(fits):
            rule = self.rules[index]
            for names, positions in _matches(rule, facts, fits):
                rows.add(_effect(rule.head, names, positions, facts, described))
        return sorted_effects(rows)

    def _reached(self, fits: Fits) -> list[int]:
        """The rules that may fire: those anchored on an alpha some fact passed, and the rest."""
        reached = dict.fromkeys(self.always)
        for alpha, positions in enumerate(fits):
            if positions:
                reached.update(dict.fromkeys(self.by_anchor.get(alpha, ())))
        return list(reached)


def build_network(rules: Sequence[schema.Rule]) -> Network:
    """The network of a sequence of rules (their patterns' alphas shared where alike)."""
    alphas: dict[tuple[str, str | None, str], int] = {}
    ordered: list[Alpha] = []
    joins: list[JoinRule] = []
    for rule in rules:
        steps = []
        for number, pattern in enumerate(rule.when.patterns):
            alpha, refs, key_ref = _split(pattern)
            if alpha.identity not in alphas:
                alphas[alpha.identity] = len(ordered)
                ordered.append(alpha)
            name = pattern.bind or f"p{number}"
            steps.append(JoinStep(name, alphas[alpha.identity], refs, pattern.absent, key_ref))
        joins.append(JoinRule(RuleHead.of(rule), rule.when.any is not None, tuple(steps)))
    by_anchor: dict[int, list[int]] = defaultdict(list)
    always = []
    for index, join in enumerate(joins):
        for anchor in join.anchors:
            by_anchor[anchor].append(index)
        if not join.anchors:
            always.append(index)
    return Network(
        tuple(ordered),
        tuple(joins),
        {alpha: tuple(indexes) for alpha, indexes in by_anchor.items()},
        tuple(always),
        tuple(rules),
    )


def _split(pattern: schema.Pattern) -> tuple[Alpha, tuple[RefCheck, ...], tuple[str, str] | None]:
    """A pattern's one-fact test, its ``ref`` checks, and the ``ref`` on its key, if any."""
    matcher = compile_pattern(pattern)
    own = tuple(check for check in matcher.checks if check[1] != "ref")
    refs = tuple((name, *operand) for name, operator, operand in matcher.checks if operator == "ref")
    key_refs = [(binding, other) for name, binding, other in refs if name == "key"]
    key_ref = key_refs[0] if key_refs and pattern.is_ is None else None
    return Alpha(pattern.fact, pattern.is_, own), refs, key_ref


def _matches(
    rule: JoinRule, facts: Sequence[Fact], fits: Fits
) -> Iterator[tuple[tuple[str, ...], tuple[int, ...]]]:
    """Each match of a rule: the binding names, and the positions of the facts they bind."""
    if rule.any:
        for step in rule.steps:
            names: tuple[str, ...] = (step.name,)
            for position in fits[step.alpha]:
                if not step.refs:  # a `ref` in an `any` pattern has nothing bound to compare with
                    yield names, (position,)
        return
    names = tuple(step.name for step in rule.steps if not step.absent)
    for positions in _join(rule.steps, 0, facts, fits, ()):
        yield names, positions


def _join(
    steps: tuple[JoinStep, ...], at: int, facts: Sequence[Fact], fits: Fits, bound: tuple[int, ...]
) -> Iterator[tuple[int, ...]]:
    if at == len(steps):
        yield bound
        return
    step = steps[at]
    fitting = _fitting(step, steps, facts, fits, bound)
    if step.absent:
        if not fitting:
            yield from _join(steps, at + 1, facts, fits, bound)
        return
    for position in fitting:
        if position not in bound:  # one fact, one pattern
            yield from _join(steps, at + 1, facts, fits, (*bound, position))


def _fitting(
    step: JoinStep, steps: tuple[JoinStep, ...], facts: Sequence[Fact], fits: Fits, bound: tuple[int, ...]
) -> Sequence[int]:
    """The facts passing a step's alpha that also pass its checks against the earlier bindings."""
    candidates = fits[step.alpha]
    if not step.refs:
        return candidates
    by_name = _bound_facts(steps, facts, bound)
    return [position for position in candidates if _refs_hold(facts[position], step.refs, by_name)]


def _bound_facts(
    steps: tuple[JoinStep, ...], facts: Sequence[Fact], bound: tuple[int, ...]
) -> dict[str, Fact]:
    """The facts bound so far, by binding name (absent steps bind nothing)."""
    names = [step.name for step in steps if not step.absent]
    return {name: facts[position] for name, position in zip(names, bound, strict=False)}


def _refs_hold(
    fact: Mapping[str, object], refs: tuple[RefCheck, ...], bound: Mapping[str, Mapping[str, Any]]
) -> bool:
    """Whether every ``ref`` check holds; a missing field, on either side, never does."""
    for name, binding, other in refs:
        earlier = bound.get(binding)
        if name not in fact or earlier is None or other not in earlier:
            return False
        if not bool(fact[name] == earlier[other]):
            return False
    return True


def _effect(
    head: RuleHead,
    names: tuple[str, ...],
    positions: tuple[int, ...],
    facts: Sequence[Fact],
    described: Sequence[str],
) -> Effect:
    """The effect of one match, read from the facts at the bound positions."""
    target = None
    if head.target is not None:
        target = str(facts[positions[names.index(head.target)]]["key"])
    return head.effect_for(target, tuple(sorted(described[position] for position in positions)))
