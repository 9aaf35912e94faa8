"""Read a knowledge directory strictly and report every problem at once."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, NamedTuple, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from footmap._errors import Finding, FindingCode
from footmap._kinds import ITEM_KINDS
from footmap._knowledge import schema
from footmap._suggest import did_you_mean, nearest


def _unwrap_list(annotation: Any) -> type[BaseModel]:
    """The model of a ``list[Model]`` field."""
    model: type[BaseModel] = get_args(annotation)[0]
    return model


VOCABULARY = "vocabulary"
WORDING = "wording"
#: The file of ladders, pain-monitoring checks and rest days: a mapping of lists, optional.
PROGRESSIONS = "progressions"
#: Each list of ``progressions.yaml`` and the model of its entries.
PROGRESSION_LISTS: dict[str, type[BaseModel]] = {
    name: _unwrap_list(info.annotation) for name, info in schema.Progressions.model_fields.items()
}
RULES_DIR = "rules"
#: The section that gathers every file of ``rules/``.
RULES = "rules"


#: The files holding a list of entries, and the model each entry is validated with: the
#: sources, factors and links, and one file per item kind (``_kinds.ITEM_KINDS``).
LIST_FILES: dict[str, type[BaseModel]] = {
    "sources": schema.Source,
    "factors": schema.Factor,
    **{kind.file: schema.ITEM_MODELS[kind.name] for kind in ITEM_KINDS},
    "links": schema.Link,
}
_RULE_MODEL: type[BaseModel] = schema.Rule

#: The foot map's file (``zones.yaml``): optional, a mapping of the lists below.
ZONES = "zones"
#: Each list of ``zones.yaml``: the field that names its entries, and the model of an entry.
ZONE_SECTIONS: dict[str, tuple[str, type[BaseModel]]] = {
    "views": ("id", schema.FootView),
    "areas": ("area", schema.AreaZone),
    "points": ("point", schema.PointMark),
}


def zone_section(name: str) -> str:
    """How one list of ``zones.yaml`` is named among the sections (``zones.areas``), in
    ``RawKnowledge.unreadable`` and ``Gaps``."""
    return f"{ZONES}.{name}"


class Entry(NamedTuple):
    """One raw entry and the file it came from."""

    file: str
    data: Any
    position: int = 0


class RawKnowledge(NamedTuple):
    """Raw YAML entries by section, before validation; rules gather every file in ``rules/``."""

    sections: dict[str, list[Entry]]
    vocabulary: dict[str, list[Entry]]
    unreadable: frozenset[str] = frozenset()
    """Sections whose file was missing or could not be read: their ids cannot be known."""
    unreadable_lists: frozenset[str] = frozenset()
    """Vocabulary lists that could not be read (every list, if the vocabulary file could not)."""
    #: ``wording.yaml`` as read: a mapping of sections of texts; ``None`` when it could not be read.
    wording: dict[str, Any] | None = None
    #: ``progressions.yaml``'s lists of raw entries (none when there is no such file).
    progressions: dict[str, list[Entry]] = {}  # noqa: RUF012 - never mutated: replaced whole
    #: ``zones.yaml`` as read: its lists of raw entries (``ZONE_SECTIONS``); ``None`` for no file.
    #: A file or list that could not be read is in ``unreadable`` (``zones``, ``zones.areas``).
    zones: dict[str, list[Entry]] | None = None


#: The deepest nesting of collections a YAML document may have (the knowledge needs 10).
YAML_MAX_DEPTH = 50
#: How many nodes the aliases of a YAML document may stand for, in all (nested ones expanded).
YAML_MAX_ALIAS_NODES = 10_000


_Node = TypeVar("_Node", bound=yaml.Node)


class YAMLLimitError(yaml.composer.ComposerError):
    """A YAML document nested too deeply, or whose aliases stand for too much ("billion laughs")."""


class _Bounded:
    """Loader mixin: refuse documents beyond ``YAML_MAX_DEPTH`` or ``YAML_MAX_ALIAS_NODES``.

    Aliases are shared nodes, cheap to parse, but everything that walks the loaded data (a
    validator, an error message quoting it) walks every expansion: 420 bytes can stand for a
    billion strings. The check runs over the composed nodes, each shared node once, before any
    data is built. The pure-Python composer recurses per level, so it counts the depth as it goes.
    """

    _depth = 0

    def compose_sequence_node(self, anchor: Any) -> yaml.SequenceNode:
        return self._nested(super().compose_sequence_node, anchor)  # type: ignore[misc,no-any-return]

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        return self._nested(super().compose_mapping_node, anchor)  # type: ignore[misc,no-any-return]

    def _nested(self, compose: Callable[[Any], _Node], anchor: Any) -> _Node:
        self._depth += 1
        try:
            if self._depth > YAML_MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[attr-defined]
                raise YAMLLimitError(None, None, _too_deep(), mark)
            return compose(anchor)
        finally:
            self._depth -= 1

    def construct_document(self, node: yaml.Node) -> Any:
        _check_bounds(node)
        return super().construct_document(node)  # type: ignore[misc]


def _too_deep() -> str:
    return (
        f"collections nested more than {YAML_MAX_DEPTH} deep; footmap reads at most {YAML_MAX_DEPTH} levels"
    )


def _check_bounds(root: yaml.Node) -> None:
    """Raise :class:`YAMLLimitError` if a composed document is too deep or its aliases too big."""
    sizes: dict[int, tuple[int, int]] = {}  # id of a collection node: (expanded size, height)
    open_nodes: set[int] = set()
    distinct = 0

    def measure(node: yaml.Node, depth: int) -> tuple[int, int]:
        nonlocal distinct
        if isinstance(node, yaml.ScalarNode):
            return 1, 0
        key = id(node)
        known = sizes.get(key)
        if known is None:
            if key in open_nodes:
                raise YAMLLimitError(
                    None, None, "an alias refers to a collection that contains it", node.start_mark
                )
            if depth >= YAML_MAX_DEPTH:
                raise YAMLLimitError(None, None, _too_deep(), node.start_mark)
            open_nodes.add(key)
            children = (
                [part for pair in node.value for part in pair]
                if isinstance(node, yaml.MappingNode)
                else node.value
            )
            size, height = 1, 0
            for child in children:
                child_size, child_height = measure(child, depth + 1)
                size, height = size + child_size, max(height, child_height + 1)
            open_nodes.discard(key)
            distinct += 1 + sum(isinstance(child, yaml.ScalarNode) for child in children)
            known = sizes[key] = size, height
        if depth + known[1] > YAML_MAX_DEPTH:  # a shared collection, reached again further down
            raise YAMLLimitError(None, None, _too_deep(), node.start_mark)
        return known

    total = measure(root, 0)[0]
    if total - max(distinct, 1) > YAML_MAX_ALIAS_NODES:
        problem = (
            f"aliases stand for {total - distinct:,} nodes in all; footmap expands at most"
            f" {YAML_MAX_ALIAS_NODES:,} (write the entries out, or use fewer nested aliases)"
        )
        raise YAMLLimitError(None, None, problem, root.start_mark)


class StrictLoader(_Bounded, yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys instead of keeping the last one, and
    documents nested too deeply or with aliases that stand for too much (``YAMLLimitError``)."""


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """The same key twice in one YAML mapping."""


