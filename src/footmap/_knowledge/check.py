"""Cross-checks of the entries that validated: duplicate ids, references, sources, reviews, rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from footmap._errors import Finding, FindingCode
from footmap._kinds import (
    EVERYONE,
    FACT_TYPES,
    FACTOR,
    ITEM_KINDS,
    ITEMS,
    REPORTED_KINDS,
    node_id,
    split_node,
)
from footmap._knowledge import schema
from footmap._knowledge.loader import RULES, Gaps
from footmap._rules.compile import operand_problems
from footmap._suggest import did_you_mean, nearest


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
