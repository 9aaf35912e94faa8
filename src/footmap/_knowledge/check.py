"""Cross-checks of the entries that validated: duplicate ids, references, sources, reviews, rules,
graph sanity (cycles, circular alternatives and variants) and red flags that no rule refers."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import networkx as nx

from footmap._errors import Finding, FindingCode
from footmap._kinds import (
    EVERYONE,
    FACT_TYPES,
    FACTOR,
    ITEM_KINDS,
    ITEMS,
    PERSON_FACT,
    REPORTED_KINDS,
    node_id,
    split_node,
)
from footmap._knowledge import schema
from footmap._knowledge.loader import PROGRESSIONS, RULES, ZONE_SECTIONS, ZONES, Gaps, zone_section
from footmap._rules.compile import operand_problems
from footmap._suggest import did_you_mean, nearest

if TYPE_CHECKING:
    from footmap._facts import Fact
    from footmap._rules.reference import ReferenceEngine


def cross_check(
    knowledge: schema.Knowledge, files: dict[str, str] | None = None, gaps: Gaps | None = None
) -> list[Finding]:
    """Every problem that needs more than one entry to see.

    ``files`` maps rule ids to their files; ``gaps`` says which entries failed validation (their
    ids still count as defined) and which sections could not be read (references into them are
    not checked: their ids are unknown, and reporting them would be noise).
    """
    gaps = gaps or Gaps({}, {})
    ids = _Ids(knowledge, gaps)
    files = files or {}
    return [
        *_duplicates(knowledge, gaps),
        *_source_refs(knowledge, ids, files),
        *_item_refs(knowledge, ids),
        *_link_refs(knowledge, ids),
        *(
            finding
            for rule in knowledge.rules
            for finding in _rule_refs(rule, ids, files.get(rule.id, "rules/"))
        ),
        *_precaution_fields(knowledge),
        *_operands(knowledge, files),
        *_link_cycles(knowledge),
        *_item_cycles(knowledge),
        *_red_flags(knowledge, gaps),
        *_progressions(knowledge, ids, gaps),
        *_zone_map(knowledge, ids, gaps),
    ]


#: The ids a reference may point to; ``None`` when they cannot be known (an unreadable file).
Known = set[str] | None


class _Ids:
    """The ids each reference may point to: of the entries that validated and of those that did not."""

    def __init__(self, knowledge: schema.Knowledge, gaps: Gaps) -> None:
        def section(name: str, valid: Iterable[str]) -> Known:
            return None if name in gaps.unreadable else {*valid, *gaps.broken.get(name, ())}

        def vocabulary(name: str) -> Known:
            if name in gaps.unreadable_lists:
                return None
            return {
                *(term.id for term in getattr(knowledge.vocabulary, name)),
                *gaps.broken_terms.get(name, ()),
            }

        self.by_vocabulary: dict[str, Known] = {
            name: vocabulary(name) for name in schema.Vocabulary.model_fields
        }
        self.sources = section("sources", (source.id for source in knowledge.sources))
        self.factors = section("factors", (factor.id for factor in knowledge.factors))
        self.nodes_by_kind: dict[str, Known] = {
            **{kind.name: self.by_vocabulary[kind.vocabulary] for kind in REPORTED_KINDS},
            FACTOR: self.factors,
            **{
                kind.name: section(kind.file, (item.id for item in knowledge.items.get(kind.name, [])))
                for kind in ITEM_KINDS
            },
        }
        item_ids = [self.nodes_by_kind[kind.name] for kind in ITEM_KINDS]
        self.by_vocabulary[ITEMS] = None if None in item_ids else set().union(*filter(None, item_ids))

    def node_exists(self, ref: str) -> bool | None:
        """Whether a node ref (``kind:id``) names a node; ``None`` when that cannot be known."""
        if ref == EVERYONE:
            return True
        kind, ident = split_node(ref)
        known = self.nodes_by_kind.get(kind, set())
        return None if known is None else ident in known

    def node_refs(self) -> list[str]:
        """Every node ref that can be known, to suggest one for a misspelt ref."""
        refs = [node_id(kind, ident) for kind, ids in self.nodes_by_kind.items() for ident in ids or ()]
        return sorted([EVERYONE, *refs])


def _items(knowledge: schema.Knowledge) -> list[tuple[str, schema.Item]]:
    """Every item with the file it comes from."""
    return [(f"{kind.file}.yaml", item) for kind in ITEM_KINDS for item in knowledge.items.get(kind.name, [])]


def _duplicates(knowledge: schema.Knowledge, gaps: Gaps) -> Iterator[Finding]:
    # An entry that failed validation still takes its id: two entries with one id are reported
    # whether or not either validated.
    broken = gaps.broken
    groups: list[tuple[str, Sequence[str]]] = [
        ("sources.yaml", [s.id for s in knowledge.sources] + list(broken.get("sources", ()))),
        ("factors.yaml", [f.id for f in knowledge.factors] + list(broken.get("factors", ()))),
        (
            f"items ({', '.join(kind.file for kind in ITEM_KINDS)})",
            [item.id for _, item in _items(knowledge)]
            + [ident for kind in ITEM_KINDS for ident in broken.get(kind.file, ())],
        ),
        ("links.yaml", [link.id for link in knowledge.links] + list(broken.get("links", ()))),
        ("rules/", [rule.id for rule in knowledge.rules] + list(broken.get(RULES, ()))),
    ]
    groups += [
        (
            f"{PROGRESSIONS}.yaml: {name}",
            [entry.id for entry in getattr(knowledge.progressions, name)]
            + list(broken.get(f"{PROGRESSIONS}.{name}", ())),
        )
        for name in schema.Progressions.model_fields
    ]
    groups += [
        (
            f"vocabulary.yaml: {name}",
            [term.id for term in getattr(knowledge.vocabulary, name)] + list(gaps.broken_terms.get(name, ())),
        )
        for name in schema.Vocabulary.model_fields
    ]
    for file, ids in groups:
        for ident, count in sorted(Counter(ids).items()):
            if count > 1:
                yield Finding(
                    file,
                    ident,
                    "id",
                    FindingCode.DUPLICATE_ID,
                    f"id {ident!r} is used {count} times; ids must be unique",
                )


def _dangling(file: str, entry: str, field: str, value: str, allowed: Known) -> Iterator[Finding]:
    if allowed is not None and value not in allowed:
        yield Finding(
            file,
            entry,
            field,
            FindingCode.DANGLING_REFERENCE,
            f"{value!r} is not defined.{did_you_mean(value, allowed)}",
            nearest(value, allowed),
        )


def _source_refs(knowledge: schema.Knowledge, ids: _Ids, files: dict[str, str]) -> Iterator[Finding]:
    for factor in knowledge.factors:
        yield from _dangling("factors.yaml", factor.id, "source", factor.source, ids.sources)
    for file, item in _items(knowledge):
        yield from _dangling(file, item.id, "source", item.source, ids.sources)
        if item.safety_review is None:
            yield Finding(
                file,
                item.id,
                "safety_review",
                FindingCode.MISSING_SAFETY_REVIEW,
                "every item needs a contraindication review: `safety_review: {summary,"
                " source}` naming what was considered and which rules cover it",
            )
        else:
            yield from _dangling(
                file, item.id, "safety_review.source", item.safety_review.source, ids.sources
            )
        for index, claim in enumerate(item.works_on):
            yield from _dangling(file, item.id, f"works_on.{index}.source", claim.source, ids.sources)
        for precaution in item.precautions:
            yield from _dangling(
                file, item.id, f"precautions.{precaution.id}.source", precaution.source, ids.sources
            )
    for link in knowledge.links:
        yield from _dangling("links.yaml", link.id, "source", link.source, ids.sources)
    for _, terms in knowledge.vocabulary:
        for term in terms:
            if term.snomed_source is not None:
                field = "snomed_source"
                yield from _dangling("vocabulary.yaml", term.id, field, term.snomed_source, ids.sources)
    for rule in knowledge.rules:
        yield from _dangling(files.get(rule.id, "rules/"), rule.id, "source", rule.source, ids.sources)


def _item_refs(knowledge: schema.Knowledge, ids: _Ids) -> Iterator[Finding]:
    modalities = ids.by_vocabulary["modalities"]
    equipment = ids.by_vocabulary["equipment"]
    for file, item in _items(knowledge):
        yield from _dangling(file, item.id, "modality", item.modality, modalities)
        for index, claim in enumerate(item.works_on):
            yield from _dangling(file, item.id, f"works_on.{index}.factor", claim.factor, ids.factors)
        for precaution in item.precautions:
            yield from _pattern_refs(
                file, item.id, f"precautions.{precaution.id}.when", precaution.when.patterns, ids, {"item"}
            )
            yield from _absent_use(
                file, item.id, f"precautions.{precaution.id}.when", precaution.when, implied_item=True
            )
    for kind in ITEM_KINDS:
        file, same_kind = f"{kind.file}.yaml", ids.nodes_by_kind[kind.name]
        for item in knowledge.items.get(kind.name, []):
            if isinstance(item, schema.Exercise):
                yield from _exercise_refs(file, item, equipment, same_kind)
    for term in knowledge.vocabulary.equipment:
        for name in term.substitutes:
            yield from _dangling("vocabulary.yaml", term.id, "substitutes", name, equipment)


def _exercise_refs(
    file: str, exercise: schema.Exercise, equipment: Known, same_kind: Known
) -> Iterator[Finding]:
    for name in exercise.equipment:
        yield from _dangling(file, exercise.id, "equipment", name, equipment)
    for name in exercise.alternatives:
        yield from _dangling(file, exercise.id, "alternatives", name, same_kind)
    if exercise.variant_of is not None:
        yield from _dangling(file, exercise.id, "variant_of", exercise.variant_of, same_kind)


def _link_refs(knowledge: schema.Knowledge, ids: _Ids) -> Iterator[Finding]:
    for link in knowledge.links:
        for field, ref in (("from", link.source_node), ("to", link.target)):
            if ids.node_exists(ref) is False:
                nodes = ids.node_refs()
                yield Finding(
                    "links.yaml",
                    link.id,
                    field,
                    FindingCode.DANGLING_REFERENCE,
                    f"node {ref!r} is not defined in the knowledge.{did_you_mean(ref, nodes)}",
                    nearest(ref, nodes),
                )


def _rule_refs(rule: schema.Rule, ids: _Ids, file: str) -> Iterator[Finding]:
    yield from _pattern_refs(file, rule.id, "when", rule.when.patterns, ids, set())
    if rule.forbids is not None:  # tested against an item fact, as a pattern's `where` is
        forbidden = [schema.Pattern(fact="item", where=rule.forbids.where)]
        yield from _pattern_refs(file, rule.id, "forbids", forbidden, ids, set())
    yield from _absent_use(file, rule.id, "when", rule.when, implied_item=False)
    for field, message in operand_problems(rule):  # numbers no engine compares exactly
        yield Finding(file, rule.id, field, FindingCode.INVALID_RULE, message)
    if rule.target is not None:
        item_bindings = {p.bind for p in rule.when.patterns if p.fact == "item" and not p.absent}
        if rule.target not in item_bindings:
            yield Finding(
                file,
                rule.id,
                "target",
                FindingCode.INVALID_RULE,
                f"target {rule.target!r} is not bound (`as:`) by an item pattern",
            )


def _pattern_refs(
    file: str,
    entry: str,
    field: str,
    patterns: Sequence[schema.Pattern],
    ids: _Ids,
    bound: set[str],
) -> Iterator[Finding]:
    bound = set(bound)
    for index, pattern in enumerate(patterns):
        where = f"{field}.{index}"
        fields = FACT_TYPES[pattern.fact]
        if pattern.is_ is not None:
            if "key" not in fields:
                yield Finding(
                    file,
                    entry,
                    f"{where}.is",
                    FindingCode.INVALID_RULE,
                    f"a {pattern.fact} fact has no key; use `where`",
                )
            else:
                yield from _vocabulary_ref(file, entry, f"{where}.is", pattern.is_, fields["key"], ids)
        for name, value in sorted(pattern.where.items()):
            yield from _where_ref(file, entry, f"{where}.where.{name}", pattern, name, value, ids, bound)
        if pattern.bind is not None:
            if pattern.absent:
                yield Finding(
                    file,
                    entry,
                    f"{where}.as",
                    FindingCode.INVALID_RULE,
                    "an `absent` pattern cannot bind a name",
                )
            bound.add(pattern.bind)


def _vocabulary_ref(
    file: str, entry: str, field: str, value: object, vocabulary: str | None, ids: _Ids
) -> Iterator[Finding]:
    if vocabulary is not None and isinstance(value, str):
        yield from _dangling(file, entry, field, value, ids.by_vocabulary[vocabulary])


def _where_ref(
    file: str,
    entry: str,
    field: str,
    pattern: schema.Pattern,
    name: str,
    value: schema.Scalar | schema.Comparison,
    ids: _Ids,
    bound: set[str],
) -> Iterator[Finding]:
    fields = FACT_TYPES[pattern.fact]
    if name not in fields:
        yield Finding(
            file,
            entry,
            field,
            FindingCode.INVALID_RULE,
            f"a {pattern.fact} fact has no field {name!r}; it has {', '.join(sorted(fields))}."
            + did_you_mean(name, fields),
            nearest(name, fields),
        )
        return
    if isinstance(value, schema.Comparison):
        if value.ref is not None:
            binding = value.ref.split(".")[0]
            if binding not in bound:
                yield Finding(
                    file,
                    entry,
                    field,
                    FindingCode.INVALID_RULE,
                    f"`ref: {value.ref}` names {binding!r}, not bound by an earlier pattern",
                )
            return
        values = value.one_of or [v for v in (value.eq, value.ne) if v is not None]
    else:
        values = [value]
    for one in values:
        yield from _vocabulary_ref(file, entry, field, one, fields[name], ids)


def _absent_use(
    file: str, entry: str, field: str, when: schema.Condition, implied_item: bool
) -> Iterator[Finding]:
    absent = [pattern for pattern in when.patterns if pattern.absent]
    if absent and when.any is not None:
        yield Finding(
            file, entry, field, FindingCode.INVALID_RULE, "`absent` patterns go in `all`, not in `any`"
        )
    elif len(absent) == len(when.patterns) and not implied_item:
        yield Finding(
            file,
            entry,
            field,
            FindingCode.INVALID_RULE,
            "a rule needs at least one pattern that is not `absent`",
        )


def _precaution_fields(knowledge: schema.Knowledge) -> Iterator[Finding]:
    # A precaution becomes a rule when the rules are compiled: one that the rule model would
    # reject there (``adjust`` without its scale, or a scale without ``adjust``) is reported here.
    for file, item in _items(knowledge):
        for precaution in item.precautions:
            if (precaution.effect == "adjust") != (precaution.adjust is not None):
                yield Finding(
                    file,
                    item.id,
                    f"precautions.{precaution.id}.adjust",
                    FindingCode.INVALID_RULE,
                    "`adjust: {scale}` goes with `effect: adjust` and only with it",
                )


def _operands(knowledge: schema.Knowledge, files: dict[str, str]) -> Iterator[Finding]:
    """Comparisons no fact can ever satisfy: a NaN or infinite number, an empty ``one_of``."""
    whens = [(files.get(rule.id, "rules/"), rule.id, "when", rule.when) for rule in knowledge.rules]
    whens += [
        (file, item.id, f"precautions.{precaution.id}.when", precaution.when)
        for file, item in _items(knowledge)
        for precaution in item.precautions
    ]
    for file, entry, field, when in whens:
        for index, pattern in enumerate(when.patterns):
            for name, value in sorted(pattern.where.items()):
                comparison = value if isinstance(value, schema.Comparison) else None
                operand = getattr(comparison, comparison.operator) if comparison else value
                numbers = operand if isinstance(operand, list) else [operand]
                if comparison is not None and comparison.operator == "one_of" and not numbers:
                    problem = "`one_of: []` lists no value, so the pattern never matches"
                elif any(isinstance(n, float) and not math.isfinite(n) for n in numbers):
                    problem = f"{operand!r} is not a finite number, so the pattern never matches"
                else:
                    continue
                yield Finding(file, entry, f"{field}.{index}.where.{name}", FindingCode.INVALID_RULE, problem)


# --- graph sanity -------------------------------------------------------------------------------


def _cycle_text(nodes: Sequence[str]) -> str:
    return " -> ".join([*nodes, nodes[0]])


def _link_cycles(knowledge: schema.Knowledge) -> Iterator[Finding]:
    """Links from a node to itself, and cycles among factors (factor -> factor links)."""
    factors = nx.DiGraph()
    closing: dict[tuple[str, str], str] = {}  # an edge -> the first link (by id) that draws it
    for link in sorted(knowledge.links, key=lambda link: link.id):
        if link.source_node == link.target:
            yield Finding(
                "links.yaml",
                link.id,
                "to",
                FindingCode.CIRCULAR_REFERENCE,
                f"the link points from {link.source_node!r} to itself",
            )
        elif split_node(link.source_node)[0] == FACTOR and split_node(link.target)[0] == FACTOR:
            factors.add_edge(link.source_node, link.target)
            closing.setdefault((link.source_node, link.target), link.id)
    for cycle in _cycles(factors):
        # Reported on the link that closes the cycle back to its first (smallest) node.
        edge = (cycle[-1], cycle[0])
        yield Finding(
            "links.yaml",
            closing[edge],
            "to",
            FindingCode.CIRCULAR_REFERENCE,
            f"factors link in a cycle: {_cycle_text(cycle)}",
        )


def _cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Every simple cycle of ``graph`` (no self-loops), each starting at its smallest node, sorted."""
    found = []
    for cycle in nx.simple_cycles(graph):
        start = cycle.index(min(cycle))
        found.append([*cycle[start:], *cycle[:start]])
    return sorted(found)