def _construct_mapping(
    loader: StrictLoader | yaml.CSafeLoader, node: yaml.MappingNode, deep: bool = False
) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
        except TypeError:  # an unhashable key: construct_mapping reports it properly
            continue
        if duplicate:
            raise DuplicateKeyError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_CSafeLoader: type[Any] | None = getattr(yaml, "CSafeLoader", None)
#: ``StrictLoader`` on libyaml's C parser (faster: ``docs/performance.md``), where PyYAML has it.
FastStrictLoader: type[Any] = StrictLoader
if _CSafeLoader is not None:

    class _FastStrictLoader(_Bounded, _CSafeLoader):  # type: ignore[misc,valid-type]
        """``StrictLoader`` on libyaml's C parser."""

    _FastStrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    FastStrictLoader = _FastStrictLoader


def load_yaml(text: str) -> Any:
    """Parse YAML strictly (duplicate keys rejected), fast where libyaml is available.

    A document the fast loader rejects is parsed again by the pure-Python ``StrictLoader``, so
    that errors read exactly the same (with the source line quoted) whichever parser is present.
    Both refuse a document nested deeper than ``YAML_MAX_DEPTH`` or whose aliases stand for more
    than ``YAML_MAX_ALIAS_NODES`` nodes, with a :class:`YAMLLimitError`.

    >>> load_yaml("base: &b {sets: 2}\\nmore: *b")
    {'base': {'sets': 2}, 'more': {'sets': 2}}
    """
    try:
        return yaml.load(text, Loader=FastStrictLoader)
    except yaml.YAMLError:
        if FastStrictLoader is StrictLoader:
            raise
    return yaml.load(text, Loader=StrictLoader)


