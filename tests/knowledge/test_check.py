"""``KnowledgeBase.check``: every kind of finding, from one tiny broken fixture per kind.

Each directory under ``tests/fixtures/broken/`` holds one YAML file that is laid over the shipped
knowledge (``overlay=True``) and breaks it in exactly one way; its first line says how.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from footmap import Finding, FindingCode, KnowledgeBase, KnowledgeError
from footmap._knowledge import base
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
    Case("unknown_field", FindingCode.UNKNOWN_FIELD, "advice.yaml", "broken_advice", "sumary"),
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
    ),
    Case(
        "dangling_link",
        FindingCode.DANGLING_REFERENCE,
        "links.yaml",
        "broken.link",
        "to",
        ("'exercise:toe_pres'",),
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
]
CASES_BY_NAME = {case.name: case for case in CASES}


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
        patch.setattr(base, "load_raw", load_raw_once)
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
    assert fixtures == sorted(CASES_BY_NAME)
    for name in fixtures:
        files = sorted(path for path in (BROKEN / name).rglob("*") if path.is_file())
        assert len(files) == 1, f"{name}: {files}"
        assert files[0].suffix == ".yaml"
        first_line = files[0].read_text(encoding="utf-8").splitlines()[0]
        assert first_line.startswith("# Broken: "), f"{name}: first line {first_line!r}"


def test_every_code_possible_in_overlay_mode_has_a_fixture() -> None:
    assert {case.code for case in CASES} == set(FindingCode) - {FindingCode.MISSING_FILE}


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
