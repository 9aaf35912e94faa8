"""``Plan.foot_map()``: the ``svg`` renderer, read back as XML.

The plans in ``foot_map/`` are pinned fixtures (Plan JSON) with many reflex areas and points;
their golden SVGs sit beside them (the three plans of ``plans/`` have theirs in ``golden/``, from
``test_renderers.py``). After a deliberate change to the renderer, the wording or
``knowledge/zones.yaml``, regenerate with ``FOOTMAP_UPDATE_GOLDEN=1 python -m pytest tests/render``
and look at the diff and at the picture (``docs/outputs.md``).
"""

from __future__ import annotations

import itertools
import os
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import footmap
from footmap import render
from footmap._cli import main
from footmap._knowledge.base import shipped_knowledge
from footmap.render import _svg
from tests.strategies import pains, profile_dicts

HERE = Path(__file__).parent
PINNED = sorted(path.stem for path in (HERE / "foot_map").glob("*.json"))
NS = {"svg": _svg.SVG_NAMESPACE}
SVG = f"{{{_svg.SVG_NAMESPACE}}}"
WORDS = shipped_knowledge().wording.foot_map
ZONES = shipped_knowledge().knowledge.zones


def pinned(name: str) -> footmap.Plan:
    return footmap.Plan.model_validate_json((HERE / "foot_map" / f"{name}.json").read_text(encoding="utf-8"))


def parse(svg: str) -> ET.Element:
    """The SVG as XML: it must parse, and be an ``<svg>`` in the SVG namespace."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def highlighted(root: ET.Element) -> dict[str, list[ET.Element]]:
    """The highlighted zones, by the item each one draws."""
    found: dict[str, list[ET.Element]] = defaultdict(list)
    for path in root.iterfind(".//svg:path", NS):
        if "footmap-in-plan" in path.get("class", "").split():
            found[path.get("data-item", "")].append(path)
    return found


def marked(root: ET.Element) -> dict[str, list[ET.Element]]:
    """The acupressure points marked, by item."""
    found: dict[str, list[ET.Element]] = defaultdict(list)
    for dot in root.iterfind(".//svg:circle[@class='footmap-point']", NS):
        found[dot.get("data-item", "")].append(dot)
    return found


def labels(root: ET.Element) -> dict[str, list[str]]:
    """Each label's text (its lines joined), by item; an item labelled on both feet has two."""
    found: dict[str, list[str]] = defaultdict(list)
    for group in root.iterfind(".//svg:g[@class='footmap-label']", NS):
        lines = [text.text or "" for text in group.iterfind("svg:text", NS)]
        found[group.get("data-item", "")].append(" ".join(lines))
    return found


def all_text(root: ET.Element) -> str:
    return " ".join(" ".join(element.itertext()) for element in root.iterfind(".//svg:text", NS))


def assert_is_a_foot_map_of(plan: footmap.Plan, svg: str) -> ET.Element:
    """The SVG parses, stands alone, is accessible, highlights exactly the plan's reflex areas
    (each named), marks exactly its acupressure points (each named), and has its legend."""
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == WORDS.label
    assert root[0].tag == f"{SVG}title" and root[0].text == WORDS.title
    assert_self_contained(svg, root)
    zones, dots, named = highlighted(root), marked(root), labels(root)
    assert set(zones) == {item.id for item in plan.reflexology}
    assert set(dots) == {item.id for item in plan.acupressure}
    assert set(named) == set(zones) | set(dots)
    for item in [*plan.reflexology, *plan.acupressure]:
        assert named[item.id] and all(text == item.name for text in named[item.id]), item.id
        for element in [*zones.get(item.id, []), *dots.get(item.id, [])]:
            assert element.findtext("svg:title", namespaces=NS) == item.name
    legend = all_text(root)
    for words in (WORDS.highlighted, WORDS.other, WORDS.point):
        assert words in legend
    assert WORDS.unproven.split()[0] in legend and "traditional map, not a proven one" in legend
    assert_labels_apart_and_on_the_canvas(root)
    return root


def assert_self_contained(svg: str, root: ET.Element) -> None:
    """No script, no link out, no font to fetch, no ``id`` two maps on one page could share."""
    for element in root.iter():
        tag = element.tag.removeprefix(SVG)
        assert tag not in {"script", "image", "use", "foreignObject", "style", "a"}, tag
        for name, value in element.attrib.items():
            assert "href" not in name and not name.startswith("on") and name != "id", name
            assert "url(" not in value, value
    assert "@import" not in svg and "@font-face" not in svg and "<?xml" not in svg


