"""Compact plans: a plan's JSON with the texts its knowledge holds written as numbers.

Most of a plan's JSON is text its knowledge base holds: each item's name, summary, steps and
dosage, each reason's claim, each source's citation, the ids of facts, graph nodes and links,
and the plan's own field names. A :class:`PlanCatalog` lists every such text once, in an order
fixed by the knowledge and footmap's plan schema alone; a compact plan writes each one as its
number in the catalog, so it holds the same information as the plan's JSON in about a quarter
of the bytes. A frontend fetches the catalog once (it is named by a hash of its texts, so a
cached copy is never mistaken for another) and reads every compact plan with it; footmap reads
them with :func:`expand_plan`, which gives back a plan equal to the one written, whose JSON is
the same byte for byte.

A compact plan is one JSON object::

    {"format": "footmap-compact/1", "catalog": "<id>", "knowledge": "<the catalog's knowledge>",
     "plan": <the plan's JSON, written as below>}

``knowledge`` is the fingerprint of the knowledge base the catalog was made from (most often the
one that made the plan: the plan's own ``knowledge`` says).

Within ``plan``, every value keeps its JSON type but these:

- a string in the catalog is its number there (an integer);
- a number is a string: ``"#"`` and the number's JSON (``"#1.5"``);
- any other string is itself, but one that starts with ``"#"`` gains another (``"##3"`` is the
  string ``"#3"``).

An object's keys are strings, so a key in the catalog is its number there in base 62 (digits,
then ``a``-``z``, then ``A``-``Z``); any other key is ``"~"`` and itself.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
import threading
import typing
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from footmap._errors import CompactPlanError
from footmap._knowledge.base import KnowledgeBase, PerKnowledge, knowledge_of, shipped_knowledge
from footmap._knowledge.graph import graph_edges, graph_nodes
from footmap._plan import Plan

#: The ``format`` of a compact plan.
FORMAT = "footmap-compact/1"
#: The ``format`` of a catalog's JSON.
CATALOG_FORMAT = "footmap-catalog/1"
#: The digits of a key's number, in order (base 62).
KEY_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: What starts a number written as a string, and what a literal key starts with.
NUMBER_MARK = "#"
LITERAL_KEY_MARK = "~"


@dataclass(frozen=True, eq=False)
class PlanCatalog:
    """Every text a plan made with one knowledge base can share with it, each with its number.

    ``id`` is a hash of ``texts`` (16 hex digits): two catalogs with one id hold the same texts.
    ``knowledge`` is the fingerprint of the knowledge base it was made from.

    >>> catalog = plan_catalog()
    >>> catalog.texts[catalog.number("summary")]
    'summary'
    >>> PlanCatalog.from_json(catalog.to_json()).id == catalog.id
    True
    """

    id: str
    knowledge: str
    texts: tuple[str, ...]
    _numbers: Mapping[str, int] = field(repr=False, compare=False)

    @classmethod
    def of(cls, texts: Sequence[str], knowledge: str) -> PlanCatalog:
        """The catalog of these texts (in this order, each once) for this knowledge."""
        ordered = tuple(texts)
        if len(set(ordered)) != len(ordered):
            raise ValueError("a catalog holds each text once")
        return cls(_catalog_id(ordered), knowledge, ordered, {text: n for n, text in enumerate(ordered)})

    def number(self, text: str) -> int | None:
        """The text's number in the catalog; ``None`` when the catalog does not hold it."""
        return self._numbers.get(text)

    def to_json(self) -> str:
        """The catalog as JSON, what a frontend fetches once to read compact plans."""
        document = {"format": CATALOG_FORMAT, "id": self.id, "knowledge": self.knowledge, "texts": self.texts}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> PlanCatalog:
        """The catalog of :meth:`to_json`'s text; :class:`~footmap.CompactPlanError` when it is
        not one, or its texts are not those its id names."""
        document = _json_object(text, "catalog")
        if document.get("format") != CATALOG_FORMAT:
            raise CompactPlanError(f"not a footmap catalog: its format is not {CATALOG_FORMAT!r}")
        texts, knowledge, named = document.get("texts"), document.get("knowledge"), document.get("id")
        if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
            raise CompactPlanError("not a footmap catalog: 'texts' is not a list of strings")
        if not isinstance(knowledge, str):
            raise CompactPlanError("not a footmap catalog: 'knowledge' is not a string")
        try:
            catalog = cls.of(texts, knowledge)
        except ValueError:
            raise CompactPlanError("not a footmap catalog: a text is in it twice") from None
        if catalog.id != named:
            raise CompactPlanError(f"the catalog's texts are not those of catalog {named!r}: it was changed")
        _remember(catalog)
        return catalog


