"""footmap.testing: strict scenario files, the runner, ``footmap knowledge test`` and the pytest plugin."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import footmap
from footmap import FindingCode, testing
from footmap._cli import main
from footmap.testing import ScenarioError

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "tests" / "scenarios"
DOCS = REPO / "docs" / "knowledge.md"

#: A case that passes on the shipped knowledge: knee pain alone.
KNEE = """\
- name: Knee pain alone is for self-care, with ankle circles first
  source: footmap_policy
  profile:
    pains: [{area: knee, severity: 4}]
  expect:
    triage: self_care
    first: ankle_circles
"""


def problems_of(text: str, knowledge: footmap.KnowledgeBase | None = None) -> list[testing.ScenarioProblem]:
    with pytest.raises(ScenarioError) as info:
        testing.parse_scenarios(textwrap.dedent(text), "cases.yaml", knowledge)
    return info.value.problems


def only_problem(text: str) -> testing.ScenarioProblem:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


# --- strict loading ----------------------------------------------------------------------------


def test_the_shipped_scenarios_load_strictly(kb: footmap.KnowledgeBase) -> None:
    loaded = [testing.load_scenarios(path, kb) for path in sorted(SCENARIOS.glob("*.yaml"))]
    assert sum(map(len, loaded)) == 75


def test_a_case_knows_its_file_and_lines() -> None:
    (scenario,) = testing.parse_scenarios("# a comment\n" + KNEE, "cases.yaml")
    assert (scenario.file, scenario.line) == ("cases.yaml", 2)
    assert scenario.line_of("expect", "first") == 8
    assert scenario.line_of("expect", "nowhere") == 7  # the nearest node that exists: expect's


def test_an_unknown_key_names_the_nearest_one() -> None:
    missing, unknown = problems_of(KNEE.replace("  expect:", "  expcet:"))
    assert (unknown.line, unknown.field, unknown.code) == (5, "expcet", FindingCode.UNKNOWN_FIELD)
    assert "unknown key 'expcet'. Did you mean 'expect'?" in unknown.message
    assert (missing.line, missing.field, missing.code) == (1, "expect", FindingCode.MISSING_FIELD)


def test_an_unknown_expectation_names_the_nearest_one() -> None:
    problem = only_problem(KNEE + "    inclde: [ankle_circles]\n")
    assert (problem.line, problem.field, problem.code) == (8, "expect.inclde", FindingCode.UNKNOWN_FIELD)
    assert "unknown key 'inclde'. Did you mean 'include'?" in problem.message


def test_an_unknown_item_under_exclude_fails_with_its_line_and_the_nearest_item() -> None:
    problem = only_problem(KNEE + "    exclude:\n      - reflex_knee\n      - toe_pres\n")
    assert (problem.line, problem.field) == (10, "expect.exclude[1]")
    assert problem.code == FindingCode.DANGLING_REFERENCE
    assert problem.message == "Unknown item 'toe_pres' in the knowledge. Did you mean 'toe_press'?"
    assert str(problem).startswith(
        "cases.yaml:10, case 'Knee pain alone is for self-care, with ankle circles first', expect.exclude[1]:"
    )


@pytest.mark.parametrize("key", ["include", "excluded", "cautioned", "adjusted"])
def test_every_item_expectation_checks_its_ids(key: str) -> None:
    problem = only_problem(KNEE + f"    {key}: [toe_pres]\n")
    assert (problem.line, problem.field) == (8, f"expect.{key}[0]")
    assert "Did you mean 'toe_press'?" in problem.message


def test_an_unknown_rule_id_names_the_nearest_rule() -> None:
    problem = only_problem(KNEE + "    safety_rules: [caution.knee_pain.may_rse]\n")
    assert (problem.line, problem.field) == (8, "expect.safety_rules[0]")
    assert "Unknown rule 'caution.knee_pain.may_rse'" in problem.message
    assert "Did you mean 'caution.knee_pain.may_rise'?" in problem.message


def test_an_item_precaution_is_a_rule_id(kb: footmap.KnowledgeBase) -> None:
    ident, item = next((ident, item) for ident, item in sorted(kb.items.items()) if item.precautions)
    rule = f"precaution.{ident}.{item.precautions[0].id}"
    (scenario,) = testing.parse_scenarios(KNEE + f"    safety_rules: [{rule}]\n")
    assert scenario.expect.safety_rules == [rule]


def test_an_unknown_source_names_the_nearest_one() -> None:
    problem = only_problem(KNEE.replace("footmap_policy", "footmap_polcy"))
    assert (problem.line, problem.field, problem.code) == (2, "source", FindingCode.DANGLING_REFERENCE)
    assert "Did you mean 'footmap_policy'?" in problem.message


@pytest.mark.parametrize(
    ("profile", "line", "field", "says"),
    [
        ("{pains: [{area: kne, severity: 4}]}", 3, "profile.pains[0].area", "Did you mean 'knee'?"),
        ("{pains: [{area: knee, severity: 11}]}", 3, "profile.pains[0].severity", "less than or equal to 10"),
        ("{symptoms: [tinglng]}", 3, "profile.symptoms[0]", "Did you mean 'tingling'?"),
        ("{symtoms: [tingling]}", 3, "profile.symtoms", "Did you mean 'symptoms'?"),
    ],
    ids=["unknown_area", "severity_out_of_range", "unknown_symptom", "unknown_field"],
)
def test_a_bad_profile_fails_with_its_line(profile: str, line: int, field: str, says: str) -> None:
    text = KNEE.replace("  profile:\n    pains: [{area: knee, severity: 4}]\n", f"  profile: {profile}\n")
    problem = only_problem(text)
    assert (problem.line, problem.field) == (line, field)
    assert says in problem.message


def test_the_profile_is_validated_against_the_knowledge_in_use(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.yaml").write_text("symptoms:\n  - {id: heel_ache, name: Heel ache}\n", "utf-8")
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    text = KNEE.replace("    pains: [{area: knee, severity: 4}]\n", "    symptoms: [heel_ache]\n")
    text = text.replace("    first: ankle_circles\n", "")
    (scenario,) = testing.parse_scenarios(text, knowledge=kb)
    assert scenario.profile.symptoms == ["heel_ache"]
    assert "Unknown symptom 'heel_ache'" in only_problem(text).message


@pytest.mark.parametrize(
    ("text", "line", "code", "says"),
    [
        (KNEE.replace("triage: self_care", "triage: [self_care"), 7, FindingCode.YAML_SYNTAX, "expected"),
        (KNEE + "    first: reflex_knee\n", 8, FindingCode.DUPLICATE_KEY, "duplicate key 'first'"),
        ("name: not a list\n", 1, FindingCode.INVALID_FIELD, "a non-empty list of cases"),
        ("", 1, FindingCode.INVALID_FIELD, "a non-empty list of cases"),
        ("- just a sentence\n", 1, FindingCode.INVALID_FIELD, "a mapping with the keys"),
        (
            KNEE.split("  expect:")[0] + "  expect: {}\n",
            5,
            FindingCode.INVALID_FIELD,
            "must expect something",
        ),
        (KNEE.replace("self_care", "self_cre"), 6, FindingCode.INVALID_FIELD, "Did you mean 'self_care'?"),
        (KNEE.replace("  source: footmap_policy\n", ""), 1, FindingCode.MISSING_FIELD, "'source' is missing"),
        (KNEE + KNEE, 8, FindingCode.DUPLICATE_ID, "another case (line 1) has this name"),
        (KNEE + "    routine_empty: 'no'\n", 8, FindingCode.INVALID_FIELD, "valid boolean"),
    ],
    ids=[
        "yaml_syntax",
        "duplicate_key",
        "not_a_list",
        "empty",
        "case_not_a_mapping",
        "no_expectation",
        "unknown_triage",
        "missing_source",
        "duplicate_name",
        "string_for_a_boolean",
    ],
)
def test_a_malformed_file_fails_with_its_line(text: str, line: int, code: FindingCode, says: str) -> None:
    problem = only_problem(text)
    assert (problem.line, problem.code) == (line, code)
    assert says in problem.message


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    text = """\
        - name: First case
          source: footmap_polcy
          profile: {pains: [{area: kne, severity: 4}]}
          expect:
            exclude: [toe_pres]
            safety_rules: [triage.diabetic_foot.wund]
            first: reflex_knee
            first: ankle_circles
        - name: Second case
          profile: {}
          expect: {triage: urgent, colour: red}
        """
    problems = problems_of(text)
    assert [(problem.line, problem.code) for problem in problems] == [
        (2, FindingCode.DANGLING_REFERENCE),
        (3, FindingCode.INVALID_FIELD),
        (5, FindingCode.DANGLING_REFERENCE),
        (6, FindingCode.DANGLING_REFERENCE),
        (8, FindingCode.DUPLICATE_KEY),
        (9, FindingCode.MISSING_FIELD),
        (11, FindingCode.UNKNOWN_FIELD),
    ]
    message = str(ScenarioError(problems))
    assert message.startswith("7 problems in the scenarios:\n  - cases.yaml:2, case 'First case', source:")


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"cannot read.*\[missing_file\]"):
        testing.load_scenarios(tmp_path / "missing.yaml")
    with pytest.raises(ScenarioError, match=r"no \*\.yaml files here"):
        testing.scenario_files([tmp_path])


def test_the_docs_describe_every_expectation() -> None:
    section = DOCS.read_text(encoding="utf-8").split("## Testing your knowledge with scenarios")[1]
    for key in testing.Expectations.model_fields:
        assert f"`{key}`" in section, key


# --- running -----------------------------------------------------------------------------------


def test_the_shipped_scenarios_pass() -> None:
    results = testing.run_files([SCENARIOS])
    assert len(results) == 75
    assert [result.report() for result in results if not result.passed] == []


@pytest.mark.parametrize(
    ("expectation", "expected", "actual"),
    [
        ("triage: urgent", "'urgent'", "'self_care'"),
        ("include: [toe_press]", "'toe_press' in the plan", "'toe_press' is not in the plan (items: ankle"),
        ("include: [heel_tendon_stretch]", "in the plan", "'heel_tendon_stretch' is excluded: Needs"),
        ("exclude: [ankle_circles]", "'ankle_circles' not in the plan", "'ankle_circles' is in the plan"),
        ("excluded: [ankle_circles]", "listed as excluded", "is in the plan (excluded: heel_tendon_stretch)"),
        ("first: toe_press", "'toe_press' first in the routine", "'ankle_circles' first"),
        ("routine_empty: true", "an empty routine", "routine: ankle_circles"),
        ("safety_rules: [triage.diabetic_foot.wound]", "from 'triage.diabetic_foot.wound'", "messages from"),
        ("max_minutes: 2", "at most 2 minutes a day", "5.5 minutes a day"),
        ("cautioned: [ankle_circles]", "with a caution", "'ankle_circles' is in the plan without a caution"),
        ("adjusted: [toe_press]", "with an adjusted dosage", "'toe_press' is not in the plan"),
        ("all_gentle: true", "only gentle items", "not gentle: ankle_circles"),
    ],
    ids=[
        "triage",
        "include",
        "include_an_excluded_item",
        "exclude",
        "excluded",
        "first",
        "routine_empty",
        "safety_rules",
        "max_minutes",
        "cautioned",
        "adjusted",
        "all_gentle",
    ],
)
def test_a_failed_expectation_says_what_was_expected_and_what_came(
    expectation: str, expected: str, actual: str
) -> None:
    text = KNEE.replace("    triage: self_care\n    first: ankle_circles\n", f"    {expectation}\n")
    (scenario,) = testing.parse_scenarios(text, "cases.yaml")
    (failure,) = testing.run_scenario(scenario)
    key = expectation.split(":")[0]
    assert (failure.file, failure.line, failure.case) == ("cases.yaml", 6, scenario.name)
    assert failure.expectation in {key, f"{key}[0]"}
    assert expected in failure.expected
    assert failure.actual.startswith(actual) or actual in failure.actual, failure.actual
    assert str(failure).startswith(f"cases.yaml:6: {scenario.name}: {failure.expectation}: expected ")


def test_a_failure_report_shows_the_case_each_failure_and_the_plan(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(KNEE.replace("first: ankle_circles", "first: toe_press"), encoding="utf-8")
    (result,) = testing.run_files([path])
    assert not result.passed
    assert result.report().splitlines()[:4] == [
        f"FAIL {result.scenario.name} ({path}:1)",
        f"  first ({path}:7)",
        "    expected: 'toe_press' first in the routine",
        "    actual:   'ankle_circles' first (routine: ankle_circles)",
    ]
    assert f"  the plan:\n    {result.plan.explain().splitlines()[0]}" in result.report()


# --- footmap knowledge test --------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_knowledge_test_of_passing_scenarios_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "knowledge", "test", SCENARIOS)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert all(line.startswith("PASS ") for line in lines[:-1])
    assert lines[-1] == "75 scenarios: 75 passed, 0 failed"


def test_knowledge_test_of_a_failing_scenario_exits_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    failing = KNEE.replace("Knee pain alone", "Knee pain").replace("triage: self_care", "triage: urgent")
    path = write(tmp_path, "cases.yaml", KNEE + failing)
    code, out, err = run(capsys, "knowledge", "test", path)
    assert (code, err) == (3, "")
    assert out.startswith("PASS Knee pain alone is for self-care, with ankle circles first\n")
    assert (
        f"FAIL Knee pain is for self-care, with ankle circles first ({path}:8)\n  triage ({path}:13)\n" in out
    )
    assert "    expected: 'urgent'\n    actual:   'self_care'\n" in out
    assert out.endswith("2 scenarios: 1 passed, 1 failed\n")


def test_knowledge_test_of_invalid_scenario_files_exits_2_with_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path, "a.yaml", KNEE.replace("footmap_policy", "footmap_polcy"))
    write(tmp_path, "b.yaml", KNEE + "    exclude: [toe_pres]\n")
    code, out, err = run(capsys, "knowledge", "test", tmp_path)
    assert (code, out) == (2, "")
    assert err.startswith("footmap: 2 problems in the scenarios:\n")
    assert f"{tmp_path / 'a.yaml'}:2, case" in err
    assert f"{tmp_path / 'b.yaml'}:8, case" in err
    assert "Did you mean 'toe_press'?" in err


@pytest.mark.parametrize("argv", [["knowledge", "test"], ["knowledge", "test", "--bogus", "x.yaml"]])
def test_knowledge_test_with_invalid_arguments_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_knowledge_test_of_a_missing_path_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "knowledge", "test", tmp_path / "nowhere.yaml")
    assert code == 2
    assert "no such file or directory [missing_file]" in err


def test_knowledge_test_with_broken_knowledge_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    broken = REPO / "tests" / "fixtures" / "broken" / "dangling_link"
    code, out, err = run(capsys, "knowledge", "test", SCENARIOS, "--knowledge", broken, "--overlay")
    assert (code, out) == (1, "")
    assert "in the knowledge:" in err


# --- a clinic's own knowledge and scenarios ----------------------------------------------------

HEEL_ACHE_CASES = """\
- name: Heel ache gets ankle circles, as our protocol says
  source: clinic_protocol
  profile:
    symptoms: [heel_ache]
  expect:
    triage: self_care
    include: [ankle_circles]
