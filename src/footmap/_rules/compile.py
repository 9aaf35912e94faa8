"""Compile declarative rule data: into a network of alphas and joins, and alphas into durable-rules JSON.

No Python is generated and nothing is evaluated: a rule is data, its network is plain tuples
(:mod:`footmap._rules.network`), and its alphas become a durable-rules ruleset definition (JSON).
"""

from __future__ import annotations

import json
import math
import zlib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from footmap._kinds import FACT_TYPES
from footmap._knowledge import schema
from footmap._rules.match import Check

if TYPE_CHECKING:  # the knowledge check imports this module, and the knowledge base the check
    from footmap._knowledge.base import KnowledgeBase
    from footmap._rules.network import Alpha

_COMPARISON_KEYS = {"ne": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}
#: The prefixes of the two flags a fact carries for its key (see ``_pattern_json``).
KEY_FLAG, BUCKET_FLAG = "@", "#"
#: How many buckets keys are spread over.
BUCKETS = 64
#: durable-rules 2.0.28 files the children of a network node in a table of 512 slots; a node
#: with 512 children makes every assert loop forever (measured), so the engine stays below.
DURABLE_MAX_CHILDREN = 512
#: The most matches of one alpha durable-rules hands over in one action (all of a run's).
_CAP = 1_000_000
#: A fact type no fact ever has: the sentinel rule waits on it forever.
_NEVER = "__never__"
#: The integers durable-rules compares exactly. It reads integers with ``atoll`` (saturating
#: beyond 64 bits) and compares an integer with a float as two doubles, which is exact only up to
#: 2**53 (measured: ``2**63 - 1 < 2.0**63`` is false there, true in Python).
EXACT_INT_RANGE = (-(2**53), 2**53)


def knowledge_rules(knowledge: KnowledgeBase) -> list[schema.Rule]:
    """The rules of a knowledge base, with every item precaution turned into rules.

    A precaution's patterns are joined to its item; one with ``any`` becomes one rule per branch
    (all sharing the precaution's id), since "the item, and any of these" is "any of (the item
    and this)".
    """
    rules = list(knowledge.knowledge.rules)
    rules += [forbidding for rule in knowledge.knowledge.rules for forbidding in forbids_rules(rule)]
    for ident in sorted(knowledge.items):
        for precaution in knowledge.items[ident].precautions:
            rules += _precaution_rules(ident, precaution)
    return sorted(rules, key=lambda rule: rule.id)


#: The suffix of the rule id of what a rule's ``forbids`` leaves out.
FORBIDS_SUFFIX = ".forbids"


def forbids_rules(rule: schema.Rule) -> list[schema.Rule]:
    """The ``exclude`` rules of a rule's ``forbids``: whenever it fires, the items it forbids go.

    One per branch of an ``any`` rule, as for precautions; each is ``<rule id>.forbids``.
    """
    if rule.forbids is None:
        return []
    item_pattern = schema.Pattern(fact="item", bind="item", where=rule.forbids.where)
    when = rule.when
    branches = [when.all] if when.all is not None else [[pattern] for pattern in when.any or []]
    return [
        schema.Rule(
            id=rule.id + FORBIDS_SUFFIX,
            effect="exclude",
            message=rule.forbids.reason,
            source=rule.source,
            target="item",
            when=schema.Condition(all=[*branch, item_pattern]),
        )
        for branch in branches
    ]


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


def key_flags(key: str) -> tuple[str, str]:
    """The two flags a fact with this key carries for durable-rules: its bucket's, then its own."""
    return f"{BUCKET_FLAG}{zlib.crc32(key.encode()) % BUCKETS}", KEY_FLAG + key


def alpha_json(alpha: Alpha) -> dict[str, Any]:
    """An alpha as a durable-rules condition, with Python's comparisons (see :func:`typed_field`).

    ``is: X`` tests the flags of ``X``, not ``key``: durable-rules chains a pattern's tests in
    order and files a node's children by the name of the field they test, not by its value. With
    ``key == X`` every fact would meet one test per item precaution and per named complaint (a
    cost that grows with the knowledge), and 512 of them under one node hang durable-rules. The
    engine gives each fact with a tested key two flags, its bucket's (``#<n>``, one of 64) and its
    own (``@<key>``): a fact only meets the tests of its bucket and its key, and a node has at most
    64 buckets or a bucket's keys as children.
    """
    terms: list[dict[str, Any]] = [{"t": alpha.fact}]
    if alpha.key is not None:
        terms += [{flag: True} for flag in key_flags(alpha.key)]
    checks = sorted(alpha.checks, key=repr)
    tests = [_check_json(check) for check in checks if check[1] != "one_of"]
    choices = [_check_json(check) for check in checks if check[1] == "one_of"]
    return {"$and": terms + tests + choices}