def _read_yaml(path: Path, label: str, findings: list[Finding]) -> tuple[Any, bool]:
    """The file's data, and whether it could be read at all."""
    try:
        return load_yaml(path.read_text(encoding="utf-8")), True
    except DuplicateKeyError as error:
        findings.append(Finding(label, "", "", FindingCode.DUPLICATE_KEY, str(error)))
    except yaml.YAMLError as error:
        findings.append(Finding(label, "", "", FindingCode.YAML_SYNTAX, str(error)))
    except (OSError, UnicodeDecodeError) as error:
        findings.append(Finding(label, "", "", FindingCode.YAML_SYNTAX, f"cannot read the file: {error}"))
    except RecursionError:  # the pure-Python parser recurses once per level of nesting
        findings.append(Finding(label, "", "", FindingCode.YAML_SYNTAX, "the YAML is nested too deeply"))
    return None, False


def _as_list(data: Any, label: str, findings: list[Finding], entry: str = "") -> list[Entry] | None:
    """The entries of a list (``None`` is an empty one); ``None`` with a finding if not a list."""
    if data is None:
        return []
    if not isinstance(data, list):
        findings.append(Finding(label, entry, "", FindingCode.INVALID_FIELD, "expected a list of entries"))
        return None
    return [Entry(label, item, position) for position, item in enumerate(data)]


def _read_list(path: Path, label: str, findings: list[Finding]) -> list[Entry] | None:
    """The entries of one list file; ``None`` when it cannot be read as a list."""
    data, readable = _read_yaml(path, label, findings)
    return _as_list(data, label, findings) if readable else None


def _rule_files(directory: Path) -> list[Path]:
    rules_dir = directory / RULES_DIR
    return sorted(rules_dir.glob("*.yaml")) if rules_dir.is_dir() else []


def load_raw(directory: Path, *, require_all: bool = True) -> tuple[RawKnowledge, list[Finding]]:
    """Read every knowledge file of ``directory`` into raw entries, with the problems found.

    A file that is missing (when ``require_all``) or cannot be read as a list leaves its section
    in ``unreadable``: its entries, and so the ids other entries may point to, are unknown.
    """
    findings: list[Finding] = []
    sections: dict[str, list[Entry]] = {}
    unreadable: set[str] = set()
    for name in LIST_FILES:
        path = directory / f"{name}.yaml"
        if path.is_file():
            entries = _read_list(path, path.name, findings)
            sections[name] = entries or []
            if entries is None:
                unreadable.add(name)
        elif require_all:
            findings.append(Finding(path.name, "", "", FindingCode.MISSING_FILE, f"no file {path}"))
            unreadable.add(name)
    sections[RULES] = []
    for path in _rule_files(directory):
        entries = _read_list(path, f"{RULES_DIR}/{path.name}", findings)
        sections[RULES] += entries or []
        if entries is None:
            unreadable.add(RULES)
    vocabulary, unreadable_lists = _load_vocabulary(directory, require_all, findings)
    wording = _load_wording(directory, require_all, findings)
    progressions = _load_progressions(directory, findings)
    if progressions is None:
        unreadable.add(PROGRESSIONS)
    zones = _load_zones(directory, unreadable, findings)
    raw = RawKnowledge(
        sections, vocabulary, frozenset(unreadable), unreadable_lists, wording, progressions or {}, zones
    )
    return raw, findings


