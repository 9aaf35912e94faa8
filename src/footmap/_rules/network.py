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

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from footmap._kinds import ITEM_FACT, NEED_FACT
from footmap._knowledge import schema
from footmap._rules.effects import Effect, RuleHead, describe_fact, sorted_effects
from footmap._rules.match import Check, compile_pattern

if TYPE_CHECKING:  # the facts stage reads the profile, which the knowledge check (and so this) precedes
    from footmap._facts import Fact

#: For each alpha of a network, the positions (in the run's facts) of the facts that pass it.
Fits = Sequence[Sequence[int]]
#: A ``ref`` check: the field of this fact, the binding of an earlier pattern, that fact's field.
RefCheck = tuple[str, str, str]
#: A ``ref`` check ready to run: this fact's field, the place of the earlier binding among the
#: facts bound so far (``-1``: none binds it, so it never holds), and that fact's field.
BoundRef = tuple[str, int, str]


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

    ``key_ref`` is the ``ref`` a keyless pattern makes on its ``key`` (``key: {ref: need.item}``).
    ``bound_refs`` are the ``refs`` with each binding resolved to its place among the facts bound
    before this step; the join looks the first one up in an index of the alpha's facts by that
    field (a hash join) instead of trying each fact.
    """

    name: str
    alpha: int
    refs: tuple[RefCheck, ...]
    absent: bool
    key_ref: tuple[str, str] | None
    bound_refs: tuple[BoundRef, ...] = ()


@dataclass(frozen=True)
class JoinRule:
    """A rule as join steps over alphas, and its effect."""

    head: RuleHead
    any: bool
    steps: tuple[JoinStep, ...]
    #: The binding names of the positive steps, in order: the names of an ``all`` match.
    names: tuple[str, ...] = ()

    @cached_property
    def required(self) -> tuple[int, ...]:
        """The alphas of an ``all`` rule's positive patterns: each must have a fact for a match."""
        return () if self.any else tuple(step.alpha for step in self.steps if not step.absent)

    @cached_property
    def single(self) -> int | None:
        """The alpha of a rule that is one positive pattern and nothing else (its matches are the
        alpha's facts, one each), else ``None``."""
        if len(self.steps) == 1 and not self.steps[0].absent and not (self.any and self.steps[0].refs):
            return self.steps[0].alpha
        return None

    @cached_property
    def product(self) -> tuple[int, ...] | None:
        """The alphas of an ``all`` rule of two or more positive patterns and no ``ref`` (its
        matches are every choice of distinct facts, one per alpha), else ``None``."""
        if self.any or len(self.steps) < 2 or any(step.absent or step.refs for step in self.steps):
            return None
        return tuple(step.alpha for step in self.steps)

    @cached_property
    def target_place(self) -> int | None:
        """The place of the binding the effect targets among :attr:`names`, if it targets one."""
        return None if self.head.target is None else self.names.index(self.head.target)

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
    #: The alphas that test fields, by index; the others test only a fact's type and key, and
    #: are looked up in an index of the run's facts (:meth:`indexed_fits`), on both engines.
    tested: Mapping[int, Alpha] = field(repr=False, default_factory=dict)
    #: The alphas that test only a type and key: (index, type, key or ``None``).
    lookups: tuple[tuple[int, str, str | None], ...] = field(repr=False, default=())
    #: What an engine compiled from this network once, by engine (durable-rules' ruleset JSON):
    #: kept with the network, so the knowledge cache keeps it too. Not part of its meaning.
    compiled: dict[str, str] = field(repr=False, compare=False, default_factory=dict)

    def indexed_fits(self, facts: Sequence[Fact]) -> list[Sequence[int]]:
        """The fits of the alphas that test only a fact's type (and key); the others empty (one
        shared empty tuple each, not a list each: a large knowledge base has thousands of alphas,
        and a run's facts pass few of them)."""
        by_slot: dict[tuple[object, object], list[int]] = defaultdict(list)
        for position, fact in enumerate(facts):
            fact_type = fact.get("t")
            by_slot[(fact_type, None)].append(position)
            if "key" in fact:
                by_slot[(fact_type, fact["key"])].append(position)
        fits: list[Sequence[int]] = [()] * len(self.alphas)
        by_lookup = self._lookups_by_slot
        for slot, positions in by_slot.items():
            for index in by_lookup.get(slot, ()):
                fits[index] = positions
        return fits

    @cached_property
    def _lookups_by_slot(self) -> dict[tuple[object, object], tuple[int, ...]]:
        """The type-and-key alphas by the slot they look up: a run visits only its facts' slots."""
        slots: dict[tuple[object, object], list[int]] = defaultdict(list)
        for index, fact_type, key in self.lookups:
            slots[(fact_type, key)].append(index)
        return {slot: tuple(indexes) for slot, indexes in slots.items()}

    def effects(self, facts: Sequence[Fact], fits: Fits) -> list[Effect]:
        """Every effect of the rules over the facts, given which facts pass each alpha; sorted."""
        run = _Run(facts, fits)
        rows: set[Effect] = set()
        for index in self._reached(fits):
            rule = self.rules[index]
            single = rule.single
            if single is not None:  # most rules: one fact, no join (see JoinRule.single)
                rows.update(run.single_effects(rule.head, fits[single]))
                continue
            if not all(map(fits.__getitem__, rule.required)):  # a positive pattern fits nothing
                continue
            product = rule.product
            if product is not None:  # most joins: no `ref`, no `absent`: every distinct choice
                rows.update(run.product_effects(rule.head, rule.target_place, product))
                continue
            for names, positions in run.matches(rule):
                rows.add(run.effect(rule.head, names, positions))
        return sorted_effects(rows)

    def _reached(self, fits: Fits) -> list[int]:
        """The rules that may fire: those anchored on an alpha some fact passed, and the rest."""
        reached = set(self.always)  # effects are deduplicated and sorted: the order is free
        for alpha, rules in self._anchored:
            if fits[alpha]:
                reached.update(rules)
        return sorted(reached)

    @cached_property
    def _anchored(self) -> tuple[tuple[int, tuple[int, ...]], ...]:
        return tuple(self.by_anchor.items())