#: The suffixes of the fields that hold a fact's text, its null, and its numbers for an order.
TEXT, NULL, ORDERED = "~s", "~z", "~n"


def typed_fields(name: str, value: object, ordered: bool) -> list[tuple[str, object]]:
    """Where durable-rules gets a fact's field, and as what, so that it compares as Python does.

    durable-rules compares across kinds unlike Python (measured on 2.0.28: ``"a" >= 1``, ``"1" ==
    1`` and ``False >= 0`` hold there, ``None != 1`` does not). So each kind of value has its own
    field: numbers and flags under the field's own name, a flag as ``1`` or ``0`` (Python's
    ``True == 1``), for ``eq``, ``ne`` and ``one_of``; text under ``<name>~s``; null as ``true``
    under ``<name>~z``; and, where an order is tested on the field (``ordered``), numbers that
    are not flags again under ``<name>~n``, the only field an order reads.

    >>> typed_fields("severity", 6, True), typed_fields("severity", True, True)
    ([('severity', 6), ('severity~n', 6)], [('severity', 1)])
    >>> typed_fields("side", "left", False), typed_fields("side", None, False)
    ([('side~s', 'left')], [('side~z', True)])
    """
    if isinstance(value, bool):
        return [(name, int(value))]
    if isinstance(value, int | float):
        return [(name, value), (name + ORDERED, value)] if ordered else [(name, value)]
    if value is None:
        return [(name + NULL, True)]
    return [(name + TEXT, value)]


def _equal(name: str, operand: Any) -> dict[str, Any]:
    """The durable-rules test that holds when the field ``== operand`` in Python."""
    if isinstance(operand, str):
        return {name + TEXT: operand}
    return {name: int(operand) if isinstance(operand, bool) else operand}


def _unequal(name: str, operand: Any) -> dict[str, Any]:
    """The durable-rules test that holds when the field is there and ``!= operand`` in Python."""
    number, text = (None, name + TEXT) if isinstance(operand, str) else (name, None)
    other_kinds = [
        {"$ex": {field: 1}} for field in (name, name + TEXT, name + NULL) if field not in (number, text)
    ]
    same_kind = number if number is not None else text
    own = _equal(name, operand)
    return {"$or": [{"$and": [{"$ex": {same_kind: 1}}, {"$neq": own}]}, *other_kinds]}


def _check_json(check: Check) -> dict[str, Any]:
    name, operator, operand = check
    if operator == "eq":
        return _equal(name, operand)
    if operator == "one_of":
        return {"$or": [_equal(name, one) for one in operand]}
    if operator == "ne":
        return _unequal(name, operand)
    if isinstance(operand, bool) or not isinstance(operand, int | float):
        return {"t": _NEVER}  # an order holds between numbers only
    return {_COMPARISON_KEYS[operator]: {name + ORDERED: operand}}


def ordered_fields(alpha: Alpha) -> set[str]:
    """The fields an alpha tests with an order (``gt``, ``gte``, ``lt``, ``lte``)."""
    return {name for name, operator, _ in alpha.checks if operator in _COMPARISON_KEYS and operator != "ne"}


def alpha_definition(alphas: Mapping[int, Alpha]) -> dict[str, Any]:
    """The durable-rules ruleset definition (for ``create_ruleset``): rule ``a<i>`` is ``alphas[i]``.

    Each rule has one pattern and takes all its matches in one action (``cap``). There are no
    actions in it: the engine drains the matches itself. A sentinel rule mentions every fact type
    so that no fact is ever "not handled" (durable-rules rejects a whole batch if one fact matches
    no rule), and never fires.
    """
    definition: dict[str, Any] = {
        alpha_name(index): {"all": [{"m": alpha_json(alpha)}], "cap": _CAP} for index, alpha in alphas.items()
    }
    every_type = [{"t": fact_type} for fact_type in sorted(FACT_TYPES)]
    definition["sentinel"] = {"all": [{"m": {"$or": every_type}}, {"never": {"t": _NEVER}}]}
    return definition


def alpha_name(index: int) -> str:
    """The durable-rules name of alpha ``index``."""
    return f"a{index}"