def assert_labels_apart_and_on_the_canvas(root: ET.Element) -> None:
    """No two lines of label text overlap within a column, and every label (by the renderer's own
    width estimate) is inside the canvas."""
    width, height = float(root.get("width", "0")), float(root.get("height", "0"))
    columns: dict[tuple[str, str], list[float]] = defaultdict(list)
    for group in root.iterfind(".//svg:g[@class='footmap-label']", NS):
        for text in group.iterfind("svg:text", NS):
            x, y, size = (float(text.get(name, "0")) for name in ("x", "y", "font-size"))
            anchor = text.get("text-anchor", "start")
            columns[(text.get("x", ""), anchor)].append(y)
            extent = _svg._text_width(text.text or "", size)
            left = {"start": x, "middle": x - extent / 2, "end": x - extent}[anchor]
            assert left >= 0 and left + extent <= width, text.text
            assert size <= y <= height, text.text
    for (x, _), ys in columns.items():
        ys.sort()
        for above, below in itertools.pairwise(ys):
            assert below - above >= _svg.SMALL_SIZE, f"labels overlap at x={x}: y {above} and {below}"


# --- the pinned plans ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", PINNED)
def test_the_foot_map_matches_its_golden_file(name: str) -> None:
    svg = pinned(name).foot_map()
    golden = HERE / "foot_map" / f"{name}.svg"
    if os.environ.get("FOOTMAP_UPDATE_GOLDEN"):
        golden.write_text(svg, encoding="utf-8")
    assert svg == golden.read_text(encoding="utf-8"), f"{golden.name} differs; see the module doc"


@pytest.mark.parametrize("name", PINNED)
def test_every_reflex_area_and_point_of_a_plan_is_drawn_and_named(name: str) -> None:
    plan = pinned(name)
    assert plan.reflexology and plan.acupressure, "a pinned foot-map plan has both"
    root = assert_is_a_foot_map_of(plan, plan.foot_map())
    zones = highlighted(root)
    mirrored = {view.id for view in ZONES.views if view.mirrored}
    for item in plan.reflexology:  # on both feet where the view is the soles
        [zone] = [zone for zone in ZONES.areas if zone.area == item.id]
        assert len(zones[item.id]) == (2 if zone.view in mirrored else 1)


def test_the_foot_map_is_the_svg_renderer_and_the_cli_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = pinned("neck_pain")
    assert plan.foot_map() == render.render(plan, "svg")
    found = render.get("svg")
    assert (found.media_type, found.suffix) == ("image/svg+xml", ".svg")
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({"pains": [{"area": "neck", "severity": 4}]}), encoding="utf-8")
    assert main(["recommend", str(profile), "--format", "svg"]) == 0
    out = capsys.readouterr().out
    assert out == footmap.recommend({"pains": [{"area": "neck", "severity": 4}]}).foot_map() + "\n"


# --- plans with nothing to highlight ------------------------------------------------------------


@pytest.mark.parametrize(
    "profile",
    [
        {"symptoms": ["saddle_numbness"]},  # urgent: no item at all
        {"pains": [{"area": "neck", "severity": 4}], "exclude": ["reflexology", "acupressure"]},
    ],
    ids=["urgent", "excluded"],
)
def test_a_plan_without_reflexology_still_draws_every_zone_faintly_and_the_legend(
    profile: dict[str, Any],
) -> None:
    plan = footmap.recommend(profile)
    assert not plan.reflexology and not plan.acupressure
    root = assert_is_a_foot_map_of(plan, plan.foot_map())
    faint = list(root.iterfind(".//svg:path[@class='footmap-zone']", NS))
    mirrored = {view.id for view in ZONES.views if view.mirrored}
    assert len(faint) == sum(2 if zone.view in mirrored else 1 for zone in ZONES.areas)
    assert not labels(root) and not marked(root)
    assert WORDS.nothing_in_plan in all_text(root)
    assert root.findtext("svg:desc", namespaces=NS).startswith(WORDS.nothing_in_plan)