def _item_cycles(knowledge: schema.Knowledge) -> Iterator[Finding]:
    """Alternatives naming their own item or each other, and ``variant_of`` self, chains or cycles."""
    exercises: dict[str, tuple[str, schema.Exercise]] = {
        item.id: (file, item) for file, item in _items(knowledge) if isinstance(item, schema.Exercise)
    }
    for ident, (file, exercise) in sorted(exercises.items()):
        for name in exercise.alternatives:
            if name == ident:
                yield Finding(
                    file,
                    ident,
                    "alternatives",
                    FindingCode.CIRCULAR_REFERENCE,
                    f"{ident!r} lists itself as its own alternative",
                )
            elif name < ident and name in exercises and ident in exercises[name][1].alternatives:
                # Reported once, on the later of the two ids.
                yield Finding(
                    file,
                    ident,
                    "alternatives",
                    FindingCode.CIRCULAR_REFERENCE,
                    f"{ident!r} and {name!r} list each other as alternatives; an alternative stands"
                    " in for an item, so only one of them may name the other",
                )
        original = exercise.variant_of
        if original is None:
            continue
        if original == ident:
            message = f"{ident!r} is a variant of itself"
        elif original in exercises and exercises[original][1].variant_of is not None:
            chain = [ident]
            while chain[-1] in exercises and (step := exercises[chain[-1]][1].variant_of) is not None:
                if step in chain:
                    chain.append(step)
                    break
                chain.append(step)
            kind = "cycle" if chain[-1] in chain[:-1] else "chain"
            message = (
                f"variant_of makes a {kind}: {' -> '.join(chain)}; a variant names its original,"
                " which is not itself a variant"
            )
        else:
            continue
        yield Finding(file, ident, "variant_of", FindingCode.CIRCULAR_REFERENCE, message)