def durable_fan_out(definition: dict[str, Any]) -> int:
    """The most children any node of durable-rules' network gets from this definition.

    durable-rules chains the tests of a pattern (``$and``) from the root in order, sharing a node
    between patterns that start with the same tests; a pattern that is one test is one child of
    the root. The tests of an ``$or`` are children of the node the ``$or`` follows, each leading
    to the ``$or``'s own node (``createAlpha`` in 2.0.28's ``src/rules/rete.c``): a hundred
    ``one_of`` tests of five values each give a node 500 children, not 100.
    """
    children: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for rule in definition.values():
        for binding in rule.get("all") or rule.get("any") or []:
            for pattern in binding.values():
                tests = pattern.get("$and", [pattern])
                path: tuple[str, ...] = ()
                for test in tests:
                    step = json.dumps(test, sort_keys=True)
                    members = test.get("$or") if isinstance(test, dict) else None
                    if isinstance(members, list):
                        for member in members:
                            member_step = json.dumps(member, sort_keys=True)
                            children[path].add(member_step)
                            children[(*path, member_step)].add(step)
                    else:
                        children[path].add(step)
                    path = (*path, step)
    return max((len(nodes) for nodes in children.values()), default=0)


# --- numbers as durable-rules reads them ---------------------------------------------------------


def number_text(value: int | float) -> str | None:
    """A number as JSON text that durable-rules 2.0.28 parses to exactly this value, or ``None``.

    Its parser (``getNumber`` in ``src/rules/json.c``) reads an exponent only after a decimal
    point: ``1e-05`` makes it refuse the text (error 204) or crash, ``1.0e-05`` is read with
    ``atof``, which gives back Python's double exactly (measured at the smallest, largest and
    neighbouring doubles). Whole floats within :data:`EXACT_INT_RANGE` are written as integers,
    and ``-0.0`` as ``0``, so that a join (``ref``) between ``3`` and ``3.0`` or ``0.0`` and
    ``-0.0`` hashes both sides alike, as Python's ``==`` has them equal. ``None``: an integer
    beyond 2**53 (see :data:`EXACT_INT_RANGE`), infinity or NaN, which durable-rules cannot
    compare exactly.

    >>> [number_text(v) for v in (1e-05, 3.0, -0.0, 0.5, 2**70)]
    ['1.0e-05', '3', '0', '0.5', None]
    """
    low, high = EXACT_INT_RANGE
    if isinstance(value, int):
        return str(value) if low <= value <= high else None
    if not math.isfinite(value):
        return None
    if value.is_integer() and low <= value <= high:
        return str(int(value))
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:
        return f"{mantissa}.0e{exponent}"
    return text


def durable_json(value: object) -> str:
    """JSON text for durable-rules: every number written by :func:`number_text`.

    Raises ``ValueError`` on a number durable-rules cannot hold exactly.

    >>> durable_json({"weeks": 1e-05, "t": "pain", "ok": [True, None]})
    '{"weeks": 1.0e-05, "t": "pain", "ok": [true, null]}'
    """
    if _plain(value):  # no float, no integer beyond 2**53: json.dumps writes it as durable-rules reads it
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        text = number_text(value)
        if text is None:
            raise ValueError(f"durable-rules cannot hold the number {value!r}")
        return text
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{durable_json(str(k))}: {durable_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(durable_json(one) for one in value) + "]"
    raise TypeError(f"not JSON: {value!r}")


def _plain(value: object) -> bool:
    """Whether ``json.dumps`` writes every number in ``value`` the way durable-rules reads it."""
    if isinstance(value, float):
        return False
    if isinstance(value, int) and not isinstance(value, bool):
        low, high = EXACT_INT_RANGE
        return low <= value <= high
    if isinstance(value, Mapping):
        return all(_plain(one) for one in value.values())
    if isinstance(value, list | tuple):
        return all(_plain(one) for one in value)
    return True


def operand_problems(rule: schema.Rule) -> Iterator[tuple[str, str]]:
    """Each operand of a rule that durable-rules cannot hold exactly: (field path, message).

    Pure Python, so ``knowledge check`` gives the same answer wherever durable-rules imports or
    not. Every finite float is fine (see :func:`number_text`); an integer beyond 2**53,
    infinity and NaN are not.
    """
    for index, pattern in enumerate(rule.when.patterns):
        for name, value in sorted(pattern.where.items()):
            if isinstance(value, schema.Comparison):
                operand = getattr(value, value.operator)
                operands = operand if isinstance(operand, list) else [operand]
            else:
                operands = [value]
            for one in operands:
                if isinstance(one, int | float) and not isinstance(one, bool) and number_text(one) is None:
                    yield (
                        f"when.{index}.where.{name}",
                        f"the number {one!r} cannot be compared exactly: use a finite number"
                        ", whole numbers between -2**53 and 2**53",
                    )
