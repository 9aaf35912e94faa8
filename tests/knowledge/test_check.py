"""``KnowledgeBase.check``: every kind of finding, from one tiny broken fixture per kind.

Each directory under ``tests/fixtures/broken/`` holds one YAML file that is laid over the shipped
knowledge (``overlay=True``) and breaks it in exactly one way; its first line says how.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from footmap import Finding, FindingCode, KnowledgeBase, KnowledgeError
from footmap._knowledge import loader
from footmap._knowledge.base import shipped_knowledge_dir
from footmap._knowledge.loader import LIST_FILES, VOCABULARY, WORDING, RawKnowledge, load_raw

REPO = Path(__file__).resolve().parents[2]
BROKEN = REPO / "tests" / "fixtures" / "broken"


@dataclass(frozen=True)
class Case:
    """A broken fixture and the finding it must produce."""

    name: str
    code: FindingCode
    file: str
    entry: str
    field: str
    says: tuple[str, ...] = ()  # more text the finding's message must hold
    suggestion: str | None = None  # the machine-readable "did you mean"

    def matches(self, finding: Finding) -> bool:
        return (
            finding.code is self.code
            and finding.file == self.file
            and finding.entry == self.entry
            and finding.field == self.field
        )


CASES = [
    # Findings from reading the YAML: they point at a line, not at an entry.
    Case("yaml_syntax", FindingCode.YAML_SYNTAX, "factors.yaml", "", "", ("line 5", "flow sequence")),
    Case("duplicate_key", FindingCode.DUPLICATE_KEY, "factors.yaml", "", "", ("'name'", "line 4")),
    # Findings from validating one entry against the schema.
    Case(
        "unknown_field",
        FindingCode.UNKNOWN_FIELD,
        "advice.yaml",
        "broken_advice",
        "sumary",
        ("Did you mean 'summary'?",),
        "summary",
    ),
    Case("missing_field", FindingCode.MISSING_FIELD, "factors.yaml", "broken_factor", "description"),
    Case(
        "invalid_field",
        FindingCode.INVALID_FIELD,
        "advice.yaml",
        "broken_advice",
        "evidence",
        ("'moderate'",),
    ),
    Case("invalid_field_id", FindingCode.INVALID_FIELD, "factors.yaml", "Broken-Factor", "id", ("pattern",)),
    Case(
        "invalid_field_range", FindingCode.INVALID_FIELD, "advice.yaml", "broken_advice", "minutes", ("60",)
    ),
    Case("missing_source", FindingCode.MISSING_SOURCE, "factors.yaml", "broken_factor", "source"),
    # Findings from cross-checking entries against each other.
    Case("duplicate_id", FindingCode.DUPLICATE_ID, "factors.yaml", "broken_factor", "id", ("2 times",)),
    Case(
        "dangling_reference",
        FindingCode.DANGLING_REFERENCE,
        "advice.yaml",
        "broken_advice",
        "works_on.0.factor",
        ("'ankle_stifness'", "Did you mean 'ankle_stiffness'?"),
        "ankle_stiffness",
    ),
    Case(
        "dangling_link",
        FindingCode.DANGLING_REFERENCE,
        "links.yaml",
        "broken.link",
        "to",
        ("'exercise:toe_pres'", "Did you mean 'exercise:toe_press'?"),
        "exercise:toe_press",
    ),
    Case(
        "invalid_rule",
        FindingCode.INVALID_RULE,
        "rules/broken.yaml",
        "broken.unbound_target",
        "target",
        ("'item'", "not bound"),
    ),
    Case(
        "invalid_rule_where",
        FindingCode.INVALID_RULE,
        "rules/broken.yaml",
        "broken.unknown_where_field",
        "when.0.where.colour",
        ("no field 'colour'",),
    ),
    Case(
        "invalid_rule_ref",
        FindingCode.INVALID_RULE,
        "rules/broken.yaml",
        "broken.unbound_ref",
        "when.1.where.item",
        ("ref: thing.key", "'thing'"),
    ),
    Case(
        "invalid_rule_absent",
        FindingCode.INVALID_RULE,
        "rules/broken.yaml",
        "broken.only_absent",
        "when",
        ("not `absent`",),
    ),
    Case(
        "rule_nan_threshold",
        FindingCode.INVALID_RULE,
        "rules/broken.yaml",
        "broken.nan_threshold",
        "when.0.where.severity",
        ("not a finite number",),
    ),
    Case(
        "rule_empty_one_of",
        FindingCode.INVALID_RULE,
        "rules/broken.yaml",
        "broken.empty_one_of",
        "when.0.where.key",
        ("`one_of: []`",),
    ),
    Case(
        "precaution_adjust_without_scale",
        FindingCode.INVALID_RULE,
        "acupressure.yaml",
        "bl60_kunlun",
        "precautions.pregnancy.adjust",
        ("effect: adjust",),
    ),
    # Safety and honesty: every item reviewed, every claim graded, every red flag sourced.
    Case(
        "missing_safety_review",
        FindingCode.MISSING_SAFETY_REVIEW,
        "advice.yaml",
        "broken_advice",
        "safety_review",
        ("contraindication review",),
    ),
    Case("link_without_evidence", FindingCode.MISSING_FIELD, "links.yaml", "broken.link", "evidence"),
    Case(
        "red_flag_rule_without_source",
        FindingCode.MISSING_SOURCE,
        "rules/broken.yaml",
        "broken.red_flag",
        "source",
    ),
    # Safety by behaviour: a red flag reported alone is referred at least at its marked level.
    Case(
        "unguarded_red_flag",
        FindingCode.UNGUARDED_RED_FLAG,
        "vocabulary.yaml",
        "saddle_numbness",
        "red_flag",
        ("(urgent)", "only as 'see_clinician'", "level: urgent"),
    ),
    Case(
        "narrowed_red_flag",
        FindingCode.UNGUARDED_RED_FLAG,
        "vocabulary.yaml",
        "saddle_numbness",
        "red_flag",
        ("no rule refers it",),
    ),
    Case(
        "unmarked_red_flag",
        FindingCode.UNMARKED_RED_FLAG,
        "vocabulary.yaml",
        "tingling",
        "red_flag",
        ("'see_clinician'", "triage.tingling_alone", "is not marked", "red_flag: see_clinician"),
    ),
    Case(
        "red_flag_on_equipment",
        FindingCode.INVALID_FIELD,
        "vocabulary.yaml",
        "towel",
        "red_flag",
        ("only something a person reports",),
    ),
    # Graph sanity: no cycles among factors, no item standing in for itself or for its stand-in.
    Case(
        "factor_cycle",
        FindingCode.CIRCULAR_REFERENCE,
        "links.yaml",
        "broken.calves_to_stiffness",
        "to",
        ("factor:ankle_stiffness -> factor:tight_calves -> factor:ankle_stiffness",),
    ),
    Case(
        "self_loop_link", FindingCode.CIRCULAR_REFERENCE, "links.yaml", "broken.self_loop", "to", ("itself",)
    ),
    Case(
        "self_alternative",
        FindingCode.CIRCULAR_REFERENCE,
        "exercises.yaml",
        "toe_press",
        "alternatives",
        ("its own alternative",),
    ),
    Case(
        "mutual_alternatives",
        FindingCode.CIRCULAR_REFERENCE,
        "exercises.yaml",
        "toe_press_seated",
        "alternatives",
        ("'toe_press'", "each other"),
    ),
    Case(
        "variant_of_self",
        FindingCode.CIRCULAR_REFERENCE,
        "exercises.yaml",
        "toe_press_seated",
        "variant_of",
        ("variant of itself",),
    ),
    Case(
        "variant_of_chain",
        FindingCode.CIRCULAR_REFERENCE,
        "exercises.yaml",
        "toe_press_seated",
        "variant_of",
        ("chain: toe_press_seated -> toe_press -> toe_pencil_pickup",),
    ),
    # The foot map (zones.yaml): every zone and mark names a real item, every item has one, and
    # every one is inside its view's box and on the drawn foot.
    Case(
        "zone_dangling_area",
        FindingCode.DANGLING_REFERENCE,
        "zones.yaml",
        "reflex_spin",
        "area",
        ("'reflex_spin' is not defined", "Did you mean 'reflex_spine'?"),
        "reflex_spine",
    ),
    Case(
        "missing_geometry",
        FindingCode.MISSING_GEOMETRY,
        "zones.yaml",
        "broken_ankle_reflex",
        "areas",
        ("reflexology.yaml", "no zone on the foot map", "`area: broken_ankle_reflex`"),
    ),
    Case(
        "zone_outside_view",
        FindingCode.OUTSIDE_VIEW,
        "zones.yaml",
        "reflex_neck",
        "shape.2",
        ("[140, 41]", "view 'sole'", "0 to 130 across"),
    ),
    Case(
        "zone_off_outline",
        FindingCode.OFF_OUTLINE,
        "zones.yaml",
        "ki1_yongquan",
        "at",
        ("[4, 200]", "not on the foot drawn in view 'sole'"),
    ),
    Case(
        "zone_too_few_points",
        FindingCode.INVALID_FIELD,
        "zones.yaml",
        "reflex_knee",
        "shape",
        ("at least 3 items",),
    ),
]
# Ladders (progressions.yaml): real exercises and checks, one family, the exercise's own numbers,
# planned steps in order and never easier or variant steps, a time some budget holds.
P, LADDER = "progressions.yaml", FindingCode.INVALID_PROGRESSION
CASES += [
    Case(
        "progression_dangling_item",
        FindingCode.DANGLING_REFERENCE,
        P,
        "toe_pres",
        "id",
        ("'toe_pres' is not defined",),
        "toe_press",
    ),
    Case(
        "progression_dangling_condition",
        FindingCode.DANGLING_REFERENCE,
        P,
        "toe_press",
        "harder.0.condition",
        ("'going_wel' is not defined",),
        "going_well",
    ),
    Case(
        "progression_wrong_condition",
        LADDER,
        P,
        "toe_press",
        "harder.0.condition",
        ("moves down", "move: up"),
    ),
    Case(
        "progression_variant_outside_family",
        LADDER,
        P,
        "toe_press",
        "easier.0.variant",
        ("'ankle_circles_seated' is not in the family of 'toe_press'", "toe_press_seated"),
    ),
    Case(
        "progression_untimed_dose",
        LADDER,
        P,
        "ankle_circles",
        "harder.0.hold_seconds",
        ("not timed by hold_seconds",),
    ),
    Case(
        "progression_unordered",
        LADDER,
        P,
        "toe_pencil_pickup",
        "harder.1.after_weeks",
        ("after_weeks 2 comes after week 4",),
    ),
    Case("progression_planned_easier", LADDER, P, "toe_stretch", "easier.0.after_weeks", ("never planned",)),
    Case(
        "progression_planned_variant",
        LADDER,
        P,
        "toe_press_seated",
        "harder.0.after_weeks",
        ("a move to 'toe_press' is never planned",),
    ),
    Case("progression_too_long", LADDER, P, "toe_press", "harder.0", ("225 minutes a day", "120 a day")),
]
CASES_BY_NAME = {case.name: case for case in CASES}

# One fixture breaks the knowledge in six ways, from every stage; one check reports each of them.
MANY_AT_ONCE = "many_at_once"
MANY_AT_ONCE_CASES = [
    Case(
        MANY_AT_ONCE,
        FindingCode.INVALID_FIELD,
        "exercises.yaml",
        "broken_seated_curl",
        "position",
        ("got 'sittng'",),
        "sitting",
    ),
    Case(
        MANY_AT_ONCE,
        FindingCode.DANGLING_REFERENCE,
        "exercises.yaml",
        "broken_band_stretch",
        "equipment",
        ("'bnd' is not defined",),
        "band",
    ),
    Case(
        MANY_AT_ONCE,
        FindingCode.DANGLING_REFERENCE,
        "exercises.yaml",
        "broken_ball_roll",
        "source",
        ("'schwenk_2031' is not defined",),
        "schwenk_2013",
    ),
    Case(
        MANY_AT_ONCE,
        FindingCode.MISSING_SAFETY_REVIEW,
        "exercises.yaml",
        "broken_toe_lift",
        "safety_review",
        ("contraindication review",),
    ),
    Case(
        MANY_AT_ONCE,
        FindingCode.DANGLING_REFERENCE,
        "exercises.yaml",
        "broken_toe_lift",
        "precautions.diabetes.when.0.is",
        ("'diabetis' is not defined",),
        "diabetes",
    ),
    Case(
        MANY_AT_ONCE,
        FindingCode.INVALID_RULE,
        "exercises.yaml",
        "broken_toe_lift",
        "precautions.red_symptom.when.0.where.colour",
        ("no field 'colour'",),
    ),
]


@pytest.fixture(autouse=True, scope="module")
def _read_the_shipped_knowledge_once() -> Iterator[None]:
    """Read the shipped files once for this module: every overlay check reads them again, and
    parsing them (pure-Python YAML) takes most of a check's time. Overlays are still read each time.
    """
    shipped = shipped_knowledge_dir()
    cached = load_raw(shipped)

    def load_raw_once(directory: Path, *, require_all: bool = True) -> tuple[RawKnowledge, list[Finding]]:
        if directory == shipped and require_all:
            return cached[0], list(cached[1])
        return load_raw(directory, require_all=require_all)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "load_raw", load_raw_once)
        yield


@cache
def overlay_findings(name: str) -> tuple[Finding, ...]:
    """The findings of one broken fixture laid over the shipped knowledge (cached: read-only)."""
    return tuple(KnowledgeBase.check(BROKEN / name, overlay=True))


def assert_reported(case: Case, findings: tuple[Finding, ...] | list[Finding]) -> Finding:
    """The finding ``case`` expects, after checking its text names file, entry, field and more."""
    matching = [finding for finding in findings if case.matches(finding)]
    listing = "\n".join(str(finding) for finding in findings) or "no findings"
    assert matching, (
        f"{case.name}: no {case.code.value} finding at {case.file}/{case.entry}/{case.field}; got:\n{listing}"
    )
    text = str(matching[0])
    for part in (case.file, case.entry, case.field, case.code.value, *case.says):
        assert part in text, f"{part!r} not in {text!r}"
    assert matching[0].suggestion == case.suggestion, text
    if case.suggestion is not None:
        assert matching[0].message.endswith(f"Did you mean {case.suggestion!r}?"), text
    return matching[0]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_broken_fixture_is_reported_with_file_entry_and_field(case: Case) -> None:
    assert_reported(case, overlay_findings(case.name))


# One fixture per stage (reading, validating, cross-checking): load() raises with every finding.
@pytest.mark.parametrize("name", ["duplicate_key", "missing_source", "invalid_rule_ref"])
def test_load_raises_knowledge_error_listing_every_finding(name: str) -> None:
    with pytest.raises(KnowledgeError) as info:
        KnowledgeBase.load(BROKEN / name, overlay=True)
    error = info.value
    findings = overlay_findings(name)
    assert sorted(error.findings) == sorted(findings)
    message = str(error)
    count = len(findings)
    assert message.startswith(f"{count} problem{'s' if count != 1 else ''} in the knowledge:")
    for finding in findings:
        assert str(finding) in message


def test_every_fixture_has_a_case_and_is_one_commented_yaml_file() -> None:
    fixtures = sorted(path.name for path in BROKEN.iterdir() if path.is_dir())
    assert fixtures == sorted([*CASES_BY_NAME, MANY_AT_ONCE])
    for name in fixtures:
        files = sorted(path for path in (BROKEN / name).rglob("*") if path.is_file())
        assert len(files) == 1, f"{name}: {files}"
        assert files[0].suffix == ".yaml"
        first_line = files[0].read_text(encoding="utf-8").splitlines()[0]
        assert first_line.startswith("# Broken: "), f"{name}: first line {first_line!r}"


def test_every_code_possible_in_overlay_mode_has_a_fixture() -> None:
    # unverified_source is a release check only (`knowledge check --release`, tests/test_cli.py).
    release_only = {FindingCode.MISSING_FILE, FindingCode.UNVERIFIED_SOURCE}
    assert {case.code for case in CASES} == set(FindingCode) - release_only


def test_a_broken_entry_does_not_hide_the_rest_of_the_fixture() -> None:
    # The typo `sumary` is reported, and so is the `summary` it leaves missing.
    findings = overlay_findings("unknown_field")
    missing = Case("unknown_field", FindingCode.MISSING_FIELD, "advice.yaml", "broken_advice", "summary")
    assert_reported(missing, findings)


# --- several problems at once ------------------------------------------------------------------


def _combine(tmp_path: Path, *names: str) -> Path:
    """A directory holding the files of several broken fixtures (which must not share a file)."""
    seen: set[Path] = set()
    for name in names:
        files = {path.relative_to(BROKEN / name) for path in (BROKEN / name).rglob("*.yaml")}
        assert not files & seen, f"{name} shares a file with another fixture"
        seen |= files
        shutil.copytree(BROKEN / name, tmp_path, dirs_exist_ok=True)
    return tmp_path


@pytest.mark.parametrize(
    "names",
    [
        ("yaml_syntax", "unknown_field"),  # one file unreadable, another invalid
        ("missing_source", "invalid_field"),  # two invalid entries in two files
        ("dangling_link", "dangling_reference", "invalid_rule"),  # three cross-check problems
    ],
    ids="+".join,
)
def test_every_problem_is_reported_at_once(tmp_path: Path, names: tuple[str, ...]) -> None:
    findings = KnowledgeBase.check(_combine(tmp_path, *names), overlay=True)
    for name in names:
        assert_reported(CASES_BY_NAME[name], findings)


def test_one_check_reports_every_stage_of_the_many_at_once_fixture() -> None:
    # Schema, reference, source, review and rule findings together; and the alternative that
    # names the exercise failing the schema is not reported as dangling on top.
    findings = overlay_findings(MANY_AT_ONCE)
    for case in MANY_AT_ONCE_CASES:
        assert_reported(case, findings)
    assert len(findings) == len(MANY_AT_ONCE_CASES), "\n".join(map(str, findings))
    with pytest.raises(KnowledgeError) as info:
        KnowledgeBase.load(BROKEN / MANY_AT_ONCE, overlay=True)
    assert info.value.findings == list(findings)
    assert info.value.counts == {
        FindingCode.INVALID_FIELD: 1,
        FindingCode.DANGLING_REFERENCE: 3,
        FindingCode.INVALID_RULE: 1,
        FindingCode.MISSING_SAFETY_REVIEW: 1,
    }


def _edit(path: Path, edit: Callable[[list[dict[str, Any]]], object]) -> None:
    """Change the entries of one knowledge file in place (comments are lost, which is fine here)."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(entries)
    path.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _entry(entries: list[dict[str, Any]], ident: str) -> dict[str, Any]:
    return next(entry for entry in entries if entry["id"] == ident)