#: An engine's own alpha half: the fits of the facts it is given.
AlphaFits = Callable[[Sequence["Fact"]], list[Sequence[int]]]
#: How many distinct knowledge-only facts an engine remembers the alphas of (then it starts
#: again): the shipped knowledge has a few hundred, a 100x copy tens of thousands.
_REMEMBERED_FACTS = 65_536
#: How many distinct facts of people (a run's own facts) it remembers the alphas of: a few MB.
_REMEMBERED_OWN = 8_192
#: How many facts it finds by identity beyond twice the distinct ones (then it forgets them all).
_SPARE_IDENTITIES = 1_024

#: What makes two facts the same to every alpha: their fields, and each value's type (``1``,
#: ``1.0`` and ``True`` are equal keys, but not the same value to a check).
Content = tuple[tuple[tuple[str, object], ...], tuple[type, ...]]


class KnownFits:
    """The alphas each fact of a plan's run passes, asked of an engine once per fact.

    A run's facts end with the facts of its candidate items (``item`` and ``need``), which depend
    on the knowledge alone (:attr:`footmap._facts.Candidates.known`): most of a run's facts, and
    the same from run to run; the person's own facts before them recur from profile to profile
    too. An alpha tests one fact at a time, so whether a fact passes it never depends on the other
    facts of the run: the engine (durable-rules, or the twin) decides each distinct fact once,
    and later runs add the positions of their copies to what it said then.

    Knowledge-only facts are found by identity first (the knowledge's own fact objects, the same
    each run), else by content; a person's facts (new objects each run) by content, at most
    ``_REMEMBERED_OWN`` of them. Equal knowledge bases share one engine
    (``footmap._rules.engine``), each with its own fact objects: the identities of a knowledge
    base loaded again and again are forgotten once they outnumber the distinct facts twice over
    (plus ``_SPARE_IDENTITIES``), so they never keep dropped knowledge's facts alive for long,
    and memory stays flat.
    """

    def __init__(self, alpha_fits: AlphaFits, alphas: int) -> None:
        self._alpha_fits = alpha_fits
        self._alphas = alphas
        #: By content: the alphas a knowledge-only fact passes.
        self._by_content: dict[Content, tuple[int, ...]] = {}
        #: By content: the alphas a person's fact passes (kept apart, and fewer: a pain's weeks
        #: make its facts many).
        self._own: dict[Content, tuple[int, ...]] = {}
        #: By the fact's ``id``: the fact (held, so that its ``id`` is never reused while it is
        #: remembered), and the alphas it passes.
        self._by_identity: dict[int, tuple[Fact, tuple[int, ...]]] = {}

    def fits(self, facts: Sequence[Fact], known: int = 0) -> list[Sequence[int]]:
        """For each alpha, the positions of the facts that pass it.

        ``known=0`` (a bare run of facts: the tests, the benchmarks' rule stage): the engine
        decides every fact. A plan's run (``known`` > 0): the last ``known`` facts (knowledge-only
        facts, never changed) are looked up by identity, the others by content (a person's facts
        recur from profile to profile: a symptom, a pain, the equipment missing), and the engine
        decides, in one call, those whose content it has not seen."""
        if known <= 0:
            return self._alpha_fits(facts)
        split = len(facts) - known
        passed = self._learned(facts[:split], by_identity=False)
        if split < len(facts):
            passed += self._alphas_of(facts[split:])
        positions: dict[int, list[int]] = {}
        for position, alphas in enumerate(passed):
            for alpha in alphas:
                if alpha in positions:
                    positions[alpha].append(position)
                else:
                    positions[alpha] = [position]
        fits: list[Sequence[int]] = [()] * self._alphas
        for alpha, fitting in positions.items():
            fits[alpha] = fitting
        return fits

    def _alphas_of(self, facts: Sequence[Fact]) -> list[tuple[int, ...]]:
        """The alphas each fact passes, in order: remembered, else asked of the engine at once."""
        by_identity = self._by_identity
        found = [by_identity.get(id(fact)) for fact in facts]
        if all(entry is not None and entry[0] is fact for entry, fact in zip(found, facts, strict=True)):
            return [entry[1] for entry in found if entry is not None]
        return self._learned(facts)

    def _learned(self, facts: Sequence[Fact], *, by_identity: bool = True) -> list[tuple[int, ...]]:
        """The alphas of each fact, by content where known, else from the engine (all unknown
        facts in one call), each then remembered by identity too (unless not ``by_identity``:
        a run's own facts are new objects each run)."""
        if not facts:
            return []
        store, limit = (self._by_content, _REMEMBERED_FACTS) if by_identity else (self._own, _REMEMBERED_OWN)
        contents = [fact_content(fact) for fact in facts]
        alphas: list[tuple[int, ...] | None] = [
            store.get(content) if content is not None else None for content in contents
        ]
        unknown = [n for n, found in enumerate(alphas) if found is None]
        if unknown:
            passed: list[list[int]] = [[] for _ in unknown]
            for alpha, positions in enumerate(self._alpha_fits([facts[n] for n in unknown])):
                for position in positions:
                    passed[position].append(alpha)
            if len(store) + len(unknown) > limit:
                store.clear()
            for n, found in zip(unknown, passed, strict=True):
                alphas[n] = tuple(found)
                if (content := contents[n]) is not None:
                    store[content] = alphas[n]  # type: ignore[assignment]
        result = [found for found in alphas if found is not None]
        if not by_identity:
            return result
        if len(self._by_identity) + len(facts) > 2 * len(self._by_content) + _SPARE_IDENTITIES:
            self._by_identity.clear()
        self._by_identity.update((id(fact), (fact, found)) for fact, found in zip(facts, result, strict=True))
        return result