def _load_zones(directory: Path, unreadable: set[str], findings: list[Finding]) -> dict[str, list[Entry]]:
    """``zones.yaml``'s lists of entries (none without the file: the knowledge check then names
    each reflex area and point that has no place on the map). What cannot be read is added to
    ``unreadable`` (the file, or one list), so that nothing is checked against it."""
    path = directory / f"{ZONES}.yaml"
    if not path.is_file():
        return {}
    data, readable = _read_yaml(path, path.name, findings)
    if not readable:
        unreadable.add(ZONES)
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        message = f"expected a mapping of lists: {', '.join(ZONE_SECTIONS)}"
        findings.append(Finding(path.name, "", "", FindingCode.INVALID_FIELD, message))
        unreadable.add(ZONES)
        return {}
    lists: dict[str, list[Entry]] = {}
    for key, value in data.items():
        name = str(key)
        if name not in ZONE_SECTIONS:
            meant = nearest(name, ZONE_SECTIONS)
            message = f"unknown list; expected one of {', '.join(ZONE_SECTIONS)}."
            findings.append(
                Finding(
                    path.name,
                    name,
                    "",
                    FindingCode.UNKNOWN_FIELD,
                    message + did_you_mean(name, ZONE_SECTIONS),
                    meant,
                )
            )
            if meant is not None:  # its entries were meant for that list: which are they?
                unreadable.add(zone_section(meant))
            continue
        entries = _as_list(value, path.name, findings, entry=name)
        if entries is None:
            unreadable.add(zone_section(name))
        lists[name] = entries or []
    return lists


def _load_progressions(directory: Path, findings: list[Finding]) -> dict[str, list[Entry]] | None:
    """``progressions.yaml``'s lists of entries: none without the file (a knowledge without
    ladders plans no progression); ``None`` when it cannot be read."""
    path = directory / f"{PROGRESSIONS}.yaml"
    if not path.is_file():
        return {}
    data, readable = _read_yaml(path, path.name, findings)
    if not readable:
        return None
    if data is None:
        return {}
    if not isinstance(data, dict):
        findings.append(Finding(path.name, "", "", FindingCode.INVALID_FIELD, "expected a mapping of lists"))
        return None
    lists: dict[str, list[Entry]] = {}
    for key, value in data.items():
        name = str(key)
        if name not in PROGRESSION_LISTS:
            findings.append(
                Finding(
                    path.name,
                    name,
                    "",
                    FindingCode.UNKNOWN_FIELD,
                    f"unknown list; expected one of {', '.join(PROGRESSION_LISTS)}."
                    + did_you_mean(name, PROGRESSION_LISTS),
                    nearest(name, PROGRESSION_LISTS),
                )
            )
            continue
        entries = _as_list(value, path.name, findings, entry=name)
        if entries is None:
            return None
        lists[name] = entries
    return lists


def _load_wording(directory: Path, require_all: bool, findings: list[Finding]) -> dict[str, Any] | None:
    """``wording.yaml`` as a mapping; ``{}`` for none in an overlay; ``None`` when it is missing from
    a whole directory or cannot be read (one finding says so, and its texts are not checked)."""
    path = directory / f"{WORDING}.yaml"
    if not path.is_file():
        if require_all:
            findings.append(Finding(path.name, "", "", FindingCode.MISSING_FILE, f"no file {path}"))
            return None
        return {}
    data, readable = _read_yaml(path, path.name, findings)
    if not readable:
        return None
    if not isinstance(data, dict):
        findings.append(Finding(path.name, "", "", FindingCode.INVALID_FIELD, "expected a mapping of texts"))
        return None
    return data


def _parse_wording(raw: dict[str, Any] | None, findings: list[Finding]) -> schema.Wording | None:
    if raw is None:
        return None
    try:
        return schema.Wording.model_validate(raw)
    except ValidationError as error:
        for detail in error.errors():
            finding = _finding_from_error(f"{WORDING}.yaml", "", schema.Wording, detail)
            entry, _, field = finding.field.partition(".")
            findings.append(dataclasses.replace(finding, entry=entry, field=field))
    return None