def test_a_copy_of_the_knowledge_with_mistakes_of_every_stage_reports_them_in_one_check(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_dir(), directory)
    # Schema: an invalid evidence grade on an exercise that other entries point to.
    _edit(directory / "exercises.yaml", lambda es: _entry(es, "toe_press").update(evidence="moderat"))
    # Reference: misspelt equipment on another exercise.
    _edit(directory / "exercises.yaml", lambda es: _entry(es, "toe_towel_scrunch").update(equipment=["towl"]))
    # Source: a link citing a source that does not exist.
    _edit(directory / "links.yaml", lambda es: es[0].update(source="seed_artcle"))
    # Review: an item without its contraindication review.
    _edit(directory / "advice.yaml", lambda es: es[0].pop("safety_review"))
    # Rule: a target no pattern binds.
    _edit(directory / "rules" / "triage.yaml", lambda es: es[0].update(target="nothing"))
    links = yaml.safe_load((directory / "links.yaml").read_text(encoding="utf-8"))
    advice = yaml.safe_load((directory / "advice.yaml").read_text(encoding="utf-8"))
    rules = yaml.safe_load((directory / "rules" / "triage.yaml").read_text(encoding="utf-8"))
    expected = [
        Case("copy", FindingCode.INVALID_FIELD, "exercises.yaml", "toe_press", "evidence", (), "moderate"),
        Case(
            "copy",
            FindingCode.DANGLING_REFERENCE,
            "exercises.yaml",
            "toe_towel_scrunch",
            "equipment",
            ("'towl'",),
            "towel",
        ),
        Case(
            "copy",
            FindingCode.DANGLING_REFERENCE,
            "links.yaml",
            links[0]["id"],
            "source",
            ("'seed_artcle'",),
            "seed_article",
        ),
        Case("copy", FindingCode.MISSING_SAFETY_REVIEW, "advice.yaml", advice[0]["id"], "safety_review"),
        Case("copy", FindingCode.INVALID_RULE, "rules/triage.yaml", rules[0]["id"], "target", ("'nothing'",)),
    ]

    findings = KnowledgeBase.check(directory)

    for case in expected:
        assert_reported(case, findings)
    # Nothing else: the links, alternatives and rules naming toe_press are not dangling.
    assert len(findings) == len(expected), "\n".join(map(str, findings))