# --- red flags ----------------------------------------------------------------------------------


def _red_flags(knowledge: schema.Knowledge, gaps: Gaps) -> Iterator[Finding]:
    """Red-flag marks that the rules do not keep, and referrals that no mark records.

    Every pain area, symptom, observation and condition is reported *alone*: a profile that
    reports that one term and nothing else, that is the term's fact (a pain area's without
    severity, side or weeks) and the ``person`` fact of a profile that answers nothing else. Not
    the item facts nor the missing equipment: a red flag's referral must not depend on which
    items a plan considers, nor on what equipment a person has. A term marked ``red_flag`` must be
    referred at least at its mark (``unguarded_red_flag``), and a term the rules refer alone must
    be marked at that level (``unmarked_red_flag``), so that losing either the rule or the mark is
    a finding.
    """
    reported = {kind.vocabulary: kind.name for kind in REPORTED_KINDS}
    terms: list[tuple[str, schema.Term]] = []
    for name in schema.Vocabulary.model_fields:
        for term in getattr(knowledge.vocabulary, name):
            if name in reported:
                terms.append((name, term))
            elif term.red_flag is not None:
                yield Finding(
                    "vocabulary.yaml",
                    term.id,
                    "red_flag",
                    FindingCode.INVALID_FIELD,
                    f"only something a person reports ({', '.join(reported)}) can be a red flag",
                )
    if not terms or RULES in gaps.unreadable:
        return  # rules that cannot be read are reported already; what they refer is unknown
    referrals = Referrals(knowledge.rules)
    person = _default_person(knowledge)
    order = schema.TRIAGE_ORDER.index
    for name, term in terms:
        fact_type = reported[name]
        level, rules = referrals.level([{"t": fact_type, "key": term.id}, person])
        marked = term.red_flag or "self_care"
        if order(level) < order(marked):
            got = "no rule refers it" if level == "self_care" else f"the rules refer it only as {level!r}"
            yield Finding(
                "vocabulary.yaml",
                term.id,
                "red_flag",
                FindingCode.UNGUARDED_RED_FLAG,
                f"{term.id!r} is a red flag ({marked}), but reported alone {got}; add a `refer`"
                f" rule with `level: {marked}` and `when: {{all: [{{fact: {fact_type},"
                f" is: {term.id}}}]}}`",
            )
        elif order(level) > order(marked):
            mark = "is not marked" if term.red_flag is None else f"is marked only {marked!r}"
            yield Finding(
                "vocabulary.yaml",
                term.id,
                "red_flag",
                FindingCode.UNMARKED_RED_FLAG,
                f"{term.id!r} alone is referred {level!r} (by {', '.join(rules)}), but {mark};"
                f" mark it `red_flag: {level}` so that the check keeps it referred",
            )


