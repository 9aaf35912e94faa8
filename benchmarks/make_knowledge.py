"""Write a synthetic knowledge directory N times the size of the shipped one (default 10).

Usage: ``python benchmarks/make_knowledge.py [OUT_DIR] [--factor N]``; without OUT_DIR it writes
to a new temporary directory. It prints the directory; ``footmap knowledge check DIR`` accepts it.

The shipped knowledge is kept as it is, and ``N - 1`` copies are added beside it: every factor,
item, link and rule, and every vocabulary term a profile can report (pain areas, symptoms,
observations, conditions, modalities), once more per copy with the suffix ``_s<k>``, every
reference inside a copy pointing at the same copy, and each copied reflex area and point placed on
the foot map where its original is. Equipment (a short list of household objects), sources
(citations) and the foot map's views are shared. So each copy is a graph and a rule set of its own,
as large as the shipped one, and a profile in the shipped vocabulary reaches the same items as before:
what grows is everything a recommendation has to look past, which is what the benchmark measures.

A copied rule that would still fire on the shipped vocabulary (one that names no id of its copy,
such as "a person aged 80 or more") gets one more pattern, a condition only its copy knows
(``synthetic_s<k>``), so that each copy's rules stay with its own facts; the shipped ``everyone``
links of a copy start from that condition too.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from footmap._kinds import FACT_TYPES, NODE_KINDS
from footmap._knowledge.base import shipped_knowledge_dir
from footmap._knowledge.loader import LIST_FILES, RULES_DIR, VOCABULARY, WORDING, ZONE_SECTIONS, ZONES

__all__ = ["make_knowledge"]

#: Vocabulary lists that are copied; equipment is shared.
COPIED_VOCABULARY = ("pain_areas", "symptoms", "observations", "conditions", "modalities")
#: Node kinds whose ids are copied (every kind but ``everyone``).
COPIED_NODE_KINDS = NODE_KINDS
ITEM_FILES = tuple(name for name in LIST_FILES if name not in ("sources", "factors", "links"))
MARKER = "synthetic"


def make_knowledge(out: Path, factor: int = 10, source: Path | None = None) -> Path:
    """Write the shipped (or ``source``) knowledge and ``factor - 1`` copies of it to ``out``."""
    source = source or shipped_knowledge_dir()
    out.mkdir(parents=True, exist_ok=True)
    (out / RULES_DIR).mkdir(exist_ok=True)
    vocabulary = _load(source / f"{VOCABULARY}.yaml")
    lists = {name: _load(source / f"{name}.yaml") or [] for name in LIST_FILES}
    rule_files = {path.name: _load(path) or [] for path in sorted((source / RULES_DIR).glob("*.yaml"))}
    copies = range(1, factor)
    for name in COPIED_VOCABULARY:
        terms = vocabulary[name]
        vocabulary[name] = terms + [_term_copy(term, k) for k in copies for term in terms]
    vocabulary["conditions"] += [
        {
            "id": f"{MARKER}_s{k}",
            "name": f"Synthetic condition {k}",
            "description": f"Only the rules of synthetic copy {k} know it.",
        }
        for k in copies
    ]
    for name in ("factors", "links", *ITEM_FILES):
        entries = lists[name]
        lists[name] = entries + [_copy(name, entry, k) for k in copies for entry in entries]
    for file, rules in rule_files.items():
        rule_files[file] = rules + [_rule_copy(rule, k) for k in copies for rule in rules]
    _dump(out / f"{VOCABULARY}.yaml", vocabulary)
    (out / f"{WORDING}.yaml").write_text(
        (source / f"{WORDING}.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for name, entries in lists.items():
        _dump(out / f"{name}.yaml", entries)
    _dump(out / f"{ZONES}.yaml", _zones_copies(_load(source / f"{ZONES}.yaml") or {}, copies))
    for file, rules in rule_files.items():
        _dump(out / RULES_DIR / file, rules)
    return out


def _zones_copies(zones: dict[str, Any], copies: range) -> dict[str, Any]:
    """The foot map with each copied item placed where its original is (the views are shared)."""
    for name in ("areas", "points"):
        key, entries = ZONE_SECTIONS[name][0], zones.get(name, [])
        zones[name] = entries + [{**entry, key: _id(entry[key], k)} for k in copies for entry in entries]
    return zones


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None


class _PlainDumper(yaml.SafeDumper):
    """Writes every repeated object out in full: an alias per shared object (the copies share
    the foot map's shapes) would, at 100x, pass footmap's bound on alias expansion."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(path: Path, data: Any) -> None:
    text = yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


def _id(ident: str, k: int) -> str:
    return f"{ident}_s{k}"


def _term_copy(term: dict[str, Any], k: int) -> dict[str, Any]:
    return {**term, "id": _id(term["id"], k), "name": f"{term['name']} (synthetic {k})"}


def _node(ref: str, k: int) -> str:
    if ref == "everyone":
        return f"condition:{MARKER}_s{k}"
    kind, _, ident = ref.partition(":")
    return f"{kind}:{_id(ident, k)}" if kind in COPIED_NODE_KINDS else ref


def _copy(name: str, entry: dict[str, Any], k: int) -> dict[str, Any]:
    entry = copy.deepcopy(entry)
    entry["id"] = _id(entry["id"], k)
    if name == "links":
        entry["from"], entry["to"] = _node(entry["from"], k), _node(entry["to"], k)
        return entry
    if name == "factors":
        return entry
    entry["modality"] = _id(entry["modality"], k)
    for claim in entry.get("works_on", []):
        claim["factor"] = _id(claim["factor"], k)
    for precaution in entry.get("precautions", []):
        precaution["when"] = _condition(precaution["when"], k)[0]
    if "alternatives" in entry:
        entry["alternatives"] = [_id(ident, k) for ident in entry["alternatives"]]
    if entry.get("variant_of"):
        entry["variant_of"] = _id(entry["variant_of"], k)
    return entry


def _rule_copy(rule: dict[str, Any], k: int) -> dict[str, Any]:
    rule = copy.deepcopy(rule)
    rule["id"] = _id(rule["id"], k)
    rule["when"], scoped = _condition(rule["when"], k)
    if not scoped:
        marker = {"fact": "condition", "is": f"{MARKER}_s{k}"}
        patterns = rule["when"].get("all") or rule["when"]["any"]
        if "all" not in rule["when"] and len(patterns) > 1:
            raise ValueError(f"cannot scope rule {rule['id']}: an `any` with unscoped branches")
        rule["when"] = {"all": [marker, *patterns]}
    return rule


def _condition(when: dict[str, Any], k: int) -> tuple[dict[str, Any], bool]:
    """The condition with its ids moved to copy ``k``; whether a present pattern names one."""
    mode = "all" if "all" in when else "any"
    patterns = [_pattern(pattern, k) for pattern in when[mode]]
    present = [scoped for pattern, scoped in patterns if not pattern.get("absent")]
    scoped = all(present) if mode == "any" else any(present)
    return {mode: [pattern for pattern, _ in patterns]}, scoped


def _pattern(pattern: dict[str, Any], k: int) -> tuple[dict[str, Any], bool]:
    fields = FACT_TYPES[pattern["fact"]]
    scoped = False
    if "is" in pattern and _copied(fields.get("key")):
        pattern["is"], scoped = _id(pattern["is"], k), True
    for name, value in pattern.get("where", {}).items():
        if not _copied(fields.get(name)):
            continue
        if isinstance(value, dict):
            if isinstance(value.get("eq"), str):
                value["eq"], scoped = _id(value["eq"], k), True
            if isinstance(value.get("ne"), str):  # moved, but matches the shipped ids too
                value["ne"] = _id(value["ne"], k)
            if "one_of" in value:
                value["one_of"], scoped = [_id(str(one), k) for one in value["one_of"]], True
        elif isinstance(value, str):
            pattern["where"][name], scoped = _id(value, k), True
    return pattern, scoped


def _copied(vocabulary: str | None) -> bool:
    return vocabulary in (*COPIED_VOCABULARY, "items")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out",
        nargs="?",
        type=Path,
        default=None,
        help="directory to write (default: a new temporary directory)",
    )
    parser.add_argument("--factor", type=int, default=10, help="how many times larger (default 10)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="footmap-knowledge-x10-"))
    print(make_knowledge(out, args.factor))
    return 0


if __name__ == "__main__":
    sys.exit(main())