# --- did you mean: fixed choices (Literal fields) ----------------------------------------------


def _shipped_entry(file: str, index: int = 0) -> dict[str, Any]:
    text = (shipped_knowledge_dir() / file).read_text(encoding="utf-8")
    entries: list[dict[str, Any]] = yaml.safe_load(text)
    return entries[index]


def _set(entry: dict[str, Any], field: str, value: object) -> dict[str, Any]:
    """A copy of ``entry`` with a dotted field (``works_on.0.evidence``) set to ``value``."""
    entry = copy.deepcopy(entry)
    *path, last = field.split(".")
    target: Any = entry
    for part in path:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[last] = value
    return entry


def _triage_refer_rule() -> int:
    entries = yaml.safe_load((shipped_knowledge_dir() / "rules" / "triage.yaml").read_text(encoding="utf-8"))
    return next(index for index, entry in enumerate(entries) if entry.get("level") == "urgent")


@pytest.mark.parametrize(
    ("file", "field", "typo", "meant"),
    [
        ("advice.yaml", "evidence", "moderat", "moderate"),
        ("exercises.yaml", "position", "sittng", "sitting"),
        ("exercises.yaml", "phase", "mian", "main"),
        ("exercises.yaml", "works_on.0.evidence", "lw", "low"),
        ("links.yaml", "relation", "targts", "targets"),
        ("sources.yaml", "kind", "gudeline", "guideline"),
        ("rules/triage.yaml", "level", "urgnt", "urgent"),
        ("rules/triage.yaml", "effect", "refr", "refer"),
        ("rules/triage.yaml", "when.all.0.fact", "symptm", "symptom"),
    ],
    ids=lambda value: str(value),
)
def test_a_misspelt_fixed_choice_says_did_you_mean(
    tmp_path: Path, file: str, field: str, typo: object, meant: str
) -> None:
    index = _triage_refer_rule() if file == "rules/triage.yaml" else 0
    entry = _shipped_entry(file, index)
    entry = _set(entry, field, typo)
    path = tmp_path / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump([entry], sort_keys=False), encoding="utf-8")

    [finding] = [f for f in KnowledgeBase.check(tmp_path, overlay=True) if f.file == file]

    assert (finding.entry, finding.field, finding.code) == (entry["id"], field, FindingCode.INVALID_FIELD)
    assert finding.suggestion == meant
    assert finding.message.endswith(f"Did you mean {meant!r}?"), finding.message
    assert repr(typo) in finding.message


