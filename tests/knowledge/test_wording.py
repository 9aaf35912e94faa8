"""wording.yaml: every fixed word is data, validated like the rest of the knowledge."""

from __future__ import annotations

from pathlib import Path

import footmap
from footmap import FindingCode


def _overlay(tmp_path: Path, text: str) -> list[footmap.Finding]:
    (tmp_path / "wording.yaml").write_text(text, encoding="utf-8")
    return footmap.KnowledgeBase.check(tmp_path, overlay=True)


def test_an_unknown_placeholder_is_named_with_the_nearest(tmp_path: Path) -> None:
    findings = _overlay(tmp_path, 'markdown:\n  time: "About {minuts} of {budget} minutes."\n')
    (finding,) = findings
    assert (finding.file, finding.entry, finding.field) == ("wording.yaml", "markdown", "time")
    assert finding.code is FindingCode.INVALID_FIELD
    assert "unknown placeholder {minuts}. Did you mean 'minutes'?" in finding.message


def test_an_unknown_text_and_a_broken_template_are_reported_together(tmp_path: Path) -> None:
    findings = _overlay(tmp_path, 'markdown:\n  titel: Plan\n  why: "Why {summary"\n')
    assert {(f.entry, f.field, f.code) for f in findings} == {
        ("markdown", "titel", FindingCode.UNKNOWN_FIELD),
        ("markdown", "why", FindingCode.INVALID_FIELD),
    }


def test_a_whole_directory_needs_its_wording(tmp_path: Path) -> None:
    findings = footmap.KnowledgeBase.check(tmp_path)
    assert any(f.file == "wording.yaml" and f.code is FindingCode.MISSING_FILE for f in findings)


def test_the_plan_speaks_the_wording_of_its_knowledge(tmp_path: Path) -> None:
    (tmp_path / "wording.yaml").write_text("disclaimer: Ceci n'est pas un avis médical.\n", encoding="utf-8")
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    plan = footmap.recommend({"pains": [{"area": "knee", "severity": 3}]}, knowledge=kb)
    assert plan.disclaimer == "Ceci n'est pas un avis médical."
    assert plan.knowledge != footmap.recommend({}).knowledge  # the fingerprint covers the wording
