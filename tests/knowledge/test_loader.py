"""The strict loader: duplicate keys, file shapes, overlays, and how findings are reported.

Most tests check a small directory on its own (not laid over the shipped knowledge, which is
slow to read) and look only at the findings for the files they wrote.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from footmap import Finding, FindingCode, KnowledgeBase
from footmap._knowledge.base import shipped_knowledge_dir
from footmap._knowledge.loader import Entry, FastStrictLoader, RawKnowledge, StrictLoader, load_raw, merge_raw

BROKEN = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "broken"


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _findings_for(directory: Path, *files: str) -> list[Finding]:
    """The findings about ``files`` when ``directory`` is checked on its own."""
    return [finding for finding in KnowledgeBase.check(directory) if finding.file in files]


# --- duplicate keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",
        "- id: x\n  a: first\n  b: 2\n  a: second\n",
        "{b: 1, a: 1, a: 2}\n",
        "outer:\n  inner: {a: 1, a: 1}\n",
    ],
    ids=["top_level", "in_a_list_entry", "flow_mapping", "nested"],
)
def test_strict_loader_rejects_duplicate_keys(text: str) -> None:
    assert yaml.safe_load(text) is not None  # plain PyYAML silently keeps the last value
    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate key 'a'"):
        yaml.load(text, Loader=StrictLoader)


def test_strict_loader_reads_like_safe_load_without_duplicates() -> None:
    text = "- {id: x, a: 1}\n- id: y\n  a: 2\n  nested: {a: 3, b: [1, 2]}\n"
    assert yaml.load(text, Loader=StrictLoader) == yaml.safe_load(text)


def test_duplicate_key_in_a_knowledge_file_is_a_finding(tmp_path: Path) -> None:
    _write(tmp_path / "factors.yaml", "- id: x\n  id: y\n")
    [finding] = _findings_for(tmp_path, "factors.yaml")
    assert finding.code is FindingCode.DUPLICATE_KEY
    assert "duplicate key 'id'" in finding.message
    assert "line 2" in finding.message


# --- the shape of a file -----------------------------------------------------------------------


def test_a_list_file_that_is_not_a_list_is_an_invalid_field(tmp_path: Path) -> None:
    _write(tmp_path / "factors.yaml", "id: broken_factor\nname: Not in a list\n")
    _write(tmp_path / "sources.yaml", "just some text\n")
    _write(tmp_path / "rules" / "extra.yaml", "42\n")
    files = ("factors.yaml", "rules/extra.yaml", "sources.yaml")
    assert _findings_for(tmp_path, *files) == [
        Finding(file, "", "", FindingCode.INVALID_FIELD, "expected a list of entries") for file in files
    ]


def test_a_vocabulary_that_is_not_a_mapping_is_an_invalid_field(tmp_path: Path) -> None:
    _write(tmp_path / "vocabulary.yaml", "- back\n- knee\n")
    _, findings = load_raw(tmp_path, require_all=False)
    assert findings == [
        Finding("vocabulary.yaml", "", "", FindingCode.INVALID_FIELD, "expected a mapping of lists"),
    ]


def test_an_unknown_vocabulary_list_is_an_unknown_field(tmp_path: Path) -> None:
    _write(tmp_path / "vocabulary.yaml", {"symtoms": [{"id": "broken_symptom", "name": "Broken"}]})
    [finding] = [f for f in _findings_for(tmp_path, "vocabulary.yaml") if f.entry == "symtoms"]
    assert finding.code is FindingCode.UNKNOWN_FIELD
    assert "symptoms" in finding.message


def test_an_entry_that_is_not_a_mapping_is_an_invalid_field(tmp_path: Path) -> None:
    _write(tmp_path / "factors.yaml", "- just a string\n")
    [finding] = _findings_for(tmp_path, "factors.yaml")
    assert (finding.entry, finding.field, finding.code) == ("#1", "", FindingCode.INVALID_FIELD)


def test_an_empty_file_is_an_empty_list(tmp_path: Path) -> None:
    _write(tmp_path / "factors.yaml", "# nothing here yet\n")
    _write(tmp_path / "rules" / "empty.yaml", "")
    raw, findings = load_raw(tmp_path, require_all=False)
    assert findings == []
    assert raw.sections["factors"] == []
    assert raw.sections["rules"] == []


def test_rules_gather_every_file_of_the_rules_directory(tmp_path: Path) -> None:
    _write(tmp_path / "rules" / "b.yaml", [{"id": "b.one"}, {"id": "b.two"}])
    _write(tmp_path / "rules" / "a.yaml", [{"id": "a.one"}])
    _write(tmp_path / "rules" / "notes.txt", "not a rule file")
    raw, findings = load_raw(tmp_path, require_all=False)
    assert findings == []
    assert [(entry.file, entry.data["id"]) for entry in raw.sections["rules"]] == [
        ("rules/a.yaml", "a.one"),
        ("rules/b.yaml", "b.one"),
        ("rules/b.yaml", "b.two"),
    ]


# --- overlays ----------------------------------------------------------------------------------


def test_merge_raw_replaces_by_id_and_adds_new_entries() -> None:
    base = RawKnowledge(
        {
            "factors": [
                Entry("factors.yaml", {"id": "a", "v": 1}),
                Entry("factors.yaml", {"id": "b", "v": 1}),
            ],
            "sources": [Entry("sources.yaml", {"id": "s"})],
        },
        {"symptoms": [Entry("vocabulary.yaml", {"id": "x", "v": 1})]},
    )
    overlay = RawKnowledge(
        {
            "factors": [
                Entry("mine.yaml", {"id": "b", "v": 2}),
                Entry("mine.yaml", {"id": "c", "v": 2}),
                Entry("mine.yaml", "not a mapping"),
            ],
            "links": [Entry("links.yaml", {"id": "l"})],
        },
        {
            "symptoms": [Entry("vocabulary.yaml", {"id": "x", "v": 2})],
            "equipment": [Entry("vocabulary.yaml", {"id": "e"})],
        },
    )
    merged = merge_raw(base, overlay)
    assert [entry.data for entry in merged.sections["factors"]] == [
        {"id": "a", "v": 1},
        {"id": "b", "v": 2},
        {"id": "c", "v": 2},
        "not a mapping",
    ]
    assert merged.sections["factors"][1].file == "mine.yaml"
    assert [entry.data for entry in merged.sections["sources"]] == [{"id": "s"}]
    assert [entry.data for entry in merged.sections["links"]] == [{"id": "l"}]
    assert [entry.data for entry in merged.vocabulary["symptoms"]] == [{"id": "x", "v": 2}]
    assert [entry.data for entry in merged.vocabulary["equipment"]] == [{"id": "e"}]


def test_overlay_replaces_an_exercise_by_id_and_adds_a_new_one(tmp_path: Path, kb: KnowledgeBase) -> None:
    shipped_exercises = (shipped_knowledge_dir() / "exercises.yaml").read_text(encoding="utf-8")
    first = yaml.safe_load(shipped_exercises)[0]
    renamed = {**copy.deepcopy(first), "name": "Renamed by an overlay"}
    added = {**copy.deepcopy(first), "id": "overlay_exercise", "name": "Added by an overlay"}
    _write(tmp_path / "exercises.yaml", [renamed, added])

    overlaid = KnowledgeBase.load(tmp_path, overlay=True)

    assert overlaid.items[first["id"]].name == "Renamed by an overlay"
    assert kb.items[first["id"]].name == first["name"]
    assert overlaid.items["overlay_exercise"].name == "Added by an overlay"
    assert overlaid.item_kinds["overlay_exercise"] == "exercise"
    assert set(overlaid.items) == set(kb.items) | {"overlay_exercise"}
    assert [item.id for item in overlaid.knowledge.items["exercise"]].count(first["id"]) == 1
    for ident, item in kb.items.items():
        if ident != first["id"]:
            assert overlaid.items[ident] == item
    assert overlaid.fingerprint != kb.fingerprint


def test_overlay_can_add_a_vocabulary_term(tmp_path: Path, kb: KnowledgeBase) -> None:
    _write(
        tmp_path / "vocabulary.yaml",
        {"equipment": [{"id": "overlay_step", "name": "A low step", "substitutes": ["chair"]}]},
    )
    overlaid = KnowledgeBase.load(tmp_path, overlay=True)
    assert overlaid.vocabulary["equipment"] == (*kb.vocabulary["equipment"], "overlay_step")
    assert overlaid.vocabulary["symptoms"] == kb.vocabulary["symptoms"]


# --- the shipped knowledge ---------------------------------------------------------------------


def test_shipped_knowledge_checks_clean() -> None:
    findings = KnowledgeBase.check()
    assert findings == [], "\n".join(str(finding) for finding in findings)


# --- how findings are reported -----------------------------------------------------------------


def test_findings_are_sorted(tmp_path: Path) -> None:
    # factors.yaml fails while reading, advice.yaml later while validating: reported sorted.
    for name in ("yaml_syntax", "unknown_field"):
        shutil.copytree(BROKEN / name, tmp_path, dirs_exist_ok=True)
    findings = KnowledgeBase.check(tmp_path)
    files = [finding.file for finding in findings]
    assert "advice.yaml" in files
    assert "factors.yaml" in files
    assert findings == sorted(findings)


def test_findings_are_deduplicated(tmp_path: Path) -> None:
    # The same dangling substitute twice in one entry is one finding, not two.
    _write(
        tmp_path / "vocabulary.yaml",
        {
            "equipment": [
                {"id": "broken_equipment", "name": "Broken", "substitutes": ["hamer", "hamer"]},
            ]
        },
    )
    findings = KnowledgeBase.check(tmp_path, overlay=True)
    assert len(findings) == len(set(findings))
    dangling = [f for f in findings if f.entry == "broken_equipment"]
    assert [(f.file, f.field, f.code) for f in dangling] == [
        ("vocabulary.yaml", "substitutes", FindingCode.DANGLING_REFERENCE),
    ]


# --- regressions: bugs found and fixed -------------------------------------------------------


def test_findings_at_one_place_with_different_codes_can_be_sorted(tmp_path: Path) -> None:
    _write(
        tmp_path / "factors.yaml",
        [
            {"id": "broken_factor", "name": "", "description": "x", "source": "seed_article"},
            {"id": "broken_factor", "description": "x", "source": "seed_article"},
        ],
    )
    findings = _findings_for(tmp_path, "factors.yaml")
    codes = {f.code for f in findings if (f.entry, f.field) == ("broken_factor", "name")}
    assert codes == {FindingCode.INVALID_FIELD, FindingCode.MISSING_FIELD}


def test_an_overlay_entry_with_a_list_id_is_an_invalid_field(tmp_path: Path) -> None:
    _write(
        tmp_path / "factors.yaml",
        "- id: [broken, factor]\n  name: Broken\n  description: x\n  source: seed_article\n",
    )
    findings = [f for f in KnowledgeBase.check(tmp_path, overlay=True) if f.file == "factors.yaml"]
    assert [(f.field, f.code) for f in findings] == [("id", FindingCode.INVALID_FIELD)]


def test_an_unhashable_yaml_key_is_a_finding(tmp_path: Path) -> None:
    _write(tmp_path / "factors.yaml", "- {[a, b]: 1}\n")
    assert len(_findings_for(tmp_path, "factors.yaml")) == 1


def test_an_unknown_yaml_tag_is_not_a_duplicate_key(tmp_path: Path) -> None:
    _write(tmp_path / "factors.yaml", "- !include other.yaml\n")
    [finding] = _findings_for(tmp_path, "factors.yaml")
    assert finding.code is FindingCode.YAML_SYNTAX


def test_a_claim_without_source_is_a_missing_source(tmp_path: Path) -> None:
    _write(
        tmp_path / "advice.yaml",
        [
            {
                "id": "broken_advice",
                "name": "Broken",
                "modality": "activity",
                "summary": "A summary.",
                "text": "Walk.",
                "minutes": 5,
                "evidence": "low",
                "source": "seed_article",
                "works_on": [
                    {"factor": "low_activity", "reason": "A claim without a source.", "evidence": "low"}
                ],
            }
        ],
    )
    [finding] = _findings_for(tmp_path, "advice.yaml")
    assert (finding.entry, finding.field) == ("broken_advice", "works_on.0.source")
    assert finding.code is FindingCode.MISSING_SOURCE


def test_an_entry_without_id_is_numbered_within_its_file(tmp_path: Path) -> None:
    _write(tmp_path / "rules" / "a.yaml", [{"id": "a.rule"}])
    _write(tmp_path / "rules" / "b.yaml", "- just a string\n")
    [finding] = _findings_for(tmp_path, "rules/b.yaml")
    assert finding.entry == "#1"


# --- the fast (libyaml) and the pure-Python loaders agree --------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[2]
_YAML_FILES = sorted(
    path for folder in ("knowledge", "tests", "examples") for path in (REPO_ROOT / folder).rglob("*.yaml")
)


@pytest.mark.skipif(FastStrictLoader is StrictLoader, reason="libyaml is not available here")
@pytest.mark.parametrize("path", _YAML_FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_fast_and_pure_python_loaders_agree(path: Path) -> None:
    text = path.read_text(encoding="utf-8")

    def outcome(loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]) -> tuple[str, object]:
        try:
            return "data", yaml.load(text, Loader=loader)
        except yaml.YAMLError as error:
            return type(error).__name__, None

    assert outcome(FastStrictLoader) == outcome(StrictLoader)


def test_the_exercises_that_depart_from_the_seed_say_how_and_why() -> None:
    """Seed fidelity, auditable: each known departure is recorded on its item (docs/safety.md)."""
    kb = KnowledgeBase.load()
    departed = {ident for ident, item in kb.items.items() if item.departures}
    assert {
        "ankle_circles",
        "heel_tendon_stretch",
        "heel_stretch",
        "upward_stretch",
        "toe_press",
        "foot_massage_ball",
    } <= departed
    assert all(kb.items[ident].seed for ident in departed)