def test_a_misspelt_fact_field_in_a_rule_says_did_you_mean(tmp_path: Path) -> None:
    entry = _set(
        _shipped_entry("rules/triage.yaml"), "when", {"all": [{"fact": "pain", "where": {"severty": 8}}]}
    )
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "triage.yaml").write_text(yaml.safe_dump([entry]), encoding="utf-8")
    [finding] = [f for f in KnowledgeBase.check(tmp_path, overlay=True) if f.file == "rules/triage.yaml"]
    assert (finding.field, finding.code, finding.suggestion) == (
        "when.0.where.severty",
        FindingCode.INVALID_RULE,
        "severity",
    )
    assert finding.message.endswith("Did you mean 'severity'?")


@pytest.mark.parametrize(
    ("file", "field", "typo", "meant"),
    [
        ("links.yaml", "from", "form", "from"),  # written by its alias
        ("exercises.yaml", "dosage.sets", "set", "sets"),  # in a nested model
        ("exercises.yaml", "works_on.0.factor", "facter", "factor"),  # in a list of models
        ("rules/triage.yaml", "when.all.0.is", "iss", "is"),
    ],
    ids=lambda value: str(value),
)
def test_a_misspelt_field_name_says_did_you_mean(
    tmp_path: Path, file: str, field: str, typo: str, meant: str
) -> None:
    entry = copy.deepcopy(_shipped_entry(file, _triage_refer_rule() if file == "rules/triage.yaml" else 0))
    *parent, name = field.split(".")
    holder: Any = entry
    for part in parent:
        holder = holder[int(part)] if isinstance(holder, list) else holder[part]
    holder[typo] = holder.pop(name)
    path = tmp_path / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump([entry], sort_keys=False), encoding="utf-8")

    findings = [f for f in KnowledgeBase.check(tmp_path, overlay=True) if f.file == file]

    [unknown] = [f for f in findings if f.code is FindingCode.UNKNOWN_FIELD]
    assert unknown.field == ".".join([*parent, typo])
    assert unknown.suggestion == meant
    assert unknown.message.endswith(f"Did you mean {meant!r}?")


