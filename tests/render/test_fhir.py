"""The FHIR CarePlan (``Plan.to_fhir``): valid R4 (fhir.resources' R4B models), one activity per
routine item, SNOMED CT codes only where the knowledge has verified them, and a clear error when
the extra is not installed."""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import footmap
from footmap import render

careplan = pytest.importorskip(
    "fhir.resources.R4B.careplan", reason="the fhir extra is not installed: pip install -e '.[fhir]'"
)

BACK = {
    "pains": [{"area": "back", "severity": 6, "weeks": 3}],
    "symptoms": ["stiffness"],
    "equipment": ["towel", "tennis_ball", "chair", "wall"],
}
KNEE = {"pains": [{"area": "knee", "severity": 4}], "equipment": ["band", "chair", "towel", "wall"]}


def test_the_care_plan_is_valid_r4_for_its_subject() -> None:
    plan = footmap.recommend(BACK)
    resource = plan.to_fhir(subject="Patient/1")
    model = careplan.CarePlan.model_validate(resource)
    assert (model.status, model.intent, model.subject.reference) == ("active", "proposal", "Patient/1")
    text = render.render(plan, "fhir", subject="Patient/1")
    assert json.loads(text) == resource
    assert careplan.CarePlan.model_validate_json(text).title == "Your foot plan"


def test_one_activity_per_routine_item_with_its_dose_timing_and_reasons() -> None:
    plan = footmap.recommend(KNEE, weeks=6)
    activities = plan.to_fhir(subject="Patient/1")["activity"]
    assert [a["detail"]["code"]["text"] for a in activities] == [item.name for item in plan.routine]
    for item, activity, scheduled in zip(plan.routine, activities, plan.schedule.items, strict=True):
        detail = activity["detail"]
        assert item.dosage is not None and detail["description"].startswith(item.dosage.words)
        for step in scheduled.steps[1:]:
            assert f"From week {step.week}: " in detail["description"]
        repeat = detail["scheduledTiming"]["repeat"]
        assert repeat["frequency"] == scheduled.steps[0].times_per_day
        assert repeat["dayOfWeek"] == [
            ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][d - 1] for d in scheduled.days
        ]
        assert repeat["boundsDuration"]["value"] == 6
        assert [r["text"] for r in detail["reasonCode"]] == list(dict.fromkeys(w.summary for w in item.why))
        assert {r["reference"] for r in detail["reasonReference"]} <= {"#pain-knee"}


def test_the_conditions_are_the_persons_reports_coded_only_from_verified_sources(
    kb: footmap.KnowledgeBase,
) -> None:
    resource = footmap.recommend(BACK).to_fhir(subject="Patient/1")
    assert {c["id"] for c in resource["contained"]} == {"pain-back", "symptom-stiffness"}
    assert [a["reference"] for a in resource["addresses"]] == [f"#{c['id']}" for c in resource["contained"]]
    codes = {c["id"]: c["code"] for c in resource["contained"]}
    stiffness = next(t for t in kb.knowledge.vocabulary.symptoms if t.id == "stiffness")
    assert not kb.sources[str(stiffness.snomed_source)].verified  # not yet checked against a release
    assert codes["symptom-stiffness"] == {"text": "Joint stiffness"}
    assert kb.sources["snomed_ips_free_set_2022"].verified
    assert codes["pain-back"] == {
        "text": "Back pain",
        "coding": [{"system": "http://snomed.info/sct", "code": "161891005", "display": "Backache"}],
    }


def test_every_code_of_a_verified_source_carries_the_concepts_own_term(kb: footmap.KnowledgeBase) -> None:
    vocabulary = kb.knowledge.vocabulary
    terms = [t for field in type(vocabulary).model_fields for t in getattr(vocabulary, field)]
    coded = [t for t in terms if t.snomed is not None]
    assert coded and all(t.snomed_source is not None and t.snomed_display for t in coded)
    assert all(t.snomed.isdigit() and 6 <= len(t.snomed) <= 18 for t in coded if t.snomed)