def fact_content(fact: Fact) -> Content | None:
    """A fact's content as a key (:data:`Content`), or ``None`` when a value cannot be one
    (unhashable): what the engines remember facts alike by."""
    key = (tuple(fact.items()), tuple(map(type, fact.values())))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def build_network(rules: Sequence[schema.Rule]) -> Network:
    """The network of a sequence of rules (their patterns' alphas shared where alike)."""
    alphas: dict[tuple[str, str | None, str], int] = {}
    ordered: list[Alpha] = []
    joins: list[JoinRule] = []
    for rule in rules:
        steps = []
        positive: list[str] = []
        written = [
            _Written(pattern.bind or f"p{number}", *_split(pattern), pattern.absent)
            for number, pattern in enumerate(rule.when.patterns)
        ]
        for step in written if rule.when.any is not None else _join_order(written):
            if step.alpha.identity not in alphas:
                alphas[step.alpha.identity] = len(ordered)
                ordered.append(step.alpha)
            bound_refs = tuple(
                (field_name, positive.index(binding) if binding in positive else -1, other)
                for field_name, binding, other in step.refs
            )
            alpha = alphas[step.alpha.identity]
            steps.append(JoinStep(step.name, alpha, step.refs, step.absent, step.key_ref, bound_refs))
            if not step.absent:
                positive.append(step.name)
        joins.append(JoinRule(RuleHead.of(rule), rule.when.any is not None, tuple(steps), tuple(positive)))
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
        {index: alpha for index, alpha in enumerate(ordered) if alpha.checks},
        tuple((index, alpha.fact, alpha.key) for index, alpha in enumerate(ordered) if not alpha.checks),
    )