def test_a_far_off_fixed_choice_lists_the_allowed_values_without_a_guess() -> None:
    [finding] = [f for f in overlay_findings("invalid_field") if f.entry == "broken_advice"]
    assert finding.suggestion is None
    assert "Did you mean" not in finding.message
    assert "'great'" in finding.message
    assert "'moderate'" in finding.message


# --- no noise: what cannot be known is not checked ---------------------------------------------


@pytest.mark.parametrize(
    ("file", "text", "code"),
    [
        ("sources.yaml", "- id: [\n", FindingCode.YAML_SYNTAX),
        ("factors.yaml", "id: not_a_list\n", FindingCode.INVALID_FIELD),
        ("exercises.yaml", "- {a: 1, a: 2}\n", FindingCode.DUPLICATE_KEY),
        ("vocabulary.yaml", "- not a mapping\n", FindingCode.INVALID_FIELD),
    ],
    ids=["sources", "factors", "exercises", "vocabulary"],
)
def test_an_unreadable_file_is_one_finding_not_one_per_reference_into_it(
    tmp_path: Path, file: str, text: str, code: FindingCode
) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_dir(), directory)
    (directory / file).write_text(text, encoding="utf-8")
    findings = KnowledgeBase.check(directory)
    assert [(f.file, f.code) for f in findings] == [(file, code)], "\n".join(map(str, findings))