def test_a_verified_code_source_codes_its_terms(tmp_path: Path) -> None:
    shipped = footmap.KnowledgeBase.load()
    sources = [s.model_dump(exclude_none=True) for s in shipped.knowledge.sources]
    for source in sources:
        if source["id"] == "snomed_codes":
            source.update(verified=True)
            source.pop("verification", None)
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    resource = footmap.recommend(BACK, knowledge=kb).to_fhir(subject="Patient/1")
    codes = {c["id"]: c["code"].get("coding") for c in resource["contained"]}
    assert codes["symptom-stiffness"] == [
        {"system": "http://snomed.info/sct", "code": "84445001", "display": "Joint stiffness"}
    ]
    careplan.CarePlan.model_validate(resource)


def test_an_urgent_plan_has_no_activity_and_says_what_to_do_now() -> None:
    plan = footmap.recommend({"pains": [{"area": "back", "severity": 8}], "symptoms": ["saddle_numbness"]})
    resource = plan.to_fhir(subject="Patient/1")
    assert "activity" not in resource
    assert resource["note"][0]["text"] == next(m.message for m in plan.safety if m.level == "critical")
    careplan.CarePlan.model_validate(resource)


@pytest.mark.parametrize(
    "subject",
    [
        "Patient/1",
        "Group/g-1.2",
        "urn:uuid:6f1c0e8e-3f53-4d0c-9a77-2b0c1b4e5f60",
        "https://ehr.example/fhir/Patient/123",
    ],
)
def test_subjects_that_reference_a_patient_or_group(subject: str) -> None:
    assert footmap.recommend(KNEE).to_fhir(subject=subject)["subject"] == {"reference": subject}


@pytest.mark.parametrize("subject", ["bob", "Practitioner/1", "Patient/", "Patient/a b", ""])
def test_other_subjects_are_refused(subject: str) -> None:
    with pytest.raises(ValueError, match="subject must reference a Patient or a Group"):
        footmap.recommend(KNEE).to_fhir(subject=subject)


def test_the_renderer_needs_a_subject() -> None:
    with pytest.raises(ValueError, match="needs a subject"):
        render.render(footmap.recommend(KNEE), "fhir")


def test_without_the_extra_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def blocked(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("fhir.resources"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", blocked)
    plan = footmap.recommend(KNEE)
    with pytest.raises(footmap.MissingDependencyError, match=r"pip install 'footmap\[fhir\]'") as caught:
        plan.to_fhir(subject="Patient/1")
    assert isinstance(caught.value, ImportError) and caught.value.package == "fhir.resources"
    assert str(caught.value) == (
        "the FHIR CarePlan (fhir renderer) needs fhir.resources, which is not installed:"
        " pip install 'footmap[fhir]'"
    )


PROFILE = str(Path(__file__).resolve().parents[2] / "examples" / "profiles" / "back_pain.yaml")


def test_the_cli_writes_the_care_plan_for_a_subject(capsys: pytest.CaptureFixture[str]) -> None:
    from footmap._cli import main

    assert main(["recommend", PROFILE, "--format", "fhir", "--subject", "Patient/7"]) == 0
    assert careplan.CarePlan.model_validate_json(capsys.readouterr().out).subject.reference == "Patient/7"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "--format fhir needs --subject, a FHIR reference such as Patient/123"),
        (["--subject", "bob"], "subject must reference a Patient or a Group"),
        (["--subject", "Patient/1", "--start", "2025-01-06"], "--start does not apply to --format fhir"),
    ],
)
def test_the_cli_refuses_a_missing_or_bad_subject_in_one_line(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from footmap._cli import main

    assert main(["recommend", PROFILE, "--format", "fhir", *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"footmap: {message}") and err.count("\n") == 1


def test_the_cli_exits_6_naming_the_extra_when_it_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from footmap._cli import main

    real_import = builtins.__import__

    def blocked(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("fhir.resources"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", blocked)
    assert main(["recommend", PROFILE, "--format", "fhir", "--subject", "Patient/1"]) == 6
    assert capsys.readouterr().err.endswith("pip install 'footmap[fhir]'\n")