def _catalog_id(texts: Sequence[str]) -> str:
    encoded = json.dumps(list(texts), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:16]


def _build_catalog(knowledge: KnowledgeBase) -> PlanCatalog:
    """The knowledge's catalog: its texts, its graph's node and link ids, and the plan schema's
    field names and fixed values, shortest first (the most used are short: small numbers)."""
    texts = set(_strings(knowledge.knowledge.model_dump(mode="json")))
    texts.update(node for node, _ in graph_nodes(knowledge.knowledge))
    texts.update(edge[2] for edge in graph_edges(knowledge.knowledge))
    texts.update(_schema_strings(Plan, set()))
    catalog = PlanCatalog.of(
        sorted(texts, key=lambda text: (len(text.encode("utf-8")), text)), knowledge.fingerprint
    )
    _remember(catalog)
    return catalog


def _strings(value: object) -> Iterator[str]:
    """Every string in a value made of JSON's types, keys too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield str(key)
            yield from _strings(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _strings(inner)


def _schema_strings(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[str]:
    """The field names of a model and of every model its fields hold, and their fixed values
    (``Literal`` strings, enumerations)."""
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        yield info.serialization_alias or name
        yield from _annotation_strings(info.annotation, seen)


def _annotation_strings(annotation: object, seen: set[type[BaseModel]]) -> Iterator[str]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _schema_strings(annotation, seen)
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        yield from (str(member.value) for member in annotation)
    elif typing.get_origin(annotation) is typing.Literal:
        yield from (value for value in typing.get_args(annotation) if isinstance(value, str))
    for inner in typing.get_args(annotation):
        yield from _annotation_strings(inner, seen)


_catalog_of = PerKnowledge(_build_catalog)
#: Every catalog made or read in this process and still in use, by id.
_catalogs: weakref.WeakValueDictionary[str, PlanCatalog] = weakref.WeakValueDictionary()
_catalogs_lock = threading.Lock()


def _remember(catalog: PlanCatalog) -> None:
    with _catalogs_lock:
        _catalogs.setdefault(catalog.id, catalog)


def plan_catalog(knowledge: KnowledgeBase | None = None) -> PlanCatalog:
    """The catalog of a knowledge base (default: the shipped one), made once and kept with it.

    >>> plan_catalog() is plan_catalog()
    True
    """
    return _catalog_of(knowledge if knowledge is not None else shipped_knowledge())


def compact_plan(plan: Plan, *, catalog: PlanCatalog | None = None) -> str:
    """The plan as compact JSON (the module's docstring), its texts numbered in a catalog: the one
    given, else that of the knowledge base that made the plan when it is alive in this process,
    else the shipped knowledge's. Any catalog reads back the same plan (a text it does not hold is
    written in full); its own knowledge's makes the plan smallest.

    >>> import footmap
    >>> plan = footmap.recommend({"pains": [{"area": "knee", "severity": 4}]})
    >>> len(compact_plan(plan)) < len(plan.model_dump_json()) / 3
    True
    >>> expand_plan(compact_plan(plan)) == plan
    True
    """
    if catalog is None:
        made_it = knowledge_of(plan.knowledge)
        catalog = plan_catalog(made_it)  # None: the shipped knowledge's
    encoded = _Encoder(catalog).value(json.loads(plan.model_dump_json()))
    document = {"format": FORMAT, "catalog": catalog.id, "knowledge": catalog.knowledge, "plan": encoded}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


class _Encoder:
    """Writes a plan's JSON value compact."""

    def __init__(self, catalog: PlanCatalog) -> None:
        self._numbers = catalog._numbers
        self._keys: dict[str, str] = {}

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            number = self._numbers.get(value)
            if number is not None:
                return number
            return NUMBER_MARK + value if value.startswith(NUMBER_MARK) else value
        if isinstance(value, dict):
            keys = self._keys
            return {
                (keys[key] if key in keys else self._key(key)): self.value(inner)
                for key, inner in value.items()
            }
        if isinstance(value, list):
            return [self.value(inner) for inner in value]
        if isinstance(value, bool) or value is None:
            return value
        return NUMBER_MARK + (repr(value) if math.isfinite(value) else json.dumps(value))

    def _key(self, key: str) -> str:
        number = self._numbers.get(key)
        written = _base62(number) if number is not None else LITERAL_KEY_MARK + key
        self._keys[key] = written
        return written


def _base62(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, len(KEY_DIGITS))
        digits = KEY_DIGITS[digit] + digits
        if not number:
            return digits