def test_an_unreadable_overlay_file_leaves_references_into_it_unchecked(tmp_path: Path) -> None:
    (tmp_path / "factors.yaml").write_text("- name: [\n", encoding="utf-8")
    (tmp_path / "advice.yaml").write_text(
        (BROKEN / "dangling_reference" / "advice.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    findings = KnowledgeBase.check(tmp_path, overlay=True)
    # The overlay's factors may define `ankle_stifness`: nobody can tell, so it is not reported.
    assert ("factors.yaml", FindingCode.YAML_SYNTAX) in [(f.file, f.code) for f in findings]
    assert [f for f in findings if f.code is FindingCode.DANGLING_REFERENCE] == []


def test_a_vocabulary_list_that_is_not_a_list_names_the_list_and_is_not_checked(tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_dir(), directory)
    vocabulary = yaml.safe_load((directory / "vocabulary.yaml").read_text(encoding="utf-8"))
    vocabulary["equipment"] = "band, towel"
    (directory / "vocabulary.yaml").write_text(yaml.safe_dump(vocabulary), encoding="utf-8")
    findings = KnowledgeBase.check(directory)
    assert [(f.file, f.entry, f.code) for f in findings] == [
        ("vocabulary.yaml", "equipment", FindingCode.INVALID_FIELD)
    ]


def test_a_misspelt_vocabulary_list_still_defines_its_terms(tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_dir(), directory)
    vocabulary = yaml.safe_load((directory / "vocabulary.yaml").read_text(encoding="utf-8"))
    vocabulary["symtoms"] = vocabulary.pop("symptoms")
    (directory / "vocabulary.yaml").write_text(yaml.safe_dump(vocabulary), encoding="utf-8")
    findings = KnowledgeBase.check(directory)
    assert [(f.entry, f.code, f.suggestion) for f in findings] == [
        ("symptoms", FindingCode.MISSING_FIELD, None),
        ("symtoms", FindingCode.UNKNOWN_FIELD, "symptoms"),
    ]


def test_terms_of_a_misspelt_overlay_list_are_not_dangling_too(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.yaml").write_text(
        "symtoms:\n  - {id: broken_symptom, name: Broken}\n  - {id: tingling, name: Tingling}\n",
        encoding="utf-8",
    )
    rule = _set(_shipped_entry("rules/triage.yaml", _triage_refer_rule()), "when.all.0.is", "broken_symptom")
    rule["id"] = "broken.misspelt_list"  # a new rule: replacing a red flag's rule would unguard it
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "triage.yaml").write_text(yaml.safe_dump([rule]), encoding="utf-8")
    findings = KnowledgeBase.check(tmp_path, overlay=True)
    assert [(f.file, f.entry, f.code) for f in findings] == [
        ("vocabulary.yaml", "symtoms", FindingCode.UNKNOWN_FIELD)
    ]


def test_a_duplicate_id_counts_entries_that_failed_validation(tmp_path: Path) -> None:
    (tmp_path / "factors.yaml").write_text(
        "- {id: broken_factor, name: Broken, description: A factor., source: seed_article}\n"
        "- {id: broken_factor, name: Broken again, source: seed_article}\n",
        encoding="utf-8",
    )
    findings = [f for f in KnowledgeBase.check(tmp_path, overlay=True) if f.file == "factors.yaml"]
    assert sorted((f.field, f.code) for f in findings) == [
        ("description", FindingCode.MISSING_FIELD),
        ("id", FindingCode.DUPLICATE_ID),
    ]


# --- never a crash ----------------------------------------------------------------------------

_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
_LIST_FILES = [f"{name}.yaml" for name in LIST_FILES]


@settings(max_examples=40, deadline=None)
@given(
    file=st.sampled_from(_LIST_FILES),
    field=st.sampled_from(["id", "source", "name", "works_on", "when", "equipment", "from", "kind", "new"]),
    junk=_JUNK,
)
def test_any_junk_in_an_entry_is_findings_never_an_exception(file: str, field: str, junk: object) -> None:
    entry = {**_shipped_entry(file), field: junk}
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / file).write_text(yaml.safe_dump([entry]), encoding="utf-8")
        findings = KnowledgeBase.check(directory, overlay=True)
    assert findings == sorted(findings)
    assert all(isinstance(finding.code, FindingCode) for finding in findings)


