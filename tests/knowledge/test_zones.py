"""zones.yaml, the foot map: validated like the rest of the knowledge, and checked against it.

The broken fixtures of ``tests/fixtures/broken/`` (``zone_*``, ``missing_geometry``) pin one
finding of each kind, in ``test_check.py``; these tests cover the rest of the file's handling.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import footmap
from footmap import Finding, FindingCode, KnowledgeBase
from footmap._knowledge.base import knowledge_of, shipped_knowledge_dir
from footmap._knowledge.loader import ZONE_SECTIONS

REPO = Path(__file__).resolve().parents[2]
BROKEN = REPO / "tests" / "fixtures" / "broken"


def _overlay(tmp_path: Path, zones: object) -> list[Finding]:
    (tmp_path / "zones.yaml").write_text(yaml.safe_dump(zones, sort_keys=False), encoding="utf-8")
    return KnowledgeBase.check(tmp_path, overlay=True)


def _shipped_zones() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((shipped_knowledge_dir() / "zones.yaml").read_text("utf-8"))
    return data


def _zone(area: str) -> dict[str, Any]:
    return next(zone for zone in _shipped_zones()["areas"] if zone["area"] == area)


def test_the_shipped_map_places_every_reflex_area_and_point_once(kb: KnowledgeBase) -> None:
    zones = kb.knowledge.zones
    areas = [item.id for item in kb.knowledge.items["reflex_area"]]
    points = [item.id for item in kb.knowledge.items["acupressure_point"]]
    assert sorted(zone.area for zone in zones.areas) == sorted(areas)
    assert sorted(mark.point for mark in zones.points) == sorted(points)
    views = {view.id for view in zones.views}
    assert {zone.view for zone in zones.areas} | {mark.view for mark in zones.points} <= views
    assert any(view.mirrored for view in zones.views), "the soles are drawn as a pair"


def test_a_broken_zone_is_one_finding_not_also_a_missing_one() -> None:
    findings = KnowledgeBase.check(BROKEN / "zone_too_few_points", overlay=True)
    assert [(f.entry, f.field, f.code) for f in findings] == [
        ("reflex_knee", "shape", FindingCode.INVALID_FIELD)
    ]


@pytest.mark.parametrize(
    ("shape", "field", "code", "says"),
    [
        ([[20, 100], [30, 100], [40, 100]], "shape", FindingCode.INVALID_FIELD, "lie on one line"),
        ([[20, 100], [30, ".nan"], [40, 120]], "shape.1.1", FindingCode.INVALID_FIELD, "finite number"),
        ([[20, 100], [30], [40, 120]], "shape.1.1", FindingCode.MISSING_FIELD, "missing"),
    ],
    ids=["on_one_line", "not_a_number", "no_y"],
)
def test_a_shape_that_draws_no_area_is_invalid(
    tmp_path: Path, shape: list[Any], field: str, code: FindingCode, says: str
) -> None:
    text = yaml.safe_dump({"areas": [{**_zone("reflex_knee"), "shape": shape}]}).replace("'.nan'", ".nan")
    (tmp_path / "zones.yaml").write_text(text, encoding="utf-8")
    [finding] = KnowledgeBase.check(tmp_path, overlay=True)
    where = (finding.file, finding.entry, finding.field, finding.code)
    assert where == ("zones.yaml", "reflex_knee", field, code)
    assert says in finding.message


def test_a_dangling_view_and_source_say_did_you_mean(tmp_path: Path) -> None:
    zone = {**_zone("reflex_knee"), "view": "sol", "source": "reflexology_consensu"}
    findings = _overlay(tmp_path, {"areas": [zone]})
    assert sorted((f.field, f.code, f.suggestion) for f in findings) == [
        ("source", FindingCode.DANGLING_REFERENCE, "reflexology_consensus"),
        ("view", FindingCode.DANGLING_REFERENCE, "sole"),
    ]


def test_a_mark_for_a_reflex_area_is_not_an_acupressure_point(tmp_path: Path) -> None:
    mark = {
        "point": "reflex_solar_plexus",
        "view": "sole",
        "at": [64, 120],
        "source": "acupressure_tradition",
    }
    [finding] = _overlay(tmp_path, {"points": [mark]})
    assert (finding.entry, finding.field, finding.code) == (
        "reflex_solar_plexus",
        "point",
        FindingCode.DANGLING_REFERENCE,
    )


def test_an_area_drawn_twice_is_a_duplicate(tmp_path: Path) -> None:
    knee = _zone("reflex_knee")
    findings = _overlay(tmp_path, {"areas": [knee, {**knee, "view": "outer"}]})
    duplicates = [f for f in findings if f.code is FindingCode.DUPLICATE_ID]
    assert [(f.file, f.entry, f.field) for f in duplicates] == [("zones.yaml", "reflex_knee", "area")]
    assert "2 times" in duplicates[0].message


def test_a_misspelt_list_says_did_you_mean_and_its_zones_are_not_missing_too(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_dir(), knowledge)
    zones = _shipped_zones()
    zones["aeras"] = zones.pop("areas")
    (knowledge / "zones.yaml").write_text(yaml.safe_dump(zones), encoding="utf-8")
    findings = KnowledgeBase.check(knowledge)
    assert [(f.file, f.entry, f.code, f.suggestion) for f in findings] == [
        ("zones.yaml", "aeras", FindingCode.UNKNOWN_FIELD, "areas")
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [("views: [\n", FindingCode.YAML_SYNTAX), ("- a list\n", FindingCode.INVALID_FIELD)],
    ids=["yaml_syntax", "not_a_mapping"],
)
def test_an_unreadable_map_is_one_finding(tmp_path: Path, text: str, code: FindingCode) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_dir(), knowledge)
    (knowledge / "zones.yaml").write_text(text, encoding="utf-8")
    findings = KnowledgeBase.check(knowledge)
    assert [(f.file, f.code) for f in findings] == [("zones.yaml", code)], "\n".join(map(str, findings))


def test_a_list_that_is_not_a_list_is_one_finding(tmp_path: Path) -> None:
    findings = _overlay(tmp_path, {"points": "ki1_yongquan"})
    assert [(f.file, f.entry, f.code) for f in findings] == [
        ("zones.yaml", "points", FindingCode.INVALID_FIELD)
    ]


def test_without_a_map_every_reflex_area_and_point_is_missing_from_it(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_dir(), knowledge)
    (knowledge / "zones.yaml").unlink()
    findings = KnowledgeBase.check(knowledge)
    assert {f.code for f in findings} == {FindingCode.MISSING_GEOMETRY}
    placed = [
        item.id for item in [*kb.knowledge.items["reflex_area"], *kb.knowledge.items["acupressure_point"]]
    ]
    assert sorted(f.entry for f in findings) == sorted(placed)
    assert {f.field for f in findings} == {"areas", "points"}


def test_an_overlay_moves_a_zone_by_its_area(tmp_path: Path, kb: KnowledgeBase) -> None:
    knee = _zone("reflex_knee")
    moved = {**knee, "shape": [[x, y - 2] for x, y in knee["shape"]]}
    assert _overlay(tmp_path, {"areas": [moved]}) == []
    overlaid = KnowledgeBase.load(tmp_path, overlay=True)
    zones = overlaid.knowledge.zones.areas
    assert len(zones) == len(kb.knowledge.zones.areas)
    [zone] = [zone for zone in zones if zone.area == "reflex_knee"]
    assert [list(point) for point in zone.shape] == moved["shape"]
    assert overlaid.fingerprint != kb.fingerprint  # the fingerprint covers the map


def test_a_plan_names_the_knowledge_that_drew_it_while_that_knowledge_lives(tmp_path: Path) -> None:
    (tmp_path / "wording.yaml").write_text("foot_map:\n  title: Only this test.\n", encoding="utf-8")
    custom = KnowledgeBase.load(tmp_path, overlay=True)
    plan = footmap.recommend({"pains": [{"area": "neck", "severity": 3}]}, knowledge=custom)
    assert knowledge_of(plan.knowledge) is custom
    fingerprint = plan.knowledge
    del custom
    gc.collect()
    assert knowledge_of(fingerprint) is None  # held weakly: the plan does not keep it alive


_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=40, deadline=None)
@given(
    section=st.sampled_from(sorted(ZONE_SECTIONS)),
    field=st.sampled_from(
        ["id", "area", "point", "view", "shape", "at", "outline", "width", "source", "new"]
    ),
    junk=_JUNK,
)
def test_any_junk_in_the_map_is_findings_never_an_exception(section: str, field: str, junk: object) -> None:
    entry = {**_shipped_zones()[section][0], field: junk}
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "zones.yaml").write_text(yaml.safe_dump({section: [entry]}), encoding="utf-8")
        findings = KnowledgeBase.check(directory, overlay=True)
    assert findings == sorted(findings)
    assert all(isinstance(finding.code, FindingCode) for finding in findings)


@settings(max_examples=30, deadline=None)
@given(junk=_JUNK)
def test_any_junk_as_the_whole_map_is_findings_never_an_exception(junk: object) -> None:
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "zones.yaml").write_text(yaml.safe_dump(junk), encoding="utf-8")
        findings = KnowledgeBase.check(directory, overlay=True)
    assert {finding.file for finding in findings} <= {"zones.yaml"}