def _default_person(knowledge: schema.Knowledge) -> Fact:
    """The ``person`` fact of a profile that answers nothing, as the facts stage builds it."""
    # The facts stage and the rule engine come after the knowledge in the pipeline; a red flag is
    # guarded by what the rules do, not by how they read, so this check runs them (imported here,
    # as they import the knowledge base themselves).
    from footmap._facts import profile_facts
    from footmap._input.profile import Profile
    from footmap._knowledge.base import KnowledgeBase

    facts = profile_facts(Profile.model_construct(), KnowledgeBase(knowledge, "check"))
    return next(fact for fact in facts if fact.get("t") == PERSON_FACT)


#: Where facts of a run are found: a fact type and a key, or a fact type and ``None`` for every
#: fact of the type; ``("", None)`` holds the rules that no present fact is needed for.
_Slot = tuple[str, object]
_ANY_FACTS: _Slot = ("", None)


class Referrals:
    """Each ``refer`` rule with an evaluator of it alone (precautions never refer), filed by the
    facts it cannot fire without, so that a run of a few facts runs only the rules they can fire.

    Checking every reported term alone against every ``refer`` rule grows with the square of the
    knowledge (at 100x the shipped size: 5,700 terms by 4,300 rules); filed this way each term
    meets only the rules that name it, its fact type alone, or facts every run has.
    """

    def __init__(self, rules: Iterable[schema.Rule]) -> None:
        from footmap._rules.reference import ReferenceEngine

        #: Every ``refer`` rule and its evaluator, in the rules' order.
        self.every: list[tuple[schema.Rule, ReferenceEngine]] = []
        self._by_slot: dict[_Slot, list[tuple[schema.Rule, ReferenceEngine]]] = {}
        for rule in rules:
            if rule.effect != "refer":
                continue
            # A referral has no target: one named anyway is reported as invalid_rule, not here.
            entry = (rule, ReferenceEngine([rule.model_copy(update={"target": None})]))
            self.every.append(entry)
            for slot in _needed_slots(rule.when):
                self._by_slot.setdefault(slot, []).append(entry)

    def level(self, facts: Sequence[Fact]) -> tuple[schema.TriageLevel, list[str]]:
        """The highest level the ``refer`` rules give over ``facts`` (``self_care``), and its rules."""
        slots = [_ANY_FACTS]
        for fact in facts:
            slots.append((str(fact.get("t")), None))
            if "key" in fact:
                slots.append((str(fact.get("t")), fact["key"]))
        engines = {id(entry[1]): entry for slot in slots for entry in self._by_slot.get(slot, ())}
        return referral(list(engines.values()), facts)