@settings(max_examples=30, deadline=None)
@given(file=st.sampled_from([*_LIST_FILES, "vocabulary.yaml", "rules/junk.yaml"]), junk=_JUNK)
def test_any_junk_as_a_whole_file_is_findings_never_an_exception(file: str, junk: object) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(junk), encoding="utf-8")
        findings = KnowledgeBase.check(directory, overlay=True)
    assert findings == sorted(findings)
    assert {finding.file for finding in findings} <= {file}


# --- findings and errors as data ---------------------------------------------------------------


def test_a_finding_without_a_suggestion_reads_as_before() -> None:
    finding = Finding("factors.yaml", "x", "name", FindingCode.MISSING_FIELD, "required field is missing")
    assert finding.suggestion is None
    assert str(finding) == "factors.yaml, entry 'x', field 'name': required field is missing [missing_field]"
    with_hint = Finding("a.yaml", "x", "f", FindingCode.DANGLING_REFERENCE, "'y' is not defined.", "z")
    assert with_hint.suggestion == "z"
    assert str(with_hint) == "a.yaml, entry 'x', field 'f': 'y' is not defined. [dangling_reference]"


def test_knowledge_error_counts_findings_by_code() -> None:
    findings = [
        Finding("b.yaml", "", "", FindingCode.YAML_SYNTAX, "bad"),
        Finding("a.yaml", "x", "f", FindingCode.DANGLING_REFERENCE, "'y' is not defined."),
        Finding("a.yaml", "z", "f", FindingCode.DANGLING_REFERENCE, "'y' is not defined."),
    ]
    error = KnowledgeError(findings)
    assert error.counts == {FindingCode.YAML_SYNTAX: 1, FindingCode.DANGLING_REFERENCE: 2}
    assert list(error.counts) == [FindingCode.YAML_SYNTAX, FindingCode.DANGLING_REFERENCE]
    assert error.findings == sorted(findings)