def _load_vocabulary(
    directory: Path, require_all: bool, findings: list[Finding]
) -> tuple[dict[str, list[Entry]], frozenset[str]]:
    """The vocabulary's lists, and the lists that cannot be known (all of them if no file)."""
    every_list = frozenset(schema.Vocabulary.model_fields)
    path = directory / f"{VOCABULARY}.yaml"
    if not path.is_file():
        if not require_all:
            return {}, frozenset()
        findings.append(Finding(path.name, "", "", FindingCode.MISSING_FILE, f"no file {path}"))
        return {}, every_list
    data, readable = _read_yaml(path, path.name, findings)
    if not readable:
        return {}, every_list
    if data is None:
        data = {}
    if not isinstance(data, dict):
        findings.append(Finding(path.name, "", "", FindingCode.INVALID_FIELD, "expected a mapping of lists"))
        return {}, every_list
    lists: dict[str, list[Entry]] = {}
    unreadable: set[str] = set()
    for key, value in data.items():
        name = str(key)
        entries = _as_list(value, path.name, findings, entry=name)
        if entries is None:
            unreadable.add(name)
        lists[name] = entries or []
    return lists, frozenset(unreadable)


def rule_files(raw: RawKnowledge) -> dict[str, str]:
    """Which file each rule id comes from, so that findings can name it."""
    return {
        entry.data["id"]: entry.file
        for entry in raw.sections.get(RULES, [])
        if isinstance(entry.data, dict) and isinstance(entry.data.get("id"), str)
    }


def merge_raw(base: RawKnowledge, overlay: RawKnowledge) -> RawKnowledge:
    """Overlay ``overlay`` on ``base``: an entry with the same id replaces, a new one is added."""
    sections = {
        name: _merge_entries(base.sections.get(name, []), overlay.sections.get(name, []))
        for name in sorted(set(base.sections) | set(overlay.sections))
    }
    vocabulary = {
        name: _merge_entries(base.vocabulary.get(name, []), overlay.vocabulary.get(name, []))
        for name in sorted(set(base.vocabulary) | set(overlay.vocabulary))
    }
    return RawKnowledge(
        sections,
        vocabulary,
        base.unreadable | overlay.unreadable,
        base.unreadable_lists | overlay.unreadable_lists,
        None
        if base.wording is None or overlay.wording is None
        else _merge_mapping(base.wording, overlay.wording),
        {
            name: _merge_entries(base.progressions.get(name, []), overlay.progressions.get(name, []))
            for name in sorted(set(base.progressions) | set(overlay.progressions))
        },
        _merge_zones(base.zones or {}, overlay.zones or {}),
    )


