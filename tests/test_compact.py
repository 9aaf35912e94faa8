"""Compact plans: the same plan, byte for byte, from a quarter of its JSON and its catalog."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import footmap
from footmap import _compact
from footmap._cli import main
from footmap._knowledge.base import shipped_knowledge, shipped_knowledge_dir
from tests.strategies import costly, profile_dicts, session_logs

KNEE = {"pains": [{"area": "knee", "severity": 4}], "observations": ["flat_arches"], "age": 70}
PROFILES: list[dict[str, Any]] = [
    KNEE,
    {"pains": [{"area": "back", "severity": 6}], "equipment": ["towel", "chair"]},
    {"pains": [{"area": "back", "severity": 9}], "symptoms": ["saddle_numbness"]},
    {"pains": [{"area": "hip", "severity": 5, "weeks": 30}], "conditions": ["diabetes"]},
]
SHIPPED = shipped_knowledge_dir()


def _same(plan: footmap.Plan) -> footmap.Plan:
    back = footmap.expand_plan(footmap.compact_plan(plan))
    assert back == plan
    assert back.model_dump_json() == plan.model_dump_json()
    return back


@pytest.mark.parametrize("profile", PROFILES)
def test_a_compact_plan_expands_to_the_same_plan_byte_for_byte(profile: dict[str, Any]) -> None:
    _same(footmap.recommend(profile))


@costly(60)
@given(profile_dicts())
def test_every_plan_expands_from_its_compact_json_to_the_same_json(profile: dict[str, Any]) -> None:
    _same(footmap.recommend(profile))


@costly(25)
@given(profile_dicts(), st.lists(session_logs(), max_size=6))
def test_an_adjusted_plan_with_its_changes_expands_to_the_same_plan(
    profile: dict[str, Any], logs: list[footmap.SessionLog]
) -> None:
    _same(footmap.adjust(footmap.recommend(profile), logs))


def test_a_compact_plan_is_under_a_third_of_the_plans_json() -> None:
    for profile in PROFILES:
        plan = footmap.recommend(profile)
        assert len(footmap.compact_plan(plan)) < len(plan.model_dump_json()) / 3


# -- the encoding alone, over any JSON value --------------------------------------------------------

_TEXTS = ("a", "#", "~x", "summary", "none", "#1", "0", "")
_CATALOG = footmap.PlanCatalog.of(_TEXTS, "0000000000000000")
_strings = st.one_of(st.sampled_from(_TEXTS), st.text(max_size=12), st.text(alphabet="#~0a", max_size=4))
_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
)
_json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), _numbers, _strings),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(_strings, inner, max_size=5)),
    max_leaves=40,
)


@given(_json_values)
def test_any_json_value_is_read_back_as_written(value: Any) -> None:
    written = json.dumps(_compact._Encoder(_CATALOG).value(value))
    assert _compact._Decoder(_CATALOG.texts).value(json.loads(written), "plan") == value


@given(_json_values)
def test_the_read_back_value_has_the_written_types(value: Any) -> None:
    back = _compact._Decoder(_CATALOG.texts).value(
        json.loads(json.dumps(_compact._Encoder(_CATALOG).value(value))), "p"
    )
    assert json.dumps(back) == json.dumps(value)


def test_texts_are_numbers_numbers_are_marked_and_marked_strings_escaped() -> None:
    encoder = _compact._Encoder(_CATALOG)
    assert encoder.value({"summary": ["none", 3, 1.5, "#2", "other", True, None]}) == {
        "3": [4, "#3", "#1.5", "##2", "other", True, None]
    }
    assert encoder.value({"other": 1, "#": 2}) == {"~other": "#1", "1": "#2"}


# -- the catalog ---------------------------------------------------------------------------------


def test_the_catalog_is_the_same_for_the_same_knowledge_and_named_by_its_texts() -> None:
    catalog = footmap.plan_catalog()
    again = _compact._build_catalog(footmap.KnowledgeBase.load(SHIPPED))
    assert again.texts == catalog.texts
    assert again.id == catalog.id
    assert len(catalog.id) == 16
    assert len(set(catalog.texts)) == len(catalog.texts)


def test_the_catalog_reads_back_from_its_json_and_refuses_a_changed_one() -> None:
    catalog = footmap.plan_catalog()
    document = json.loads(catalog.to_json())
    assert footmap.PlanCatalog.from_json(catalog.to_json()).texts == catalog.texts
    document["texts"][10] = "something else"
    with pytest.raises(footmap.CompactPlanError, match="was changed"):
        footmap.PlanCatalog.from_json(json.dumps(document))
    with pytest.raises(footmap.CompactPlanError, match="format"):
        footmap.PlanCatalog.from_json('{"format": "other"}')
    with pytest.raises(footmap.CompactPlanError, match="not JSON"):
        footmap.PlanCatalog.from_json("{")


def test_a_catalog_holds_each_text_once() -> None:
    with pytest.raises(ValueError, match="once"):
        footmap.PlanCatalog.of(["a", "a"], "0000000000000000")


def _other_knowledge(tmp_path: Path) -> footmap.KnowledgeBase:
    """The shipped knowledge with one exercise's summary reworded: another fingerprint and catalog."""
    folder = tmp_path / "knowledge"
    shutil.copytree(SHIPPED, folder)
    exercises = folder / "exercises.yaml"
    text = exercises.read_text(encoding="utf-8")
    changed = text.replace("summary: ", "summary: Reworded. ", 1)
    assert changed != text
    exercises.write_text(changed, encoding="utf-8")
    return footmap.KnowledgeBase.load(folder)