@dataclass(frozen=True)
class _Written:
    """A pattern as written, split into its one-fact test and its checks against other patterns."""

    name: str
    alpha: Alpha
    refs: tuple[RefCheck, ...]
    key_ref: tuple[str, str] | None
    absent: bool


#: The fact types of the knowledge alone (every candidate item's): many facts a run, where the
#: person's own are a few.
_KNOWLEDGE_FACTS = frozenset({ITEM_FACT, NEED_FACT})


def _join_order(written: list[_Written]) -> list[_Written]:
    """The patterns of an ``all`` rule in the order the join runs them: the person's facts before
    the knowledge's (``need`` joined from ``missing_equipment``, a few facts, not the other way
    round), each ``ref`` check moved to whichever of its two patterns then comes later.

    The matches are the same in any order: every ``ref`` is an equality of two bound facts'
    fields, which fails when either lacks the field, and the bound facts are distinct whatever
    the order. The written order stays where that is not plain: a rule with an ``absent``
    pattern, a binding name used twice, or a ``ref`` to a pattern not written before it (which
    never holds, as written)."""
    names = [step.name for step in written]
    if any(step.absent for step in written) or len(set(names)) < len(names):
        return written
    run = sorted(written, key=lambda step: step.alpha.fact in _KNOWLEDGE_FACTS)  # stable
    if run == written:
        return written
    place = {step.name: index for index, step in enumerate(written)}
    refs: dict[str, list[RefCheck]] = {step.name: [] for step in written}
    at = {step.name: index for index, step in enumerate(run)}
    for step in written:
        for field_name, binding, other in step.refs:
            if place.get(binding, len(written)) >= place[step.name]:
                return written
            if at[binding] < at[step.name]:
                refs[step.name].append((field_name, binding, other))
            else:  # the same equality, checked from the pattern now joined later
                refs[binding].append((other, step.name, field_name))
    return [
        _Written(step.name, step.alpha, tuple(refs[step.name]), _still_earlier(step, at), step.absent)
        for step in run
    ]


def _still_earlier(step: _Written, at: Mapping[str, int]) -> tuple[str, str] | None:
    """A pattern's ``ref`` on its key, if the pattern it refers to is still joined before it."""
    if step.key_ref is None or at[step.key_ref[0]] > at[step.name]:
        return None
    return step.key_ref


def _split(pattern: schema.Pattern) -> tuple[Alpha, tuple[RefCheck, ...], tuple[str, str] | None]:
    """A pattern's one-fact test, its ``ref`` checks, and the ``ref`` on its key, if any."""
    matcher = compile_pattern(pattern)
    own = tuple(check for check in matcher.checks if check[1] != "ref")
    refs = tuple((name, *operand) for name, operator, operand in matcher.checks if operator == "ref")
    key_refs = [(binding, other) for name, binding, other in refs if name == "key"]
    key_ref = key_refs[0] if key_refs and pattern.is_ is None else None
    return Alpha(pattern.fact, pattern.is_, own), refs, key_ref