def _needed_slots(when: schema.Condition) -> list[_Slot]:
    """Slots at least one of which holds a fact whenever the condition can hold: for ``all``,
    one pattern's own (a fact of its type, of its key when it names one: every present pattern
    binds a fact that fits it); for ``any``, each pattern's (any of them may fire it; ``absent``
    counted too, to be safe); ``_ANY_FACTS`` for an ``all`` of absent patterns only."""
    if when.any is not None:
        return list(dict.fromkeys((pattern.fact, pattern.is_) for pattern in when.any))
    present = [(pattern.fact, pattern.is_) for pattern in when.all or () if not pattern.absent]
    keyed = [slot for slot in present if slot[1] is not None]
    return [(keyed or present)[0]] if present else [_ANY_FACTS]


def referral(
    engines: Sequence[tuple[schema.Rule, ReferenceEngine]], facts: Sequence[Fact]
) -> tuple[schema.TriageLevel, list[str]]:
    """The highest level the ``refer`` rules give over ``facts`` (``self_care``), and its rules:
    every rule run (:class:`Referrals` runs only those the facts can fire)."""
    by_level: dict[schema.TriageLevel, list[str]] = {"self_care": []}
    for rule, engine in engines:
        try:
            effects = engine.run(facts)
        except KeyError:  # a `ref` to a binding no earlier pattern makes: reported as invalid_rule
            continue
        for effect in effects:
            if effect.level is not None:
                by_level.setdefault(effect.level, []).append(rule.id)
    level = max(by_level, key=schema.TRIAGE_ORDER.index)
    return level, sorted(set(by_level[level]))