"""


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    """An overlay that adds a symptom, the clinic's source, and a link from the symptom."""
    overlay = tmp_path / "clinic_knowledge"
    write(overlay, "vocabulary.yaml", "symptoms:\n  - {id: heel_ache, name: Heel ache}\n")
    write(
        overlay,
        "sources.yaml",
        "- id: clinic_protocol\n  citation: Our clinic's protocol for heel ache, 2024.\n  kind: policy\n",
    )
    write(
        overlay,
        "links.yaml",
        """\
        - id: heel_ache.ankle_stiffness
          from: "symptom:heel_ache"
          to: "factor:ankle_stiffness"
          relation: associated_with
          reason: In our clinic heel ache usually comes with stiff ankles.
          evidence: none
          source: clinic_protocol
        """,
    )
    write(tmp_path / "scenarios", "heel.yaml", HEEL_ACHE_CASES)
    return tmp_path


def test_a_clinic_tests_its_own_overlay_with_its_own_scenarios(
    capsys: pytest.CaptureFixture[str], clinic: Path
) -> None:
    scenarios = clinic / "scenarios"
    code, out, _ = run(
        capsys, "knowledge", "test", scenarios, "--knowledge", clinic / "clinic_knowledge", "--overlay"
    )
    assert code == 0, out
    assert out == "PASS Heel ache gets ankle circles, as our protocol says\n1 scenario: 1 passed, 0 failed\n"
    # The shipped knowledge has neither the symptom nor the source: the file is invalid there.
    code, _, err = run(capsys, "knowledge", "test", scenarios)
    assert code == 2
    assert "Unknown source 'clinic_protocol'" in err
    assert "Unknown symptom 'heel_ache'" in err