def test_a_plan_with_only_reflexology_says_nothing_of_points() -> None:
    plan = pinned("neck_pain").model_copy(update={"acupressure": []})
    root = assert_is_a_foot_map_of(plan, plan.foot_map())
    description = root.findtext("svg:desc", namespaces=NS) or ""
    assert "Reflex areas in your plan" in description and "Acupressure points" not in description
    assert WORDS.nothing_in_plan not in all_text(root)


# --- what the renderer reads --------------------------------------------------------------------


def test_the_words_are_the_wording_a_translation_changes_them(tmp_path: Path) -> None:
    (tmp_path / "wording.yaml").write_text(
        "foot_map:\n  title: Où sur vos pieds\n  left: Pied gauche\n", encoding="utf-8"
    )
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    root = parse(render.render(pinned("neck_pain"), "svg", wording=kb.wording))
    assert root.findtext("svg:title", namespaces=NS) == "Où sur vos pieds"
    assert "Pied gauche" in all_text(root) and WORDS.right in all_text(root)


def test_the_map_is_drawn_from_the_knowledge_that_made_the_plan(tmp_path: Path) -> None:
    moved = next(zone for zone in ZONES.areas if zone.area == "reflex_neck")
    shape = [[x, y - 1] for x, y in moved.shape]
    (tmp_path / "zones.yaml").write_text(
        yaml.safe_dump(
            {"areas": [{"area": moved.area, "view": moved.view, "shape": shape, "source": moved.source}]}
        ),
        encoding="utf-8",
    )
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    profile = {"pains": [{"area": "neck", "severity": 4}]}
    theirs, ours = footmap.recommend(profile, knowledge=kb), footmap.recommend(profile)
    assert theirs.knowledge != ours.knowledge
    drawn = [highlighted(parse(plan.foot_map()))[moved.area][0].get("d") for plan in (theirs, ours)]
    assert drawn[0] != drawn[1]
    # A plan whose knowledge is not in this process is drawn on the shipped map.
    stranger = theirs.model_copy(update={"knowledge": "0123456789abcdef"})
    assert highlighted(parse(stranger.foot_map()))[moved.area][0].get("d") == drawn[1]


def test_an_item_the_map_cannot_place_is_named_under_it() -> None:
    plan = pinned("neck_pain")
    unknown = plan.reflexology[0].model_copy(update={"id": "reflex_elsewhere", "name": "Elsewhere area"})
    plan = plan.model_copy(update={"reflexology": [*plan.reflexology, unknown]})
    root = parse(plan.foot_map())
    assert "reflex_elsewhere" not in highlighted(root)
    assert WORDS.not_on_map.format(names="Elsewhere area") in all_text(root)


def test_every_text_is_escaped() -> None:
    plan = pinned("neck_pain")
    hostile = plan.reflexology[0].model_copy(update={"name": "<script>alert(1)</script> & more"})
    plan = plan.model_copy(update={"reflexology": [hostile, *plan.reflexology[1:]]})
    svg = plan.foot_map()
    assert "<script" not in svg
    named = labels(parse(svg))[hostile.id]
    assert named and set(named) == {"<script>alert(1)</script> & more"}


def test_smooth_paths_pass_through_every_point() -> None:
    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    path = _svg.smooth_path(square)
    ends = re.findall(r"(-?[\d.]+),(-?[\d.]+)(?= C| Z)", path)
    assert [(float(x), float(y)) for x, y in ends] == [*square, square[0]]


# --- any profile --------------------------------------------------------------------------------


#: Everyday profiles (pains alone, some conditions, time to spare): most of their plans have reflex
#: areas and points, which the whole domain's (most of them referred) seldom have.
everyday_profiles = st.fixed_dictionaries(
    {"pains": st.lists(pains, min_size=1, max_size=4), "minutes_per_day": st.integers(20, 120)},
    optional={
        "exclude": st.lists(st.sampled_from(shipped_knowledge().vocabulary["modalities"]), max_size=2),
        "conditions": st.lists(st.sampled_from(shipped_knowledge().vocabulary["conditions"]), max_size=2),
    },
)


@settings(deadline=None)
@given(profile=st.one_of(profile_dicts(), everyday_profiles))
def test_any_plan_gives_a_foot_map_of_exactly_its_zones_and_points(profile: dict[str, Any]) -> None:
    plan = footmap.recommend(profile)
    assert_is_a_foot_map_of(plan, plan.foot_map())