def expand_plan(
    text: str | bytes, *, catalog: PlanCatalog | None = None, knowledge: KnowledgeBase | None = None
) -> Plan:
    """The plan of compact JSON (:func:`compact_plan`), equal to the plan written.

    The catalog is the one given, else the knowledge base's given, else the one the compact plan
    names, when this process has it: the shipped knowledge's, or that of a knowledge base alive
    here, or one read with :meth:`PlanCatalog.from_json`. Raises
    :class:`~footmap.CompactPlanError` when the text is not a compact plan or its catalog is
    not the one given or not found; the plan it holds is validated as
    :meth:`Plan.model_validate_json` validates one (a ``pydantic.ValidationError``).
    """
    document = _json_object(text, "compact plan")
    if document.get("format") != FORMAT:
        raise CompactPlanError(f"not a compact footmap plan: its format is not {FORMAT!r}")
    named, fingerprint = document.get("catalog"), document.get("knowledge")
    if not isinstance(named, str) or not isinstance(fingerprint, str):
        raise CompactPlanError("not a compact footmap plan: 'catalog' or 'knowledge' is not a string")
    if "plan" not in document:
        raise CompactPlanError("not a compact footmap plan: it has no 'plan'")
    chosen = catalog if catalog is not None else _catalog_for(fingerprint, knowledge, named)
    if chosen.id != named:
        raise CompactPlanError(f"the plan was written with catalog {named}, not catalog {chosen.id}")
    value = _Decoder(chosen.texts).value(document["plan"], "plan")
    return Plan.model_validate_json(json.dumps(value, ensure_ascii=False))


def read_plan_json(text: str | bytes, *, knowledge: KnowledgeBase | None = None) -> Plan:
    """The plan of its JSON, in full (``plan.model_dump_json()``) or compact (:func:`compact_plan`,
    read with the catalog of ``knowledge`` when one is given)."""
    if _is_compact(text):
        return expand_plan(text, knowledge=knowledge)
    return Plan.model_validate_json(text)


def _is_compact(text: str | bytes) -> bool:
    try:
        document = json.loads(text)
    except ValueError:
        return False
    return isinstance(document, dict) and document.get("format") == FORMAT


def _catalog_for(fingerprint: str, knowledge: KnowledgeBase | None, named: str | None = None) -> PlanCatalog:
    if knowledge is not None:
        return plan_catalog(knowledge)
    if named is not None:
        with _catalogs_lock:
            found = _catalogs.get(named)
        if found is not None:
            return found
    made_it = knowledge_of(fingerprint)
    if made_it is None:
        raise CompactPlanError(
            f"the plan was written with the catalog of knowledge {fingerprint}, which is not loaded in"
            " this process: pass that catalog (PlanCatalog.from_json) or that knowledge base"
        )
    return plan_catalog(made_it)


class _Decoder:
    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts

    def value(self, value: Any, where: str) -> Any:
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            return self._text(value, where)
        if isinstance(value, str):
            return self._string(value, where)
        if isinstance(value, list):
            return [self.value(inner, f"{where}.{n}") for n, inner in enumerate(value)]
        if isinstance(value, dict):
            decoded = {}
            for key, inner in value.items():
                name = self._key(key, where)
                decoded[name] = self.value(inner, f"{where}.{name}")
            return decoded
        raise CompactPlanError(f"{where}: a compact plan holds no {type(value).__name__} but a number's text")

    def _text(self, number: int, where: str) -> str:
        if not 0 <= number < len(self._texts):
            raise CompactPlanError(f"{where}: text {number} is not in the catalog ({len(self._texts)} texts)")
        return self._texts[number]

    def _string(self, value: str, where: str) -> Any:
        if not value.startswith(NUMBER_MARK):
            return value
        written = value[len(NUMBER_MARK) :]
        if written.startswith(NUMBER_MARK):
            return written
        try:
            number = json.loads(written)
        except ValueError:
            number = None
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise CompactPlanError(f"{where}: {value!r} is not a number")
        return number

    def _key(self, key: str, where: str) -> str:
        if key.startswith(LITERAL_KEY_MARK):
            return key[len(LITERAL_KEY_MARK) :]
        number = 0
        for digit in key:
            position = KEY_DIGITS.find(digit)
            if position < 0:
                raise CompactPlanError(
                    f"{where}: key {key!r} is neither a number in base 62 nor '~' and a name"
                )
            number = number * len(KEY_DIGITS) + position
        if not key:
            raise CompactPlanError(f"{where}: an empty key")
        return self._text(number, where)


def _json_object(text: str | bytes, what: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise CompactPlanError(f"not a {what}: not JSON ({error})") from None
    if not isinstance(document, dict):
        raise CompactPlanError(f"not a {what}: not a JSON object")
    return document