def test_run_files_on_a_clinic_overlay(clinic: Path) -> None:
    kb = footmap.KnowledgeBase.load(clinic / "clinic_knowledge", overlay=True)
    (result,) = testing.run_files([clinic / "scenarios" / "heel.yaml"], knowledge=kb)
    assert result.passed
    assert "ankle_circles" in {item.id for item in result.plan.items}


# --- the pytest plugin -------------------------------------------------------------------------

FAILING = """\
- name: Knee pain alone is for self-care
  source: footmap_policy
  profile: {pains: [{area: knee, severity: 4}]}
  expect: {triage: self_care}

- name: Knee pain alone is an emergency
  source: footmap_policy
  profile: {pains: [{area: knee, severity: 4}]}
  expect:
    triage: urgent
"""


def test_the_plugin_runs_each_case_as_one_test_and_reports_a_failure_as_data(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest('pytest_plugins = ["footmap.testing"]')
    write(pytester.path / "scenarios", "knee.yaml", FAILING)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ scenario: Knee pain alone is an emergency _*",
            "FAIL Knee pain alone is an emergency (scenarios/knee.yaml:6)",
            "  triage (scenarios/knee.yaml:10)",
            "    expected: 'urgent'",
            "    actual:   'self_care'",
            "  the plan:",
            "    Triage: self_care.*",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "def runtest" not in result.stdout.str()


def test_the_plugin_gives_the_file_and_line_of_each_case(pytester: pytest.Pytester) -> None:
    write(pytester.path / "scenarios", "knee.yaml", FAILING)
    reports = pytester.inline_run("-p", "footmap.testing", "-p", "no:cacheprovider")
    (failed,) = reports.getfailures()
    assert failed.location == ("scenarios/knee.yaml", 5, "scenario: Knee pain alone is an emergency")


def test_the_plugin_reports_an_invalid_file_as_a_collection_error(pytester: pytest.Pytester) -> None:
    write(pytester.path / "scenarios", "knee.yaml", KNEE + "    exclude: [toe_pres]\n")
    result = pytester.runpytest("-p", "footmap.testing", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*scenarios/knee.yaml:8, case *, expect.exclude[[]0[]]: Unknown item 'toe_pres'*'toe_press'?*"]
    )
    assert "Traceback" not in result.stdout.str()


def test_the_plugin_runs_on_the_knowledge_given(pytester: pytest.Pytester, clinic: Path) -> None:
    write(pytester.path / "scenarios", "heel.yaml", HEEL_ACHE_CASES)
    options = ["-p", "footmap.testing", "-p", "no:cacheprovider"]
    pytester.runpytest(*options).assert_outcomes(errors=1)  # the shipped knowledge lacks heel_ache
    overlay = ["--footmap-knowledge", str(clinic / "clinic_knowledge"), "--footmap-overlay"]
    pytester.runpytest(*options, *overlay).assert_outcomes(passed=1)
    addopts = " ".join([*options, *overlay])
    pytester.makepyprojecttoml(f'[tool.pytest.ini_options]\naddopts = "{addopts}"\n')
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_plugin_collects_the_files_the_ini_option_names(pytester: pytest.Pytester) -> None:
    write(pytester.path / "cases", "knee.yaml", FAILING)
    write(pytester.path / "scenarios", "other.yaml", "not: a scenario file\n")
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\nfootmap_scenarios = ["cases/*.yaml"]\n')
    result = pytester.runpytest("-p", "footmap.testing", "-p", "no:cacheprovider", "-k", "self")
    result.assert_outcomes(passed=1, deselected=1)