def test_a_plan_of_other_knowledge_is_written_and_read_with_that_knowledges_catalog(tmp_path: Path) -> None:
    knowledge = _other_knowledge(tmp_path)
    plan = footmap.recommend(KNEE, knowledge=knowledge)
    compact = footmap.compact_plan(plan)
    assert json.loads(compact)["catalog"] == footmap.plan_catalog(knowledge).id != footmap.plan_catalog().id
    assert footmap.expand_plan(compact) == plan
    assert footmap.expand_plan(compact, knowledge=knowledge) == plan
    with pytest.raises(footmap.CompactPlanError, match="not catalog"):
        footmap.expand_plan(compact, catalog=footmap.plan_catalog())
    written_with_another = footmap.compact_plan(plan, catalog=footmap.plan_catalog())
    assert len(written_with_another) > len(compact)
    assert footmap.expand_plan(written_with_another) == plan


def test_a_plan_of_knowledge_no_longer_here_is_written_with_the_shipped_catalog() -> None:
    plan = footmap.recommend(KNEE)
    older = footmap.Plan.model_validate_json(
        plan.model_dump_json().replace(plan.knowledge, "0123456789abcdef")
    )
    document = json.loads(footmap.compact_plan(older))
    assert document["catalog"] == footmap.plan_catalog().id
    assert footmap.expand_plan(json.dumps(document)) == older


def test_a_plan_whose_catalog_is_not_here_names_its_knowledge_and_what_to_pass() -> None:
    compact = json.loads(footmap.compact_plan(footmap.recommend(KNEE)))
    compact["catalog"], compact["knowledge"] = "ffffffffffffffff", "ffffffffffffffff"
    with pytest.raises(
        footmap.CompactPlanError, match="catalog of knowledge ffffffffffffffff, which is not loaded"
    ):
        footmap.expand_plan(json.dumps(compact))


def test_a_catalog_read_from_json_reads_plans_its_knowledge_made() -> None:
    catalog = footmap.PlanCatalog.from_json(footmap.plan_catalog().to_json())
    plan = footmap.recommend(KNEE)
    assert footmap.expand_plan(footmap.compact_plan(plan), catalog=catalog) == plan


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="footmap-compact/0"), "format"),
        (lambda d: d.pop("plan"), "no 'plan'"),
        (lambda d: d.update(catalog=3), "not a string"),
        (lambda d: d["plan"].update({"~extra": 10**6}), "not in the catalog"),
        (lambda d: d["plan"].update({"~extra": -1}), "not in the catalog"),
        (lambda d: d["plan"].update({"!!": 1}), "base 62"),
        (lambda d: d["plan"].update({"~extra": "#twelve"}), "not a number"),
        (lambda d: d["plan"].update({"~extra": 1.5}), "holds no float"),
    ],
)
def test_a_broken_compact_plan_says_what_is_wrong_and_where(change: Any, message: str) -> None:
    document = json.loads(footmap.compact_plan(footmap.recommend(KNEE)))
    change(document)
    with pytest.raises(footmap.CompactPlanError, match=message):
        footmap.expand_plan(json.dumps(document))