# --- progressions -------------------------------------------------------------------------------

_PROGRESSIONS_FILE = f"{PROGRESSIONS}.yaml"


def _largest_budget() -> int:
    """The most minutes a day a profile may give: a step that takes longer can never be planned."""
    from footmap._input.profile import Profile  # the input stage reads the knowledge; see _default_person

    limits = [meta.le for meta in Profile.model_fields["minutes_per_day"].metadata if hasattr(meta, "le")]
    return int(limits[0])


def _progressions(knowledge: schema.Knowledge, ids: _Ids, gaps: Gaps) -> Iterator[Finding]:
    """Ladders that name real exercises and checks, move within one family of variants, change only
    doses their exercise has, keep their planned steps in order and fit into some day's budget."""
    if PROGRESSIONS in gaps.unreadable:
        return
    progressions = knowledge.progressions
    checks = {check.id: check for check in progressions.monitoring}
    known_checks: Known = {*checks, *gaps.broken.get(f"{PROGRESSIONS}.monitoring", ())}
    exercises = {item.id: item for _, item in _items(knowledge) if isinstance(item, schema.Exercise)}
    for check in progressions.monitoring:
        yield from _dangling(_PROGRESSIONS_FILE, check.id, "source", check.source, ids.sources)
    for rule in progressions.rest:
        yield from _dangling(_PROGRESSIONS_FILE, rule.id, "source", rule.source, ids.sources)
    for ladder in progressions.ladders:
        yield from _dangling(_PROGRESSIONS_FILE, ladder.id, "source", ladder.source, ids.sources)
        if ladder.id not in exercises:
            yield from _dangling(
                _PROGRESSIONS_FILE, ladder.id, "id", ladder.id, ids.nodes_by_kind.get("exercise")
            )
            continue
        ways: tuple[tuple[schema.Move, str], ...] = (("up", "harder"), ("down", "easier"))
        for move, field in ways:
            for index, step in enumerate(ladder.steps(move)):
                where = f"{field}.{index}"
                yield from _dangling(
                    _PROGRESSIONS_FILE, ladder.id, f"{where}.source", step.source, ids.sources
                )
                yield from _dangling(
                    _PROGRESSIONS_FILE, ladder.id, f"{where}.condition", step.condition, known_checks
                )
                taken_by = checks.get(step.condition)
                if taken_by is not None and taken_by.move != move:
                    yield _ladder_finding(
                        ladder.id,
                        f"{where}.condition",
                        f"{step.condition!r} moves {taken_by.move}, but the step is one of `{field}`:"
                        f" name a check with `move: {move}`",
                    )
            yield from _ladder_variants(ladder, field, move, exercises, ids)
            yield from _ladder_doses(ladder, field, move, exercises)
        yield from _ladder_order(ladder)


def _ladder_finding(ladder: str, field: str, message: str) -> Finding:
    return Finding(_PROGRESSIONS_FILE, ladder, field, FindingCode.INVALID_PROGRESSION, message)


def _family(exercise: schema.Exercise, exercises: dict[str, schema.Exercise]) -> set[str]:
    """An exercise's original and every variant of that original."""
    original = exercise.variant_of or exercise.id
    return {original, *(ident for ident, other in exercises.items() if other.variant_of == original)}


def _ladder_variants(
    ladder: schema.Ladder, field: str, move: schema.Move, exercises: dict[str, schema.Exercise], ids: _Ids
) -> Iterator[Finding]:
    family = _family(exercises[ladder.id], exercises)
    for index, step in enumerate(ladder.steps(move)):
        if step.variant is None:
            continue
        where = f"{field}.{index}.variant"
        if step.variant not in exercises:
            yield from _dangling(
                _PROGRESSIONS_FILE, ladder.id, where, step.variant, ids.nodes_by_kind.get("exercise")
            )
        elif step.variant == ladder.id or step.variant not in family:
            members = ", ".join(sorted(family - {ladder.id})) or "none"
            yield _ladder_finding(
                ladder.id,
                where,
                f"{step.variant!r} is not in the family of {ladder.id!r} (its original and that original's"
                f" variants, by `variant_of`); a step moves only within it: {members}",
            )


