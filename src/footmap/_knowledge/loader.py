"""Read a knowledge directory strictly and report every problem at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import BaseModel, ValidationError

from footmap._errors import Finding, FindingCode
from footmap._kinds import ITEM_KINDS
from footmap._knowledge import schema

VOCABULARY = "vocabulary"
WORDING = "wording"
RULES_DIR = "rules"


#: The files holding a list of entries, and the model each entry is validated with: the
#: sources, factors and links, and one file per item kind (``_kinds.ITEM_KINDS``).
LIST_FILES: dict[str, type[BaseModel]] = {
    "sources": schema.Source,
    "factors": schema.Factor,
    **{kind.file: schema.ITEM_MODELS[kind.name] for kind in ITEM_KINDS},
    "links": schema.Link,
}
_RULE_MODEL: type[BaseModel] = schema.Rule


class Entry(NamedTuple):
    """One raw entry and the file it came from."""

    file: str
    data: Any
    position: int = 0


class RawKnowledge(NamedTuple):
    """Raw YAML entries by section, before validation; rules gather every file in ``rules/``."""

    sections: dict[str, list[Entry]]
    vocabulary: dict[str, list[Entry]]
    #: ``wording.yaml`` as read: a mapping of sections of texts (``{}`` when there is none).
    wording: dict[str, Any] = {}  # noqa: RUF012 - a NamedTuple default, never mutated


class StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys instead of keeping the last one."""


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

    class _FastStrictLoader(_CSafeLoader):  # type: ignore[misc,valid-type]
        """``StrictLoader`` on libyaml's C parser."""

    _FastStrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    FastStrictLoader = _FastStrictLoader


def load_yaml(text: str) -> Any:
    """Parse YAML strictly (duplicate keys rejected), fast where libyaml is available.

    A document the fast loader rejects is parsed again by the pure-Python ``StrictLoader``, so
    that errors read exactly the same (with the source line quoted) whichever parser is present.
    """
    try:
        return yaml.load(text, Loader=FastStrictLoader)
    except yaml.YAMLError:
        if FastStrictLoader is StrictLoader:
            raise
    return yaml.load(text, Loader=StrictLoader)


def _read_yaml(path: Path, label: str, findings: list[Finding]) -> Any:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except DuplicateKeyError as error:
        findings.append(Finding(label, "", "", FindingCode.DUPLICATE_KEY, str(error)))
    except yaml.YAMLError as error:
        findings.append(Finding(label, "", "", FindingCode.YAML_SYNTAX, str(error)))
    return None


def _as_list(data: Any, label: str, findings: list[Finding]) -> list[Entry]:
    if data is None:
        return []
    if not isinstance(data, list):
        findings.append(Finding(label, "", "", FindingCode.INVALID_FIELD, "expected a list of entries"))
        return []
    return [Entry(label, item, position) for position, item in enumerate(data)]


def _rule_files(directory: Path) -> list[Path]:
    rules_dir = directory / RULES_DIR
    return sorted(rules_dir.glob("*.yaml")) if rules_dir.is_dir() else []


def load_raw(directory: Path, *, require_all: bool = True) -> tuple[RawKnowledge, list[Finding]]:
    """Read every knowledge file of ``directory`` into raw entries, with the problems found."""
    findings: list[Finding] = []
    sections: dict[str, list[Entry]] = {}
    for name in LIST_FILES:
        path = directory / f"{name}.yaml"
        if path.is_file():
            sections[name] = _as_list(_read_yaml(path, path.name, findings), path.name, findings)
        elif require_all:
            findings.append(Finding(path.name, "", "", FindingCode.MISSING_FILE, f"no file {path}"))
    sections["rules"] = []
    for path in _rule_files(directory):
        label = f"{RULES_DIR}/{path.name}"
        sections["rules"] += _as_list(_read_yaml(path, label, findings), label, findings)
    vocabulary = _load_vocabulary(directory, require_all, findings)
    return RawKnowledge(sections, vocabulary, _load_wording(directory, require_all, findings)), findings


def _load_wording(directory: Path, require_all: bool, findings: list[Finding]) -> dict[str, Any]:
    path = directory / f"{WORDING}.yaml"
    if not path.is_file():
        if require_all:
            findings.append(Finding(path.name, "", "", FindingCode.MISSING_FILE, f"no file {path}"))
        return {}
    data = _read_yaml(path, path.name, findings)
    if data is None:
        return {}
    if not isinstance(data, dict):
        findings.append(Finding(path.name, "", "", FindingCode.INVALID_FIELD, "expected a mapping of texts"))
        return {}
    return data


def _parse_wording(raw: dict[str, Any], findings: list[Finding]) -> schema.Wording | None:
    try:
        return schema.Wording.model_validate(raw)
    except ValidationError as error:
        for detail in error.errors():
            entry, *field = [str(part) for part in detail["loc"]] or [""]
            located = {**detail, "loc": tuple(field)}
            findings.append(_finding_from_error(f"{WORDING}.yaml", entry, located))
    return None