# --- a whole (non-overlay) directory -----------------------------------------------------------


def test_empty_directory_reports_every_missing_file(tmp_path: Path) -> None:
    findings = KnowledgeBase.check(tmp_path)
    expected = {f"{name}.yaml" for name in [*LIST_FILES, VOCABULARY, WORDING]}
    missing = {finding.file for finding in findings if finding.code is FindingCode.MISSING_FILE}
    assert missing == expected
    for finding in findings:
        if finding.code is FindingCode.MISSING_FILE:
            assert finding.file in str(finding)
            assert str(tmp_path) in finding.message
    with pytest.raises(KnowledgeError) as info:
        KnowledgeBase.load(tmp_path)
    for name in expected:
        assert name in str(info.value)


def test_empty_directory_is_a_valid_overlay(tmp_path: Path) -> None:
    # Missing files are fine in an overlay: an empty one checks exactly like the shipped knowledge.
    assert KnowledgeBase.check(tmp_path, overlay=True) == KnowledgeBase.check()


def test_a_missing_directory_is_one_finding(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    for overlay in (False, True):
        findings = KnowledgeBase.check(missing, overlay=overlay)
        assert [(f.file, f.code) for f in findings] == [(str(missing), FindingCode.MISSING_FILE)]


def test_a_full_broken_directory_reports_problems_without_the_shipped_knowledge(tmp_path: Path) -> None:
    # Without overlay, a fixture is a whole (incomplete) directory: its own problem and the
    # missing files are reported together.
    directory = _combine(tmp_path, "missing_field")
    findings = KnowledgeBase.check(directory)
    assert_reported(CASES_BY_NAME["missing_field"], findings)
    assert {f.file for f in findings if f.code is FindingCode.MISSING_FILE} == {
        f"{name}.yaml" for name in [*LIST_FILES, VOCABULARY, WORDING] if name != "factors"
    }