def _ladder_doses(
    ladder: schema.Ladder, field: str, move: schema.Move, exercises: dict[str, schema.Exercise]
) -> Iterator[Finding]:
    """Steps setting a number of seconds the exercise is not timed by, or taking longer than an
    item may (``minutes``) or than any budget holds."""
    largest = _largest_budget()
    most_per_session = schema.ItemBase.model_fields["minutes"].metadata
    session_limit = next(float(meta.le) for meta in most_per_session if hasattr(meta, "le"))
    for rung in schema.climb(ladder, exercises, move):
        index = abs(rung.position) - 1
        exercise = exercises[rung.item]
        timed_by = [
            name for name in ("hold_seconds", "duration_seconds") if name in schema.own_dose(exercise)
        ]
        for name in ("hold_seconds", "duration_seconds"):
            if name in rung.step.dose() and name not in timed_by:
                yield _ladder_finding(
                    ladder.id,
                    f"{field}.{index}.{name}",
                    f"{exercise.id!r} is not timed by {name} (its dosage has"
                    f" {', '.join(timed_by) or 'no seconds'}); a step changes the numbers its exercise has",
                )
        per_session = rung.minutes / rung.dose.get("times_per_day", 1)
        if per_session > session_limit or rung.minutes > largest:
            yield _ladder_finding(
                ladder.id,
                f"{field}.{index}",
                f"the step takes about {rung.minutes:g} minutes a day ({per_session:g} a session): more"
                f" than an item may take ({session_limit:g} a session) or any budget holds ({largest} a"
                " day), so no schedule could ever take it",
            )


def _ladder_order(ladder: schema.Ladder) -> Iterator[Finding]:
    """Planned steps come first, in the order of their weeks; easier steps are never planned."""
    for index, step in enumerate(ladder.easier):
        if step.after_weeks is not None:
            yield _ladder_finding(
                ladder.id,
                f"easier.{index}.after_weeks",
                "an easier step is taken on how the person is doing, never planned ahead: drop `after_weeks`",
            )
    for index, step in enumerate(ladder.harder):
        if step.variant is not None and step.after_weeks is not None:
            yield _ladder_finding(
                ladder.id,
                f"harder.{index}.after_weeks",
                f"a move to {step.variant!r} is never planned ahead (the rules have not cleared that"
                " variant for the person): drop `after_weeks`",
            )
    previous: int | None = 0
    for index, step in enumerate(ladder.harder):
        if step.after_weeks is not None and (previous is None or step.after_weeks <= previous):
            before = "a step that is not planned" if previous is None else f"week {previous}"
            yield _ladder_finding(
                ladder.id,
                f"harder.{index}.after_weeks",
                f"after_weeks {step.after_weeks} comes after {before}: planned steps go first, each"
                " later than the one before",
            )
        previous = step.after_weeks if previous is not None else None


# --- the foot map -------------------------------------------------------------------------------

_ZONES_FILE = f"{ZONES}.yaml"


def _zone_map(knowledge: schema.Knowledge, ids: _Ids, gaps: Gaps) -> Iterator[Finding]:
    """The foot map (``zones.yaml``) against the rest: unique names, references (views, reflex
    areas, points, sources), a place on the map for every reflex area and point, and every
    coordinate inside its view's box and on the drawn foot. Nothing is checked against a file or
    list that could not be read."""
    if ZONES in gaps.unreadable:
        return
    zones = knowledge.zones
    yield from _zone_duplicates(zones, gaps)
    views = _known(gaps, "views", (view.id for view in zones.views))
    mapped = {
        "areas": _item_ids(knowledge, gaps, schema.ReflexArea),
        "points": _item_ids(knowledge, gaps, schema.AcupressurePoint),
    }
    for view in zones.views:
        yield from _dangling(_ZONES_FILE, view.id, "source", view.source, ids.sources)
    for name, entry, item, view_id in _placed(zones):
        yield from _dangling(_ZONES_FILE, item, ZONE_SECTIONS[name][0], item, mapped[name])
        yield from _dangling(_ZONES_FILE, item, "view", view_id, views)
        yield from _dangling(_ZONES_FILE, item, "source", entry.source, ids.sources)
    yield from _unmapped(knowledge, gaps)
    yield from _zone_coordinates(zones)


def _known(gaps: Gaps, section: str, valid: Iterable[str]) -> Known:
    """The names of one list of ``zones.yaml``: of the entries that validated and of the others."""
    name = zone_section(section)
    return None if name in gaps.unreadable else {*valid, *gaps.broken.get(name, ())}