class _Run:
    """One run's joins: the facts, their fits, and the indexes the hash joins build as needed."""

    def __init__(self, facts: Sequence[Fact], fits: Fits) -> None:
        self.facts = facts
        self.fits = fits
        self._described: list[str | None] = [None] * len(facts)
        self._indexes: dict[tuple[int, str], dict[Any, list[int]] | None] = {}

    def matches(self, rule: JoinRule) -> Iterator[tuple[tuple[str, ...], tuple[int, ...]]]:
        """Each match of a rule: the binding names, and the positions of the facts they bind."""
        if rule.any:
            for step in rule.steps:
                if step.refs:  # a `ref` in an `any` pattern has nothing bound to compare with
                    continue
                names: tuple[str, ...] = (step.name,)
                for position in self.fits[step.alpha]:
                    yield names, (position,)
            return
        names, steps = rule.names, rule.steps
        if len(steps) == 1 and not steps[0].absent:  # most triage rules: one fact, no join
            for position in self.fits[steps[0].alpha]:
                yield names, (position,)
            return
        for positions in self._join(steps, 0, ()):
            yield names, positions

    def effect(self, head: RuleHead, names: tuple[str, ...], positions: tuple[int, ...]) -> Effect:
        """The effect of one match, read from the facts at the bound positions."""
        target = None
        if head.target is not None:
            target = str(self.facts[positions[names.index(head.target)]]["key"])
        return head.effect_for(target, tuple(sorted(self._describe(position) for position in positions)))

    def single_effects(self, head: RuleHead, positions: Sequence[int]) -> Iterator[Effect]:
        """The effects of a one-pattern rule: one per fact passing its alpha (its target, if any,
        is that fact)."""
        facts, targeted, described = self.facts, head.target is not None, self._described
        for position in positions:
            target = str(facts[position]["key"]) if targeted else None
            description = described[position] or self._describe(position)
            yield head.effect_for(target, (description,))

    def product_effects(
        self, head: RuleHead, target_place: int | None, alphas: tuple[int, ...]
    ) -> Iterator[Effect]:
        """The effects of a rule whose matches are every choice of distinct facts, one passing
        each of its ``alphas`` in turn (see :attr:`JoinRule.product`)."""
        fits, facts, describe = self.fits, self.facts, self._describe
        if len(alphas) == 2:
            first, second = fits[alphas[0]], fits[alphas[1]]
            others = [(other, describe(other)) for other in second]
            for one in first:
                one_described = describe(one)
                for other, other_described in others:
                    if other == one:
                        continue
                    matched = (
                        (one_described, other_described)
                        if one_described <= other_described
                        else (other_described, one_described)
                    )
                    target = None
                    if target_place is not None:
                        target = str(facts[other if target_place else one]["key"])
                    yield head.effect_for(target, matched)
            return
        for positions in itertools.product(*(fits[alpha] for alpha in alphas)):
            if len(set(positions)) == len(positions):
                target = None if target_place is None else str(facts[positions[target_place]]["key"])
                yield head.effect_for(target, tuple(sorted(map(describe, positions))))

    def _describe(self, position: int) -> str:
        described = self._described[position]
        if described is None:
            described = self._described[position] = describe_fact(self.facts[position])
        return described

    def _join(
        self, steps: tuple[JoinStep, ...], at: int, bound: tuple[int, ...]
    ) -> Iterator[tuple[int, ...]]:
        if at == len(steps):
            yield bound
            return
        step = steps[at]
        fitting = self._fitting(step, bound)
        if step.absent:
            if not fitting:
                yield from self._join(steps, at + 1, bound)
            return
        for position in fitting:
            if position not in bound:  # one fact, one pattern
                yield from self._join(steps, at + 1, (*bound, position))

    def _fitting(self, step: JoinStep, bound: tuple[int, ...]) -> Sequence[int]:
        """The facts passing a step's alpha that also pass its checks against the earlier bindings."""
        if not step.bound_refs:
            return self.fits[step.alpha]
        facts = self.facts
        candidates = self._candidates(step, bound)
        return [
            position for position in candidates if _refs_hold(facts[position], step.bound_refs, facts, bound)
        ]

    def _candidates(self, step: JoinStep, bound: tuple[int, ...]) -> Sequence[int]:
        """The alpha's facts whose first ``ref`` field equals the bound fact's, from an index."""
        name, place, other = step.bound_refs[0]
        if place < 0:
            return ()
        earlier = self.facts[bound[place]]
        if other not in earlier:
            return ()
        index = self._index(step.alpha, name)
        if index is None:  # a value no dict can hold: try each fact
            return self.fits[step.alpha]
        value = earlier[other]  # type: ignore[literal-required]
        return index.get(value, ()) if _hashable(value) else self.fits[step.alpha]

    def _index(self, alpha: int, name: str) -> dict[Any, list[int]] | None:
        key = (alpha, name)
        if key in self._indexes:
            return self._indexes[key]
        index: dict[Any, list[int]] | None = defaultdict(list)
        for position in self.fits[alpha]:
            fact = self.facts[position]
            if name not in fact:
                continue
            value = fact[name]  # type: ignore[literal-required]
            if type(value) not in _PLAIN and not _hashable(value):  # the common kinds at once
                index = None
                break
            index[value].append(position)  # type: ignore[index]
        self._indexes[key] = index
        return index


#: Kinds of value always hashable as ``==`` finds them (floats are not: NaN).
_PLAIN = frozenset({str, int, bool, type(None)})


def _hashable(value: object) -> bool:
    """Whether a dict finds exactly the values ``==`` to this one (scalars; NaN is not)."""
    return isinstance(value, str | int | float | bool | type(None)) and value == value


def _refs_hold(
    fact: Mapping[str, object], refs: tuple[BoundRef, ...], facts: Sequence[Fact], bound: tuple[int, ...]
) -> bool:
    """Whether every ``ref`` check holds; a missing field, on either side, never does."""
    for name, place, other in refs:
        if place < 0 or name not in fact:
            return False
        earlier = facts[bound[place]]
        if other not in earlier or not bool(fact[name] == earlier[other]):  # type: ignore[literal-required]
            return False
    return True