def _load_vocabulary(directory: Path, require_all: bool, findings: list[Finding]) -> dict[str, list[Entry]]:
    path = directory / f"{VOCABULARY}.yaml"
    if not path.is_file():
        if require_all:
            findings.append(Finding(path.name, "", "", FindingCode.MISSING_FILE, f"no file {path}"))
        return {}
    data = _read_yaml(path, path.name, findings)
    if data is None:
        return {}
    if not isinstance(data, dict):
        findings.append(Finding(path.name, "", "", FindingCode.INVALID_FIELD, "expected a mapping of lists"))
        return {}
    return {str(key): _as_list(value, path.name, findings) for key, value in data.items()}


def rule_files(raw: RawKnowledge) -> dict[str, str]:
    """Which file each rule id comes from, so that findings can name it."""
    return {
        entry.data["id"]: entry.file
        for entry in raw.sections.get("rules", [])
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
    return RawKnowledge(sections, vocabulary, _merge_mapping(base.wording, overlay.wording))


def _merge_mapping(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overlay``'s texts laid over it, section by section."""
    merged = dict(base)
    for key, value in overlay.items():
        below = merged.get(key)
        merged[key] = (
            _merge_mapping(below, value) if isinstance(below, dict) and isinstance(value, dict) else value
        )
    return merged


def _entry_id(entry: Entry) -> str | None:
    ident = entry.data.get("id") if isinstance(entry.data, dict) else None
    return ident if isinstance(ident, str) else None


def _merge_entries(base: list[Entry], overlay: list[Entry]) -> list[Entry]:
    replaced = {_entry_id(entry) for entry in overlay} - {None}
    return [entry for entry in base if _entry_id(entry) not in replaced] + overlay


def _entry_label(data: Any, index: int) -> str:
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return str(data["id"])
    return f"#{index + 1}"


def _finding_from_error(file: str, entry: str, error: Mapping[str, Any]) -> Finding:
    field = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        code, message = FindingCode.UNKNOWN_FIELD, "unknown field (a typo?)"
    elif kind == "missing":
        code, message = FindingCode.MISSING_FIELD, "required field is missing"
    else:
        code, message = FindingCode.INVALID_FIELD, str(error["msg"])
    if error["loc"] and error["loc"][-1] == "source" and kind == "missing":
        code = FindingCode.MISSING_SOURCE
        message = "every claim needs a `source` (an id from sources.yaml)"
    return Finding(file, entry, field, code, message)


def _validate_entries(
    entries: Iterable[Entry], model: type[BaseModel], findings: list[Finding]
) -> Iterator[BaseModel]:
    for entry in entries:
        label = _entry_label(entry.data, entry.position)
        try:
            yield model.model_validate(entry.data)
        except ValidationError as error:
            findings.extend(_finding_from_error(entry.file, label, e) for e in error.errors())


def parse(raw: RawKnowledge) -> tuple[schema.Knowledge | None, list[Finding]]:
    """Validate raw entries against the schema; ``None`` with findings if any entry is invalid."""
    findings: list[Finding] = []
    models: dict[str, list[BaseModel]] = {
        name: list(_validate_entries(raw.sections.get(name, []), model, findings))
        for name, model in [*LIST_FILES.items(), ("rules", _RULE_MODEL)]
    }
    vocabulary = _parse_vocabulary(raw.vocabulary, findings)
    wording = _parse_wording(raw.wording, findings)
    if findings or vocabulary is None or wording is None:
        return None, findings
    items = {kind.name: models.pop(kind.file) for kind in ITEM_KINDS}
    return schema.Knowledge(vocabulary=vocabulary, items=items, wording=wording, **models), findings


def _parse_vocabulary(raw: dict[str, list[Entry]], findings: list[Finding]) -> schema.Vocabulary | None:
    fields = schema.Vocabulary.model_fields
    for name in sorted(set(raw) - set(fields)):
        findings.append(
            Finding(
                f"{VOCABULARY}.yaml",
                name,
                "",
                FindingCode.UNKNOWN_FIELD,
                f"unknown vocabulary list; expected one of {', '.join(fields)}",
            )
        )
    parsed: dict[str, list[BaseModel]] = {}
    for name, info in fields.items():
        model = schema.EquipmentTerm if name == "equipment" else schema.Term
        if name not in raw:
            findings.append(
                Finding(
                    f"{VOCABULARY}.yaml", name, "", FindingCode.MISSING_FIELD, "vocabulary list is missing"
                )
            )
            continue
        del info
        parsed[name] = list(_validate_entries(raw[name], model, findings))
    if len(parsed) != len(fields):
        return None
    return schema.Vocabulary.model_validate({k: [m.model_dump() for m in v] for k, v in parsed.items()})