def _item_ids(knowledge: schema.Knowledge, gaps: Gaps, model: type[schema.ItemBase]) -> Known:
    """The ids of every item whose entry model is ``model`` (also those failing validation)."""
    kinds = [kind for kind in ITEM_KINDS if schema.ITEM_MODELS[kind.name] is model]
    if any(kind.file in gaps.unreadable for kind in kinds):
        return None
    return {
        *(item.id for kind in kinds for item in knowledge.items.get(kind.name, [])),
        *(ident for kind in kinds for ident in gaps.broken.get(kind.file, ())),
    }


def _placed(
    zones: schema.ZoneMap,
) -> Iterator[tuple[str, schema.AreaZone | schema.PointMark, str, str]]:
    """Each area zone and point mark: its list, the entry, the item it places and its view."""
    for zone in zones.areas:
        yield "areas", zone, zone.area, zone.view
    for mark in zones.points:
        yield "points", mark, mark.point, mark.view


def _zone_duplicates(zones: schema.ZoneMap, gaps: Gaps) -> Iterator[Finding]:
    named = {
        "views": [view.id for view in zones.views],
        "areas": [zone.area for zone in zones.areas],
        "points": [mark.point for mark in zones.points],
    }
    for section, (key, _) in ZONE_SECTIONS.items():
        names = [*named[section], *gaps.broken.get(zone_section(section), ())]
        for ident, count in sorted(Counter(names).items()):
            if count > 1:
                yield Finding(
                    _ZONES_FILE,
                    ident,
                    key,
                    FindingCode.DUPLICATE_ID,
                    f"{section} names {ident!r} {count} times; each is drawn once",
                )


def _unmapped(knowledge: schema.Knowledge, gaps: Gaps) -> Iterator[Finding]:
    """A reflex area without a zone, or an acupressure point without a mark: the foot map cannot
    show where it is (``missing_geometry``)."""
    for section, model, what in (
        ("areas", schema.ReflexArea, "zone"),
        ("points", schema.AcupressurePoint, "mark"),
    ):
        names = (item for name, _, item, _ in _placed(knowledge.zones) if name == section)
        placed = _known(gaps, section, names)
        if placed is None:
            continue
        key = ZONE_SECTIONS[section][0]
        for kind in ITEM_KINDS:
            if schema.ITEM_MODELS[kind.name] is not model:
                continue
            for item in knowledge.items.get(kind.name, []):
                if item.id not in placed:
                    yield Finding(
                        _ZONES_FILE,
                        item.id,
                        section,
                        FindingCode.MISSING_GEOMETRY,
                        f"{item.id!r} ({kind.file}.yaml) has no {what} on the foot map; add"
                        f" `{key}: {item.id}` to `{section}`, with its view, where it is and its source",
                    )


def _zone_coordinates(zones: schema.ZoneMap) -> Iterator[Finding]:
    """Every coordinate inside its view's box; every zone and mark on the drawn foot."""
    for view in zones.views:
        shapes = [(f"outline.{i}", shape) for i, shape in enumerate(view.outline)]
        shapes += [(f"marks.{i}", shape) for i, shape in enumerate(view.marks)]
        for field, shape in shapes:
            yield from _outside_view(view.id, field, shape, view)
    for _, entry, item, view_id in _placed(zones):
        placed_in = zones.view(view_id)
        if placed_in is None:
            continue  # a dangling view: reported already
        if isinstance(entry, schema.AreaZone):
            field, points = "shape", list(entry.shape)
        else:
            field, points = "at", [entry.at]
        outside = list(_outside_view(item, field, points, placed_in))
        yield from outside
        if not outside:
            yield from _off_outline(item, field, points, placed_in)


def _where(field: str, points: Sequence[schema.XY], index: int) -> str:
    return field if len(points) == 1 else f"{field}.{index}"


def _outside_view(
    entry: str, field: str, points: Sequence[schema.XY], view: schema.FootView
) -> Iterator[Finding]:
    """The first point of a shape outside its view's box (one finding per shape)."""
    for index, (x, y) in enumerate(points):
        if not (0 <= x <= view.width and 0 <= y <= view.height):
            yield Finding(
                _ZONES_FILE,
                entry,
                _where(field, points, index),
                FindingCode.OUTSIDE_VIEW,
                f"[{x:g}, {y:g}] is outside view {view.id!r}, whose box is 0 to {view.width:g} across"
                f" and 0 to {view.height:g} down",
            )
            return


def _off_outline(
    entry: str, field: str, points: Sequence[schema.XY], view: schema.FootView
) -> Iterator[Finding]:
    """The first point of a zone or mark that is not on the foot drawn in its view."""
    for index, point in enumerate(points):
        if not any(_inside(point, shape) for shape in view.outline):
            x, y = point
            yield Finding(
                _ZONES_FILE,
                entry,
                _where(field, points, index),
                FindingCode.OFF_OUTLINE,
                f"[{x:g}, {y:g}] is not on the foot drawn in view {view.id!r} (outside every shape"
                " of its `outline`)",
            )
            return


def _inside(point: schema.XY, shape: Sequence[schema.XY]) -> bool:
    """Whether ``point`` lies inside the polygon ``shape`` (even-odd rule, by ray casting)."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(shape, [*shape[1:], shape[0]], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside
