"""Corrupted knowledge is findings, never a traceback, and never passed as clean.

Each corruption is applied to a copy of the shipped ``knowledge/`` directory. ``check`` must
return findings (and raise nothing), ``load`` must raise ``footmap.KnowledgeError`` and nothing
else. A corruption that changes the knowledge without making it wrong may pass, but only when it
is listed in ``PASSES_CLEAN`` with the argument why.
"""

from __future__ import annotations

import copy
import math
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footmap import FindingCode, KnowledgeBase, KnowledgeError

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "knowledge"

Edit = Callable[[Path], None]


def _read(directory: Path, file: str) -> Any:
    return yaml.safe_load((directory / file).read_text(encoding="utf-8"))


def _write(directory: Path, file: str, data: object) -> None:
    (directory / file).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _text(file: str, text: str) -> Edit:
    """Replace a whole file with ``text``."""
    return lambda directory: (directory / file).write_text(text, encoding="utf-8")


def _bytes(file: str, data: bytes) -> Edit:
    return lambda directory: (directory / file).write_bytes(data)


def _entries(file: str, change: Callable[[list[Any]], object]) -> Edit:
    """Change the list of entries of one file in place."""

    def edit(directory: Path) -> None:
        entries = _read(directory, file)
        change(entries)
        _write(directory, file, entries)

    return edit


def _field(file: str, index: int, path: str, value: object) -> Edit:
    """Set a dotted field (``dosage.sets``, ``when.all.0``) of entry ``index`` of ``file``."""

    def change(entries: list[Any]) -> None:
        *parents, last = path.split(".")
        target = entries[index]
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return _entries(file, change)


def _raw(file: str, index: int, field: str, text: str) -> Edit:
    """Set one top-level field of entry ``index`` to raw YAML ``text`` (tags, .nan, huge ints)."""

    def edit(directory: Path) -> None:
        entries = _read(directory, file)
        entries[index][field] = "@@RAW@@"
        dumped = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=10_000)
        (directory / file).write_text(dumped.replace("'@@RAW@@'", text, 1), encoding="utf-8")

    return edit


def _delete(file: str) -> Edit:
    return lambda directory: (directory / file).unlink()


def _rule(ident: str, change: Callable[[dict[str, Any]], object]) -> Edit:
    """Change the shipped rule ``ident`` (in whichever rules file holds it)."""

    def edit(directory: Path) -> None:
        for path in sorted((directory / "rules").glob("*.yaml")):
            file = f"rules/{path.name}"
            entries = _read(directory, file)
            for entry in entries:
                if entry["id"] == ident:
                    change(entry)
                    _write(directory, file, entries)
                    return
        raise AssertionError(f"no rule {ident}")

    return edit


def _symlink_loop(name: str) -> Edit:
    def edit(directory: Path) -> None:
        path = directory / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        path.symlink_to(path.name)

    return edit


def _mkdir(name: str) -> Edit:
    return lambda directory: (directory / name).mkdir()


def _both(*edits: Edit) -> Edit:
    def edit(directory: Path) -> None:
        for one in edits:
            one(directory)

    return edit


SADDLE = "triage.cauda_equina.saddle_numbness"
SEVERE = "triage.pain.severe"
NERVES = "triage.diabetic_foot.nerve_symptoms"


@dataclass(frozen=True)
class Corruption:
    name: str
    edit: Edit


def _corruptions() -> list[Corruption]:
    c = Corruption
    return [
        # Whole files.
        c("delete_sources", _delete("sources.yaml")),
        c("delete_exercises", _delete("exercises.yaml")),
        c("delete_vocabulary", _delete("vocabulary.yaml")),
        c("delete_wording", _delete("wording.yaml")),
        c("delete_triage_rules", _delete("rules/triage.yaml")),
        c("delete_rules_directory", lambda directory: shutil.rmtree(directory / "rules")),
        c("empty_exercises", _text("exercises.yaml", "")),
        c("empty_sources", _text("sources.yaml", "")),
        c("empty_vocabulary", _text("vocabulary.yaml", "")),
        c("empty_wording", _text("wording.yaml", "")),
        c("empty_triage_rules", _text("rules/triage.yaml", "")),
        c("mapping_instead_of_list", _text("factors.yaml", "ankle_stiffness: {name: Ankle stiffness}\n")),
        c("scalar_instead_of_list", _text("links.yaml", "42\n")),
        c("list_instead_of_vocabulary_mapping", _text("vocabulary.yaml", "- back\n- knee\n")),
        c("list_instead_of_wording_mapping", _text("wording.yaml", "- disclaimer\n")),
        c("binary_garbage", _bytes("exercises.yaml", bytes(range(256)) * 4)),
        c("non_utf8_bytes", _bytes("factors.yaml", "- id: caf\xe9\n  name: Caf\xe9\n".encode("latin-1"))),
        c("nul_bytes", _bytes("advice.yaml", b"- id: a\x00b\n")),
        c("python_object_tag", _text("sources.yaml", "- !!python/object/apply:os.system [echo hi]\n")),
        c("python_name_tag", _raw("factors.yaml", 0, "name", "!!python/name:os.system")),
        c("multiple_documents", _text("links.yaml", "- a\n---\n- b\n")),
        c("recursive_alias", _text("factors.yaml", "- &loop\n  id: loop\n  name: *loop\n")),
        c("deep_nesting", _text("factors.yaml", "[" * 5000 + "]" * 5000 + "\n")),
        c("unhashable_key", _text("factors.yaml", "- {[a]: 1}\n")),
        c("rules_entry_is_a_directory", _mkdir("rules/extra.yaml")),
        c("list_file_is_a_directory", _both(_delete("advice.yaml"), _mkdir("advice.yaml"))),
        c("symlink_loop_file", _symlink_loop("links.yaml")),
        c("symlink_loop_rules_file", _symlink_loop("rules/triage.yaml")),
        c("symlink_loop_rules_directory", _symlink_loop("rules")),
        # One entry.
        c("entry_is_a_list", _entries("exercises.yaml", lambda es: es.append(["toe_press"]))),
        c("entry_is_a_string", _entries("advice.yaml", lambda es: es.append("drink water"))),
        c("entry_is_an_int", _entries("factors.yaml", lambda es: es.append(7))),
        c("entry_is_null", _entries("links.yaml", lambda es: es.append(None))),
        c("rule_entry_is_null", _entries("rules/triage.yaml", lambda es: es.insert(0, None))),
        c("vocabulary_term_is_a_string", _vocabulary(lambda v: v["symptoms"].append("tingling"))),
        c("vocabulary_list_is_null", _vocabulary(lambda v: v.update(symptoms=None))),
        c("id_is_an_int", _field("factors.yaml", 0, "id", 12)),
        c("id_is_a_list", _field("exercises.yaml", 0, "id", ["toe_press"])),
        c("id_is_empty", _field("advice.yaml", 0, "id", "")),
        c("id_with_spaces", _field("sources.yaml", 0, "id", "seed article")),
        c("rule_id_is_null", _rule(SADDLE, lambda r: r.update(id=None))),
        c(
            "duplicate_id_across_files",
            _entries("advice.yaml", lambda es: es.append({**es[0], "id": "toe_press"})),
        ),
        c("duplicate_id_in_one_file", _entries("factors.yaml", lambda es: es.append(copy.deepcopy(es[0])))),
        c("duplicate_rule_id_across_files", _duplicate_rule),
        # Wrong types for every kind of field.
        c("text_is_a_list", _field("factors.yaml", 0, "name", ["Ankle", "stiffness"])),
        c("text_is_blank", _field("factors.yaml", 0, "description", "   ")),
        c("int_is_text", _field("exercises.yaml", 0, "dosage.sets", "three")),
        c("int_is_a_float", _field("exercises.yaml", 0, "dosage.reps", 2.5)),
        c("float_is_text", _field("exercises.yaml", 0, "minutes", "ten")),
        c("bool_is_text", _field("exercises.yaml", 0, "weight_bearing", "maybe")),
        c("list_is_text", _field("exercises.yaml", 0, "steps", "Press your toes down.")),
        c("list_of_ids_is_a_mapping", _field("exercises.yaml", 0, "equipment", {"towel": 1})),
        c("model_is_text", _field("exercises.yaml", 0, "dosage", "10 times")),
        c("choice_is_an_int", _field("advice.yaml", 0, "evidence", 3)),
        c("choice_is_null", _field("exercises.yaml", 0, "position", None)),
        c("optional_is_a_mapping", _field("sources.yaml", 0, "url", {"href": "x"})),
        c("claims_are_a_mapping", _field("exercises.yaml", 0, "works_on", {"factor": "ankle_stiffness"})),
        c("safety_review_is_text", _field("exercises.yaml", 0, "safety_review", "reviewed")),
        c("huge_int_for_a_float", _raw("exercises.yaml", 0, "minutes", "1" + "0" * 400)),
        c("huge_int_for_an_int", _field("exercises.yaml", 0, "dosage.times_per_day", 10**400)),
        c("nan_minutes", _raw("exercises.yaml", 0, "minutes", ".nan")),
        c("inf_minutes", _raw("advice.yaml", 0, "minutes", ".inf")),
        c("negative_minutes", _field("advice.yaml", 0, "minutes", -5)),
        c(
            "nan_in_a_rule_threshold",
            _rule(SEVERE, _set_when({"all": [{"fact": "pain", "where": {"severity": {"gte": math.nan}}}]})),
        ),
        c(
            "inf_in_a_rule_threshold",
            _rule(SEVERE, _set_when({"all": [{"fact": "pain", "where": {"severity": {"gte": math.inf}}}]})),
        ),
        c(
            "nan_as_a_rule_constant",
            _rule(SEVERE, _set_when({"all": [{"fact": "pain", "where": {"severity": math.nan}}]})),
        ),
        c("nan_adjust_scale", _first_adjust(math.nan)),
        c("date_for_text", _raw("factors.yaml", 0, "name", "2024-01-01")),
        c("binary_tag_for_text", _raw("factors.yaml", 0, "name", "!!binary aGVsbG8=")),
        # Rules.
        c("rule_when_is_empty", _rule(SADDLE, lambda r: r.update(when={}))),
        c("rule_when_all_is_empty", _rule(SADDLE, lambda r: r.update(when={"all": []}))),
        c("rule_when_is_a_list", _rule(SADDLE, lambda r: r.update(when=[{"fact": "symptom"}]))),
        c("rule_pattern_is_a_string", _rule(SADDLE, _set_when({"all": ["symptom saddle_numbness"]}))),
        c("rule_pattern_is_a_list", _rule(SADDLE, _set_when({"all": [["symptom", "saddle_numbness"]]}))),
        c("rule_where_is_a_list", _rule(SEVERE, _set_when({"all": [{"fact": "pain", "where": [8]}]}))),
        c(
            "rule_where_value_is_a_list",
            _rule(SEVERE, _set_when({"all": [{"fact": "pain", "where": {"key": ["back"]}}]})),
        ),
        c(
            "rule_one_of_is_empty",
            _rule(SADDLE, _set_when({"all": [{"fact": "symptom", "where": {"key": {"one_of": []}}}]})),
        ),
        c(
            "rule_two_operators",
            _rule(SEVERE, _set_when({"all": [{"fact": "pain", "where": {"severity": {"gte": 8, "lt": 3}}}]})),
        ),
        c(
            "rule_ref_to_missing_binding",
            _rule(SADDLE, _set_when({"all": [{"fact": "symptom", "where": {"key": {"ref": "nobody.key"}}}]})),
        ),
        c(
            "rule_unknown_fact_type",
            _rule(SADDLE, _set_when({"all": [{"fact": "symptoms", "is": "saddle_numbness"}]})),
        ),
        c(
            "rule_is_on_a_keyless_fact",
            _rule(SADDLE, _set_when({"all": [{"fact": "person", "is": "saddle_numbness"}]})),
        ),
        c(
            "rule_is_misspelt_term",
            _rule(SADDLE, _set_when({"all": [{"fact": "symptom", "is": "sadle_numbness"}]})),
        ),
        c("rule_level_weakened", _rule(SADDLE, lambda r: r.update(level="see_clinician"))),
        c("rule_effect_changed", _rule(SADDLE, lambda r: r.update(effect="caution", level=None))),
        c(
            "rule_narrowed",
            _rule(
                SADDLE,
                _set_when(
                    {"all": [{"fact": "symptom", "is": "saddle_numbness"}, {"fact": "pain", "is": "back"}]}
                ),
            ),
        ),
        c(
            "rule_made_absent",
            _rule(SADDLE, _set_when({"all": [{"fact": "symptom", "is": "saddle_numbness", "absent": True}]})),
        ),
        c("refer_rule_with_a_target", _rule(SADDLE, lambda r: r.update(target="item"))),
        c("precaution_adjust_without_scale", _first_precaution(lambda p: p.update(effect="adjust"))),
        c("precaution_when_is_empty", _first_precaution(lambda p: p.update(when={}))),
        # Vocabulary and red flags.
        c(
            "red_flag_mark_removed",
            _vocabulary(lambda v: _term(v, "symptoms", "saddle_numbness").pop("red_flag")),
        ),
        c(
            "red_flag_mark_lowered",
            _vocabulary(lambda v: _term(v, "symptoms", "cold_pale_foot").update(red_flag="see_clinician")),
        ),
        c(
            "red_flag_mark_invalid",
            _vocabulary(lambda v: _term(v, "symptoms", "fever").update(red_flag="yes")),
        ),
        c("red_flag_on_equipment", _vocabulary(lambda v: v["equipment"][0].update(red_flag="urgent"))),
        c(
            "vocabulary_term_removed",
            _vocabulary(lambda v: v["symptoms"].remove(_term(v, "symptoms", "tingling"))),
        ),
        # Graph.
        c("factor_cycle", _entries("links.yaml", _add_factor_cycle)),
        c(
            "self_loop_link",
            _entries(
                "links.yaml",
                lambda es: es.append(
                    {**es[0], "id": "loop", "from": "factor:tight_calves", "to": "factor:tight_calves"}
                ),
            ),
        ),
        c("alternative_is_itself", _exercise("toe_press", lambda e: e.update(alternatives=["toe_press"]))),
        c(
            "alternatives_point_at_each_other",
            _exercise("toe_press_seated", lambda e: e.update(alternatives=["toe_press"])),
        ),
        c(
            "variant_of_itself",
            _exercise("toe_press_seated", lambda e: e.update(variant_of="toe_press_seated")),
        ),
        c("variant_of_cycle", _exercise("toe_press", lambda e: e.update(variant_of="toe_press_seated"))),
        # Wording.
        c(
            "wording_unknown_placeholder",
            _wording(lambda w: w["compose"].update(over_budget="{budgte} minutes")),
        ),
        c("wording_text_is_a_list", _wording(lambda w: w.update(disclaimer=["a", "b"]))),
        c("wording_section_missing", _wording(lambda w: w.pop("triage"))),
    ]


def _vocabulary(change: Callable[[dict[str, Any]], object]) -> Edit:
    def edit(directory: Path) -> None:
        vocabulary = _read(directory, "vocabulary.yaml")
        change(vocabulary)
        _write(directory, "vocabulary.yaml", vocabulary)

    return edit


def _wording(change: Callable[[dict[str, Any]], object]) -> Edit:
    def edit(directory: Path) -> None:
        wording = _read(directory, "wording.yaml")
        change(wording)
        _write(directory, "wording.yaml", wording)

    return edit


def _term(vocabulary: dict[str, Any], name: str, ident: str) -> dict[str, Any]:
    term: dict[str, Any] = next(term for term in vocabulary[name] if term["id"] == ident)
    return term


def _exercise(ident: str, change: Callable[[dict[str, Any]], object]) -> Edit:
    return _entries("exercises.yaml", lambda es: change(next(e for e in es if e["id"] == ident)))


def _first_precaution(change: Callable[[dict[str, Any]], object]) -> Edit:
    return _entries("acupressure.yaml", lambda es: change(es[0]["precautions"][0]))


def _first_adjust(scale: float) -> Edit:
    def edit(directory: Path) -> None:
        entries = _read(directory, "rules/adjustments.yaml")
        next(entry for entry in entries if entry.get("adjust"))["adjust"]["scale"] = scale
        _write(directory, "rules/adjustments.yaml", entries)

    return edit


def _set_when(when: object) -> Callable[[dict[str, Any]], None]:
    return lambda rule: rule.update(when=copy.deepcopy(when))


def _add_factor_cycle(entries: list[Any]) -> None:
    template = {key: value for key, value in entries[0].items() if key not in ("id", "from", "to")}
    entries.append(
        {"id": "a_to_b", "from": "factor:ankle_stiffness", "to": "factor:tight_calves", **template}
    )
    entries.append(
        {"id": "b_to_a", "from": "factor:tight_calves", "to": "factor:ankle_stiffness", **template}
    )


def _duplicate_rule(directory: Path) -> None:
    triage = _read(directory, "rules/triage.yaml")
    cautions = _read(directory, "rules/cautions.yaml")
    _write(directory, "rules/cautions.yaml", [*cautions, triage[0]])


CORRUPTIONS = _corruptions()

#: Corruptions that change the knowledge without making it wrong, and why they may pass.
PASSES_CLEAN: dict[str, str] = {
    "binary_tag_for_text": (
        "`!!binary aGVsbG8=` is standard YAML for the bytes b'hello', which are valid UTF-8: the"
        " name reads 'hello', exactly as `name: hello` would. The value is what the file says."
    ),
}


def _copy(tmp_path: Path) -> Path:
    directory = tmp_path / "knowledge"
    shutil.copytree(SHIPPED, directory)
    return directory


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=lambda corruption: corruption.name)
def test_a_corruption_is_findings_never_a_traceback(tmp_path: Path, corruption: Corruption) -> None:
    directory = _copy(tmp_path)
    corruption.edit(directory)

    findings = KnowledgeBase.check(directory)

    assert findings == sorted(findings)
    assert all(isinstance(finding.code, FindingCode) for finding in findings)
    if corruption.name in PASSES_CLEAN:
        assert findings == [], "\n".join(map(str, findings))
        KnowledgeBase.load(directory)
        return
    assert findings, f"{corruption.name} passed the check as clean"
    with pytest.raises(KnowledgeError) as info:
        KnowledgeBase.load(directory)
    assert info.value.findings == findings


def test_yaml_nested_too_deeply_for_the_parser_is_one_finding_on_its_file(tmp_path: Path) -> None:
    # Not a fixture under tests/fixtures: the loader tests parse every YAML file there.
    directory = _copy(tmp_path)
    (directory / "factors.yaml").write_text("[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    findings = KnowledgeBase.check(directory)
    assert [(f.file, f.code) for f in findings] == [("factors.yaml", FindingCode.YAML_SYNTAX)]
    assert "nested more than 50 deep" in findings[0].message


def test_there_are_many_kinds_of_corruption_and_each_has_a_unique_name() -> None:
    names = [corruption.name for corruption in CORRUPTIONS]
    assert len(names) == len(set(names))
    assert len(names) >= 40
    assert set(PASSES_CLEAN) <= set(names)


# --- random mutations --------------------------------------------------------------------------

_FILES = sorted(str(path.relative_to(SHIPPED)) for path in SHIPPED.rglob("*.yaml"))
_JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
_SHIPPED_DATA = {file: yaml.safe_load((SHIPPED / file).read_text(encoding="utf-8")) for file in _FILES}


def _mutate(data: Any, draw: st.DrawFn, junk: object) -> Any:
    """``data`` with one random field (at any depth) of one random entry replaced by ``junk``."""
    data = copy.deepcopy(data)
    holder: Any = data
    while True:
        keys: list[Any] = list(range(len(holder))) if isinstance(holder, list) else list(holder)
        if not keys:
            return data
        key = draw(st.sampled_from(keys))
        below = holder[key]
        if isinstance(below, dict | list) and below and draw(st.booleans()):
            holder = below
            continue
        holder[key] = junk
        return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_random_field_of_a_random_entry_mutated_is_findings_never_an_exception(data: st.DataObject) -> None:
    file = data.draw(st.sampled_from(_FILES), label="file")
    junk = data.draw(_JUNK, label="junk")
    mutated = _mutate(_SHIPPED_DATA[file], data.draw, junk)
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(mutated, allow_unicode=True), encoding="utf-8")
        findings = KnowledgeBase.check(root, overlay=True)
    assert findings == sorted(findings)
    assert all(isinstance(finding.code, FindingCode) for finding in findings)