def _merge_zones(base: dict[str, list[Entry]], overlay: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
    """Each list of ``zones.yaml`` merged by the field that names its entries (``area``, …)."""
    merged: dict[str, list[Entry]] = {}
    for name in sorted(set(base) | set(overlay)):
        key = ZONE_SECTIONS[name][0] if name in ZONE_SECTIONS else "id"
        merged[name] = _merge_entries(base.get(name, []), overlay.get(name, []), key)
    return merged


def _merge_wording(base: dict[str, Any] | None, overlay: dict[str, Any] | None) -> dict[str, Any] | None:
    """The overlay's texts over the base's; ``None`` (unreadable) if either could not be read."""
    return None if base is None or overlay is None else _merge_mapping(base, overlay)


def _merge_mapping(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overlay``'s texts laid over it, section by section."""
    merged = dict(base)
    for key, value in overlay.items():
        below = merged.get(key)
        merged[key] = (
            _merge_mapping(below, value) if isinstance(below, dict) and isinstance(value, dict) else value
        )
    return merged


def _entry_id(entry: Entry, key: str = "id") -> str | None:
    ident = entry.data.get(key) if isinstance(entry.data, dict) else None
    return ident if isinstance(ident, str) else None


def _merge_entries(base: list[Entry], overlay: list[Entry], key: str = "id") -> list[Entry]:
    replaced = {_entry_id(entry, key) for entry in overlay} - {None}
    return [entry for entry in base if _entry_id(entry, key) not in replaced] + overlay


def _entry_label(data: Any, index: int, key: str = "id") -> str:
    if isinstance(data, dict) and isinstance(data.get(key), str):
        return str(data[key])
    return f"#{index + 1}"


# --- validation ---------------------------------------------------------------------------------


class Gaps(NamedTuple):
    """What validation left out of a ``Knowledge``, for the cross-checks to allow for.

    An entry that failed validation is left out, but its id (when it has a string one) still
    counts as defined, so that a reference to it is not reported a second time as dangling. A
    section or vocabulary list that could not be read has ids nobody can know: references into
    it are not checked at all.
    """

    broken: dict[str, tuple[str, ...]]
    """Per section (``LIST_FILES`` and ``rules``): ids of entries that failed validation."""
    broken_terms: dict[str, tuple[str, ...]]
    """Per vocabulary list: ids of terms that failed validation."""
    unreadable: frozenset[str] = frozenset()
    """Sections whose ids cannot be known."""
    unreadable_lists: frozenset[str] = frozenset()
    """Vocabulary lists whose ids cannot be known."""


class Parsed(NamedTuple):
    """The knowledge built from every entry that validated, what was left out, and why."""

    knowledge: schema.Knowledge
    gaps: Gaps
    findings: list[Finding]


def _field_name(name: str, info: FieldInfo) -> str:
    """How a field is written in a knowledge file: its alias, if it has one."""
    return info.alias if info.alias is not None else name


def _unwrap(annotation: Any) -> Any:
    """``X`` for ``X | None`` (and for ``Annotated[X, ...]``); anything else unchanged."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if get_origin(annotation) in (Union, UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation one step of a pydantic error location further in, or ``None`` if unsure."""
    annotation = _unwrap(annotation)
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(part, str):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    if origin is list and isinstance(part, int):
        return get_args(annotation)[0]
    if origin is dict and isinstance(part, str):
        return get_args(annotation)[1]
    if origin in (Union, UnionType) and isinstance(part, str):
        # A union's error location names the member tried (``str``, ``...Comparison]``).
        for member in get_args(annotation):
            tag = getattr(_unwrap(member), "__name__", None)
            if tag is not None and (part == tag or part.endswith(f"{tag}]")):
                return member
    return None


def _field_names(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The field names of the model found at ``loc`` inside ``model``; empty if there is none."""
    annotation: Any = model
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return sorted(_field_name(name, info) for name, info in annotation.model_fields.items())
    return []


_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _choices(error: Mapping[str, Any]) -> list[str]:
    """The values a fixed-choice field (a ``Literal`` or an ``Enum``) allows, from its error."""
    expected = (error.get("ctx") or {}).get("expected")
    return _QUOTED.findall(expected) if isinstance(expected, str) else []


def _finding_from_error(file: str, entry: str, model: type[BaseModel], error: Mapping[str, Any]) -> Finding:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    field = ".".join(str(part) for part in loc)
    kind = error["type"]
    suggestion: str | None = None
    if kind == "extra_forbidden":
        code, message = FindingCode.UNKNOWN_FIELD, "unknown field (a typo?)"
        typed = loc[-1] if loc else None
        names = _field_names(model, loc[:-1])
        suggestion = nearest(typed, names)
        message += did_you_mean(typed, names)
    elif kind == "missing":
        code, message = FindingCode.MISSING_FIELD, "required field is missing"
    elif kind in ("literal_error", "enum"):
        code, message = FindingCode.INVALID_FIELD, str(error["msg"])
        value = error.get("input")
        if isinstance(value, str):
            suggestion = nearest(value, _choices(error))
            message += f"; got {value!r}.{did_you_mean(value, _choices(error))}"
    else:
        code, message = FindingCode.INVALID_FIELD, str(error["msg"])
        ctx_suggestion = (error.get("ctx") or {}).get("suggestion")
        suggestion = ctx_suggestion if isinstance(ctx_suggestion, str) else None
    if loc and loc[-1] == "source" and kind == "missing":
        code = FindingCode.MISSING_SOURCE
        message = "every claim needs a `source` (an id from sources.yaml)"
    return Finding(file, entry, field, code, message, suggestion)


def _validate_entries(
    entries: Iterable[Entry],
    model: type[BaseModel],
    findings: list[Finding],
    broken: list[str],
    key: str = "id",
) -> Iterator[BaseModel]:
    """The entries that validate; the others add their findings, and their ids (the ``key``
    field) to ``broken``."""
    for entry in entries:
        label = _entry_label(entry.data, entry.position, key)
        try:
            yield model.model_validate(entry.data)
        except ValidationError as error:
            findings.extend(_finding_from_error(entry.file, label, model, e) for e in error.errors())
            ident = _entry_id(entry, key)
            if ident is not None:
                broken.append(ident)


def parse(raw: RawKnowledge) -> Parsed:
    """Validate every raw entry; the knowledge holds those that validated, ``gaps`` the rest."""
    findings: list[Finding] = []
    broken: dict[str, list[str]] = {}
    models: dict[str, list[BaseModel]] = {
        name: list(
            _validate_entries(raw.sections.get(name, []), model, findings, broken.setdefault(name, []))
        )
        for name, model in [*LIST_FILES.items(), (RULES, _RULE_MODEL)]
    }
    vocabulary, broken_terms, unreadable_lists = _parse_vocabulary(raw, findings)
    items = {kind.name: models.pop(kind.file) for kind in ITEM_KINDS}
    wording = _parse_wording(raw.wording, findings)
    progressions = schema.Progressions.model_validate(
        {
            name: list(
                _validate_entries(
                    raw.progressions.get(name, []),
                    model,
                    findings,
                    broken.setdefault(f"{PROGRESSIONS}.{name}", []),
                )
            )
            for name, model in PROGRESSION_LISTS.items()
        }
    )
    zones = _parse_zones(raw.zones or {}, findings, broken)
    knowledge = schema.Knowledge(
        vocabulary=vocabulary, items=items, wording=wording, progressions=progressions, zones=zones, **models
    )
    gaps = Gaps(
        {name: tuple(sorted(ids)) for name, ids in broken.items() if ids},
        {name: tuple(sorted(ids)) for name, ids in broken_terms.items() if ids},
        raw.unreadable,
        unreadable_lists,
    )
    return Parsed(knowledge, gaps, findings)


def _parse_zones(
    raw: dict[str, list[Entry]], findings: list[Finding], broken: dict[str, list[str]]
) -> schema.ZoneMap:
    """The foot map of every entry that validated; the others' names go to ``broken``."""
    lists = {
        name: list(
            _validate_entries(
                raw.get(name, []), model, findings, broken.setdefault(zone_section(name), []), key
            )
        )
        for name, (key, model) in ZONE_SECTIONS.items()
    }
    return schema.ZoneMap.model_validate(lists)


def _parse_vocabulary(
    raw: RawKnowledge, findings: list[Finding]
) -> tuple[schema.Vocabulary, dict[str, list[str]], frozenset[str]]:
    """The vocabulary of every term that validated, the ids of the others, and unknown lists."""
    fields = schema.Vocabulary.model_fields
    unreadable = set(raw.unreadable_lists)
    broken: dict[str, list[str]] = {name: [] for name in fields}
    stand_ins: dict[str, list[str]] = {}  # a list → the misspelt lists meant for it
    for name in sorted(set(raw.vocabulary) - set(fields)):
        meant = nearest(name, fields)
        findings.append(
            Finding(
                f"{VOCABULARY}.yaml",
                name,
                "",
                FindingCode.UNKNOWN_FIELD,
                f"unknown vocabulary list; expected one of {', '.join(fields)}.{did_you_mean(name, fields)}",
                meant,
            )
        )
        if meant is not None:
            # Its terms are meant for that list: references to them are not dangling too (and a
            # term the list already has is no duplicate: the overlay meant to replace it).
            present = {_entry_id(entry) for entry in raw.vocabulary.get(meant, [])}
            broken[meant] += [
                ident for ident in map(_entry_id, raw.vocabulary[name]) if ident and ident not in present
            ]
            stand_ins.setdefault(meant, []).append(name)
    parsed: dict[str, list[BaseModel]] = {}
    for name in fields:
        model = schema.EquipmentTerm if name == "equipment" else schema.Term
        if name not in raw.vocabulary:
            if name not in unreadable:  # an unreadable file is reported already
                findings.append(
                    Finding(
                        f"{VOCABULARY}.yaml",
                        name,
                        "",
                        FindingCode.MISSING_FIELD,
                        "vocabulary list is missing",
                    )
                )
            # A missing list is unknown, unless a misspelt one stands in for it.
            meant_for = stand_ins.get(name, [])
            if not meant_for or not raw.unreadable_lists.isdisjoint(meant_for):
                unreadable.add(name)
        parsed[name] = list(_validate_entries(raw.vocabulary.get(name, []), model, findings, broken[name]))
    vocabulary = schema.Vocabulary.model_validate({name: parsed[name] for name in fields})
    return vocabulary, broken, frozenset(unreadable)
