"""Compile declarative rule data into a durable-rules ruleset definition (JSON, no Python)."""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from footmap._kinds import FACT_TYPES
from footmap._knowledge import schema
from footmap._knowledge.base import KnowledgeBase
from footmap._rules.effects import RuleHead

_COMPARISON_KEYS = {"ne": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}
#: The prefixes of the two flags a fact carries for its key (see ``_pattern_json``).
KEY_FLAG, BUCKET_FLAG = "@", "#"
#: How many buckets keys are spread over.
BUCKETS = 64
#: durable-rules 2.0.28 files the children of a network node in a table of 512 slots; a node
#: with 512 children makes every assert loop forever (measured), so the engine stays below.
DURABLE_MAX_CHILDREN = 512
#: A fact type no fact ever has: the sentinel rule waits on it forever.
_NEVER = "__never__"


@dataclass(frozen=True)
class CompiledRule:
    """One rule ready for the engine: its effect, and its durable-rules condition."""

    head: RuleHead
    condition: dict[str, Any]
    absent: tuple[schema.Pattern, ...] = ()

    @property
    def id(self) -> str:
        return self.head.id


def knowledge_rules(knowledge: KnowledgeBase) -> list[schema.Rule]:
    """The rules of a knowledge base, with every item precaution turned into rules.

    A precaution's patterns are joined to its item; one with ``any`` becomes one rule per branch
    (all sharing the precaution's id), since "the item, and any of these" is "any of (the item
    and this)".
    """
    rules = list(knowledge.knowledge.rules)
    for ident in sorted(knowledge.items):
        for precaution in knowledge.items[ident].precautions:
            rules += _precaution_rules(ident, precaution)
    return sorted(rules, key=lambda rule: rule.id)


def _precaution_rules(item_id: str, precaution: schema.Precaution) -> list[schema.Rule]:
    item_pattern = schema.Pattern(fact="item", is_=item_id, bind="item")
    branches = (
        [precaution.when.all]
        if precaution.when.all is not None
        else [[pattern] for pattern in precaution.when.any or []]
    )
    return [
        schema.Rule(
            id=f"precaution.{item_id}.{precaution.id}",
            effect=precaution.effect,
            message=precaution.reason,
            source=precaution.source,
            target="item",
            when=schema.Condition(all=[item_pattern, *branch]),
            adjust=precaution.adjust,
        )
        for branch in branches
    ]


def compile_rules(knowledge: KnowledgeBase) -> list[CompiledRule]:
    """Every rule of the knowledge (precautions included), compiled.

    ``absent`` patterns are not compiled into durable-rules' ``$not``: durable-rules decides a
    negation when the positive facts arrive, so a negating fact later in the same batch (or the
    same fact matching both) does not stop the rule (measured on 2.0.28). The engine checks them
    in Python once the batch is in, against every fact of the run.
    """
    return [compile_rule(rule) for rule in knowledge_rules(knowledge)]


def compile_rule(rule: schema.Rule) -> CompiledRule:
    mode = "all" if rule.when.all is not None else "any"
    patterns = [
        {pattern.bind or f"p{index}": _pattern_json(pattern)}
        for index, pattern in enumerate(rule.when.patterns)
        if not pattern.absent
    ]
    return CompiledRule(
        head=RuleHead.of(rule),
        condition={mode: patterns},
        absent=tuple(pattern for pattern in rule.when.patterns if pattern.absent),
    )


def key_flags(key: str) -> tuple[str, str]:
    """The two flags a fact with this key carries for durable-rules: its bucket's, then its own."""
    return f"{BUCKET_FLAG}{zlib.crc32(key.encode()) % BUCKETS}", KEY_FLAG + key


def _pattern_json(pattern: schema.Pattern) -> dict[str, Any]:
    """A pattern as a durable-rules condition; ``is: X`` tests the flags of ``X``, not ``key``.

    durable-rules chains a pattern's tests in order and files a node's children by the name of
    the field they test, not by its value. With ``key == X`` every fact would meet one test per
    item precaution and per named complaint (a cost that grows with the knowledge), and 512 of
    them under one node hang durable-rules. The engine gives each fact with a key two flags, its
    bucket's (``#<n>``, one of 64) and its own (``@<key>``): a fact only meets the tests of its
    bucket and its key, and a node has at most 64 buckets or a bucket's keys as children.
    """
    terms: list[dict[str, Any]] = [{"t": pattern.fact}]
    if pattern.is_ is not None:
        terms += [{flag: True} for flag in key_flags(pattern.is_)]
    for field, value in sorted(pattern.where.items()):
        terms.append(_comparison_json(field, value))
    return {"$and": terms}


def _comparison_json(field: str, value: schema.Scalar | schema.Comparison) -> dict[str, Any]:
    if not isinstance(value, schema.Comparison):
        return {field: value}
    operator = value.operator
    operand = getattr(value, operator)
    if operator == "eq":
        return {field: operand}
    if operator == "one_of":
        return {"$or": [{field: one} for one in operand]}
    if operator == "ref":
        binding, _, other_field = operand.partition(".")
        return {field: {binding: other_field}}
    return {_COMPARISON_KEYS[operator]: {field: operand}}


def durable_definition(rules: list[CompiledRule]) -> dict[str, Any]:
    """The durable-rules ruleset definition (for ``create_ruleset``): rule ``r<i>`` is ``rules[i]``.

    There are no actions in it: the engine drains the matches itself (see ``rules/engine.py``).
    A sentinel rule mentions every fact type so that no fact is ever "not handled" (durable-rules
    rejects a whole batch if one fact matches no rule), and never fires.
    """
    definition: dict[str, Any] = {f"r{index}": rule.condition for index, rule in enumerate(rules)}
    every_type = [{"t": fact_type} for fact_type in sorted(FACT_TYPES)]
    definition["sentinel"] = {"all": [{"m": {"$or": every_type}}, {"never": {"t": _NEVER}}]}
    return definition


def durable_fan_out(definition: dict[str, Any]) -> int:
    """The most children any node of durable-rules' network gets from this definition.

    durable-rules chains the tests of a pattern (``$and``) from the root in order, sharing a node
    between patterns that start with the same tests; a pattern that is one test (or an ``$or``)
    is one child of the root.
    """
    children: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for rule in definition.values():
        for binding in rule.get("all") or rule.get("any") or []:
            for pattern in binding.values():
                tests = pattern.get("$and", [pattern])
                path: tuple[str, ...] = ()
                for test in tests:
                    step = json.dumps(test, sort_keys=True)
                    children[path].add(step)
                    path = (*path, step)
    return max((len(nodes) for nodes in children.values()), default=0)