def test_not_json_and_not_an_object_are_not_compact_plans() -> None:
    with pytest.raises(footmap.CompactPlanError, match="not JSON"):
        footmap.expand_plan("{")
    with pytest.raises(footmap.CompactPlanError, match="not a JSON object"):
        footmap.expand_plan("[]")


def test_the_compact_renderer_writes_the_compact_plan() -> None:
    plan = footmap.recommend(KNEE)
    assert footmap.render.render(plan, "compact") == footmap.compact_plan(plan)


# -- the command line ------------------------------------------------------------------------------


def test_the_command_line_writes_a_catalog_and_a_compact_plan_and_reads_it_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(KNEE), encoding="utf-8")
    compact, catalog = tmp_path / "plan.compact.json", tmp_path / "catalog.json"
    assert main(["recommend", str(profile), "--format", "compact", "-o", str(compact)]) == 0
    assert main(["knowledge", "catalog", "-o", str(catalog)]) == 0
    read = footmap.PlanCatalog.from_json(catalog.read_text(encoding="utf-8"))
    plan = footmap.expand_plan(compact.read_text(encoding="utf-8"), catalog=read)
    assert plan == footmap.recommend(KNEE)
    logs = tmp_path / "logs.json"
    logs.write_text("[]", encoding="utf-8")
    capsys.readouterr()
    assert main(["progress", str(logs), "--plan", str(compact)]) == 0
    assert "progress" in capsys.readouterr().out.lower()


def test_the_command_line_refuses_a_compact_plan_of_knowledge_it_was_not_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(footmap.compact_plan(footmap.recommend(KNEE)))
    document["catalog"] = document["knowledge"] = "ffffffffffffffff"
    plan, logs = tmp_path / "plan.json", tmp_path / "logs.json"
    plan.write_text(json.dumps(document), encoding="utf-8")
    logs.write_text("[]", encoding="utf-8")
    assert main(["progress", str(logs), "--plan", str(plan)]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1
    assert "not loaded in this process" in error[0] and "--knowledge DIR" in error[0]


def test_the_shipped_catalog_is_the_one_plans_made_in_this_process_use() -> None:
    assert footmap.plan_catalog(shipped_knowledge()) is footmap.plan_catalog()


@pytest.mark.parametrize("workers", [None, 1])
def test_a_compact_batch_writes_each_plan_compact_and_the_same_plans(
    tmp_path: Path, workers: int | None
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(p) for p in PROFILES) + "\nnot json\n", encoding="utf-8")
    full, compact = tmp_path / "full.jsonl", tmp_path / "compact.jsonl"
    arguments = [] if workers is None else ["--workers", str(workers)]
    assert main(["batch", str(source), "-o", str(full), *arguments]) == 0
    assert main(["batch", str(source), "-o", str(compact), "--compact", *arguments]) == 0
    full_lines = [json.loads(line) for line in full.read_text(encoding="utf-8").splitlines()]
    compact_lines = [json.loads(line) for line in compact.read_text(encoding="utf-8").splitlines()]
    assert [line["line"] for line in compact_lines] == [1, 2, 3, 4, 5]
    assert compact_lines[-1] == full_lines[-1]  # the error line
    for whole, small in zip(full_lines[:-1], compact_lines[:-1], strict=True):
        plan = footmap.expand_plan(json.dumps(small["plan"]))
        assert plan == footmap.Plan.model_validate(whole["plan"])
    assert compact.stat().st_size < full.stat().st_size / 2
