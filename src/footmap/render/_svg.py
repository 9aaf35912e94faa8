"""The ``svg`` renderer: the foot map (``Plan.foot_map()``).

Both soles and the side views of ``knowledge/zones.yaml``, every reflex area of the map drawn
faintly, the plan's reflex areas highlighted and labelled with their names, the plan's acupressure
points marked and labelled, and a legend that says what the colours mean and that reflexology is a
traditional, unproven map. The drawing is data: this module names no view, area or point.

The SVG stands alone (no script, no external reference, no font but the reader's sans-serif) and
can be written inline into HTML: it has no XML declaration and no ``id`` that two maps on one page
could share.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from footmap._knowledge.schema import XY, FootMapWording, FootView, Wording, ZoneMap
    from footmap._plan import Plan

SVG_NAMESPACE = "http://www.w3.org/2000/svg"

#: The canvas: its width and margin, in pixels at 100%.
WIDTH = 960
MARGIN = 24
#: How tall the soles are drawn, and the side views.
SOLE_HEIGHT = 360
INSET_HEIGHT = 230
#: The width of each label column beside the soles (the one between them takes the rest).
OUTER_COLUMN = 168
#: Text sizes, and how wide a character of the sans-serif is on average (a width estimate: the
#: reader's font decides the real one, so labels keep a margin).
TITLE_SIZE = 20
LABEL_SIZE = 13
SMALL_SIZE = 12
CHAR_WIDTH = 0.52
LINE = 1.25

#: The colours: a highlighted zone, a faint one, a point, the foot, lines and text. Orange and blue
#: stay apart for colour-blind readers and in grey print (mid grey, dark grey, light grey).
STYLE = {
    "foot": {"fill": "#fbf4ec", "stroke": "#5c5c5c", "stroke-width": "1.2"},
    "mark": {"fill": "none", "stroke": "#8a8a8a", "stroke-width": "0.9"},
    "faint": {"fill": "#d4d4d4", "stroke": "#9b9b9b", "stroke-width": "0.8"},
    "highlighted": {"fill": "#e66100", "fill-opacity": "0.85", "stroke": "#7a3300", "stroke-width": "1.6"},
    "point": {"fill": "#1d4f9c", "stroke": "#ffffff", "stroke-width": "1.5"},
    "leader": {"fill": "none", "stroke": "#333333", "stroke-width": "0.9"},
}
TEXT = "#1a1a1a"
MUTED = "#555555"
POINT_RADIUS = 5.0

Column = Literal["start", "middle", "end"]


@dataclass(frozen=True)
class Placement:
    """Where one view is drawn: its top-left corner on the canvas, its scale, and whether it is
    mirrored left to right (the right sole)."""

    view: FootView
    left: float
    top: float
    scale: float
    mirrored: bool = False

    @property
    def width(self) -> float:
        return self.view.width * self.scale

    @property
    def height(self) -> float:
        return self.view.height * self.scale

    def at(self, point: XY) -> tuple[float, float]:
        """A point of the view, on the canvas."""
        x, y = point
        if self.mirrored:
            x = self.view.width - x
        return self.left + x * self.scale, self.top + y * self.scale


@dataclass
class LabelColumn:
    """A column of labels: where its text is anchored (``start``: left-aligned at ``x``), the band
    it stays within, and its labels."""

    x: float
    align: Column
    top: float
    bottom: float
    width: float
    labels: list[Label] = field(default_factory=list)


@dataclass
class Label:
    """One label: the item it names, its lines, the points its leaders go to, where it ends up."""

    item: str
    lines: list[str]
    anchors: list[tuple[float, float]]
    point: bool = False
    """A point's leader stops at its dot; a zone's ends in a small dot inside the zone."""
    y: float = 0.0

    @property
    def wanted(self) -> float:
        return sum(y for _, y in self.anchors) / len(self.anchors)


def to_svg(plan: Plan, wording: Wording) -> str:
    """The plan's foot map as an SVG document, drawn from the foot map of the plan's knowledge
    (the one its ``knowledge`` fingerprint names, else the shipped one)."""
    return foot_map_svg(plan, wording, _zones_of(plan))


def _zones_of(plan: Plan) -> ZoneMap:
    from footmap._knowledge.base import knowledge_of, shipped_knowledge

    knowledge = knowledge_of(plan.knowledge) or shipped_knowledge()
    return knowledge.knowledge.zones


def foot_map_svg(plan: Plan, wording: Wording, zones: ZoneMap) -> str:
    """The foot map of ``plan``, drawn from ``zones``, in ``wording``."""
    words = wording.foot_map
    areas = {item.id: item.name for item in plan.reflexology}
    points = {item.id: item.name for item in plan.acupressure}
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NAMESPACE,
            "role": "img",
            "aria-label": words.label,
            "font-family": "sans-serif",
            "class": "footmap-foot-map",
            "style": "max-width: 100%; height: auto",
        },
    )
    ET.SubElement(root, "title").text = words.title
    ET.SubElement(root, "desc").text = _description(areas, points, words)
    background = ET.SubElement(root, "rect", {"x": "0", "y": "0", "width": str(WIDTH), "fill": "#ffffff"})
    _text(root, MARGIN, MARGIN + TITLE_SIZE, words.title, size=TITLE_SIZE, weight="bold")
    y: float = MARGIN + TITLE_SIZE + 16
    drawn: set[str] = set()
    for view in (view for view in zones.views if view.mirrored):
        y = _sole_band(root, view, zones, areas, points, words, y, drawn) + 20
    insets = [view for view in zones.views if not view.mirrored]
    if insets:
        y = _inset_row(root, insets, zones, areas, points, y, drawn) + 20
    y = _legend(root, words, areas, points, drawn, y)
    height = math.ceil(y + MARGIN)
    background.set("height", str(height))
    root.set("width", str(WIDTH))
    root.set("height", str(height))
    root.set("viewBox", f"0 0 {WIDTH} {height}")
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="unicode")


def _description(areas: dict[str, str], points: dict[str, str], words: FootMapWording) -> str:
    parts = []
    if areas:
        parts.append(words.areas_in_plan.format(names=", ".join(areas.values())))
    if points:
        parts.append(words.points_in_plan.format(names=", ".join(points.values())))
    if not parts:
        parts.append(words.nothing_in_plan)
    return " ".join([*parts, words.unproven])


# --- the soles ----------------------------------------------------------------------------------


def _sole_band(
    root: ET.Element,
    view: FootView,
    zones: ZoneMap,
    areas: dict[str, str],
    points: dict[str, str],
    words: FootMapWording,
    top: float,
    drawn: set[str],
) -> float:
    """Both feet of a mirrored view, side by side, labelled in three columns: outside the left
    foot, between the feet (the inner side, once for both feet) and outside the right foot."""
    _text(root, WIDTH / 2, top + LABEL_SIZE, view.name, size=LABEL_SIZE, weight="bold", anchor="middle")
    top += LABEL_SIZE + 14
    scale = SOLE_HEIGHT / view.height
    width = view.width * scale
    left = Placement(view, MARGIN + OUTER_COLUMN, top, scale)
    right = Placement(view, WIDTH - MARGIN - OUTER_COLUMN - width, top, scale, mirrored=True)
    bottom = top + SOLE_HEIGHT
    gutter_left, gutter_right = left.left + width, right.left
    columns = {
        "outer_left": LabelColumn(left.left - 10, "end", top, bottom, OUTER_COLUMN - 10),
        "between": LabelColumn(
            (gutter_left + gutter_right) / 2, "middle", top, bottom, gutter_right - gutter_left - 24
        ),
        "outer_right": LabelColumn(right.left + width + 10, "start", top, bottom, OUTER_COLUMN - 10),
    }
    for placement in (left, right):
        _draw_view(root, placement, zones, areas, points)
    between: dict[str, Label] = {}
    for item, name, point, is_point in _anchored(view, zones, areas, points):
        inner = point[0] >= view.width * 0.45  # the big-toe half: labelled between the feet
        if inner:
            lines = _wrap(name, columns["between"].width, LABEL_SIZE)
            label = between.setdefault(item, Label(item, lines, [], is_point))
            label.anchors += [left.at(point), right.at(point)]
        else:
            for placement, column in ((left, "outer_left"), (right, "outer_right")):
                lines = _wrap(name, columns[column].width, LABEL_SIZE)
                columns[column].labels.append(Label(item, lines, [placement.at(point)], is_point))
        drawn.add(item)
    columns["between"].labels += between.values()
    for label_column in columns.values():
        _draw_labels(root, label_column)
    for placement, title in ((left, words.left), (right, words.right)):
        x = placement.left + placement.width / 2
        _text(root, x, bottom + 22, title, size=LABEL_SIZE, weight="bold", anchor="middle")
    end = bottom + 22
    for number, line in enumerate(_wrap(view.caption or "", columns["between"].width, SMALL_SIZE - 1)):
        end = bottom + 22 + number * (SMALL_SIZE - 1) * LINE
        _text(root, WIDTH / 2, end, line, size=SMALL_SIZE - 1, fill=MUTED, anchor="middle")
    return end


# --- the side views -----------------------------------------------------------------------------


def _inset_row(
    root: ET.Element,
    views: Sequence[FootView],
    zones: ZoneMap,
    areas: dict[str, str],
    points: dict[str, str],
    top: float,
    drawn: set[str],
) -> float:
    """The other views in one row, each titled, with its labels on either side of it."""
    cell = (WIDTH - 2 * MARGIN) / len(views)
    bottom = top
    for index, view in enumerate(views):
        cell_left = MARGIN + index * cell
        _text(
            root,
            cell_left + cell / 2,
            top + LABEL_SIZE,
            view.name,
            size=LABEL_SIZE,
            weight="bold",
            anchor="middle",
        )
        scale = min(INSET_HEIGHT / view.height, (cell - 2 * 96) / view.width)
        placement = Placement(view, cell_left + (cell - view.width * scale) / 2, top + LABEL_SIZE + 10, scale)
        _draw_view(root, placement, zones, areas, points)
        side = (cell - placement.width) / 2 - 8
        columns = [
            LabelColumn(placement.left - 6, "end", placement.top, placement.top + placement.height, side),
            LabelColumn(
                placement.left + placement.width + 6,
                "start",
                placement.top,
                placement.top + placement.height,
                side,
            ),
        ]
        for item, name, point, is_point in _anchored(view, zones, areas, points):
            column = columns[0] if point[0] < view.width / 2 else columns[1]
            lines = _wrap(name, side, SMALL_SIZE)
            column.labels.append(Label(item, lines, [placement.at(point)], is_point))
            drawn.add(item)
        for column in columns:
            _draw_labels(root, column, size=SMALL_SIZE)
        end = placement.top + placement.height
        if view.caption:
            for number, line in enumerate(_wrap(view.caption, cell - 16, SMALL_SIZE - 1)):
                y = end + 16 + number * (SMALL_SIZE - 1) * LINE
                _text(root, cell_left + cell / 2, y, line, size=SMALL_SIZE - 1, fill=MUTED, anchor="middle")
                end = max(end, y)
        bottom = max(bottom, end)
    return bottom


# --- drawing one view ---------------------------------------------------------------------------


def _draw_view(
    root: ET.Element, placement: Placement, zones: ZoneMap, areas: dict[str, str], points: dict[str, str]
) -> None:
    """The foot of one placement: outline, landmarks, zones (faint, then the plan's), points."""
    view = placement.view
    group = ET.SubElement(root, "g", {"class": "footmap-view", "data-view": view.id})
    for shape in view.outline:
        _path(group, placement, shape, "foot", {"class": "footmap-outline"})
    in_view = [zone for zone in zones.areas if zone.view == view.id]
    for zone in sorted(in_view, key=lambda zone: zone.area in areas):  # the plan's on top
        highlighted = zone.area in areas
        attributes = {"class": "footmap-zone" + (" footmap-in-plan" if highlighted else "")}
        if highlighted:
            attributes["data-item"] = zone.area
        path = _path(group, placement, zone.shape, "highlighted" if highlighted else "faint", attributes)
        if highlighted:
            ET.SubElement(path, "title").text = areas[zone.area]
    for shape in view.marks:
        _path(group, placement, shape, "mark", {"class": "footmap-mark"})
    for mark in zones.points:
        if mark.view == view.id and mark.point in points:
            x, y = placement.at(mark.at)
            dot = ET.SubElement(
                group,
                "circle",
                {
                    "class": "footmap-point",
                    "data-item": mark.point,
                    "cx": _number(x),
                    "cy": _number(y),
                    "r": _number(POINT_RADIUS),
                    **STYLE["point"],
                },
            )
            ET.SubElement(dot, "title").text = points[mark.point]


def _anchored(
    view: FootView, zones: ZoneMap, areas: dict[str, str], points: dict[str, str]
) -> list[tuple[str, str, XY, bool]]:
    """Each of the plan's zones and points in ``view``: its item, its name, where a leader line
    to it ends (in the view's own units), and whether it is a point."""
    found: list[tuple[str, str, XY, bool]] = [
        (zone.area, areas[zone.area], _inner_point(zone.shape), False)
        for zone in zones.areas
        if zone.view == view.id and zone.area in areas
    ]
    found += [
        (mark.point, points[mark.point], mark.at, True)
        for mark in zones.points
        if mark.view == view.id and mark.point in points
    ]
    return found


def _path(
    parent: ET.Element, placement: Placement, shape: Sequence[XY], style: str, attributes: dict[str, str]
) -> ET.Element:
    canvas = [placement.at(point) for point in shape]
    return ET.SubElement(parent, "path", {**attributes, "d": smooth_path(canvas), **STYLE[style]})


def smooth_path(points: Sequence[tuple[float, float]]) -> str:
    """A closed smooth curve through ``points`` (a Catmull-Rom spline, as cubic Béziers).

    >>> smooth_path([(0, 0), (10, 0), (10, 10), (0, 10)])[:28]
    'M0,0 C1.7,-1.7 8.3,-1.7 10,0'
    """
    count = len(points)
    parts = [f"M{_number(points[0][0])},{_number(points[0][1])}"]
    for index in range(count):
        before, start = points[index - 1], points[index]
        end, after = points[(index + 1) % count], points[(index + 2) % count]
        first = (start[0] + (end[0] - before[0]) / 6, start[1] + (end[1] - before[1]) / 6)
        second = (end[0] - (after[0] - start[0]) / 6, end[1] - (after[1] - start[1]) / 6)
        parts.append("C" + " ".join(f"{_number(x)},{_number(y)}" for x, y in (first, second, end)))
    return " ".join(parts) + " Z"


def _inner_point(shape: Sequence[XY]) -> XY:
    """A point inside ``shape`` for a leader to end at: its centroid, or, for a curved strip whose
    centroid falls outside, the middle of the two corners nearest that centroid."""
    centre = _centroid(shape)
    if _inside(centre, shape):
        return centre
    nearest = sorted(shape, key=lambda point: math.dist(point, centre))[:2]
    middle = ((nearest[0][0] + nearest[1][0]) / 2, (nearest[0][1] + nearest[1][1]) / 2)
    return middle if _inside(middle, shape) else nearest[0]


def _centroid(shape: Sequence[XY]) -> XY:
    pairs = list(zip(shape, [*shape[1:], shape[0]], strict=True))
    twice_area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairs)
    x = sum((x0 + x1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in pairs) / (3 * twice_area)
    y = sum((y0 + y1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in pairs) / (3 * twice_area)
    return x, y


def _inside(point: XY, shape: Sequence[XY]) -> bool:
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(shape, [*shape[1:], shape[0]], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


# --- labels -------------------------------------------------------------------------------------


def _draw_labels(root: ET.Element, column: LabelColumn, size: int = LABEL_SIZE) -> None:
    """The column's labels, spread so that none overlaps another, each with leader lines."""
    _spread(column.labels, column.top, column.bottom, size)
    for label in column.labels:
        group = ET.SubElement(root, "g", {"class": "footmap-label", "data-item": label.item})
        width = max(_text_width(line, size) for line in label.lines)
        middle = label.y + (len(label.lines) - 1) * size * LINE / 2
        for anchor in label.anchors:
            start = _leader_start(column, anchor, width, middle - size * 0.35)
            _leader(group, start, anchor, label.point)
        for number, line in enumerate(label.lines):
            _text(
                group,
                column.x,
                label.y + number * size * LINE,
                line,
                size=size,
                anchor=column.align,
                halo=True,
            )


def _spread(labels: list[Label], top: float, bottom: float, size: int) -> None:
    """Each label as near its anchors' height as it can be without overlapping the one above,
    and all within ``top`` and ``bottom`` (a text's ``y`` is its first baseline)."""
    labels.sort(key=lambda label: label.wanted)
    gap = 4.0
    heights = [len(label.lines) * size * LINE for label in labels]
    floor = top + size
    for label, height in zip(labels, heights, strict=True):
        label.y = max(label.wanted + size * 0.35 - (height - size * LINE) / 2, floor)
        floor = label.y + height + gap
    ceiling = bottom
    for label, height in zip(reversed(labels), reversed(heights), strict=True):
        label.y = min(label.y, ceiling - height + size)
        ceiling = label.y - size - gap


def _leader_start(
    column: LabelColumn, anchor: tuple[float, float], width: float, y: float
) -> tuple[float, float]:
    """Where a leader leaves its label: the side of the text facing the anchor."""
    if column.align == "end":
        return column.x + 4, y
    if column.align == "start":
        return column.x - 4, y
    half = width / 2 + 6
    return (column.x - half if anchor[0] < column.x else column.x + half), y


def _leader(parent: ET.Element, start: tuple[float, float], end: tuple[float, float], to_point: bool) -> None:
    """A line from a label to what it names: to the edge of a point's dot, or into a zone, where a
    small dot ends it."""
    length = math.dist(start, end)
    if to_point and length > POINT_RADIUS:
        shorter = (length - POINT_RADIUS) / length
        end = (start[0] + (end[0] - start[0]) * shorter, start[1] + (end[1] - start[1]) * shorter)
    points = f"{_number(start[0])},{_number(start[1])} {_number(end[0])},{_number(end[1])}"
    ET.SubElement(parent, "polyline", {"points": points, **STYLE["leader"]})
    if not to_point:
        centre = {"cx": _number(end[0]), "cy": _number(end[1]), "r": "1.8"}
        ET.SubElement(parent, "circle", {**centre, "fill": STYLE["leader"]["stroke"]})


# --- the legend ---------------------------------------------------------------------------------


def _legend(
    root: ET.Element,
    words: FootMapWording,
    areas: dict[str, str],
    points: dict[str, str],
    drawn: set[str],
    top: float,
) -> float:
    """What the colours mean, that reflexology is unproven, how the drawings are seen, and what of
    the plan the map cannot show."""
    group = ET.SubElement(root, "g", {"class": "footmap-legend"})
    y = top
    if not areas and not points:
        _text(group, MARGIN, y + LABEL_SIZE, words.nothing_in_plan, size=LABEL_SIZE, weight="bold")
        y += LABEL_SIZE * LINE + 8
    for style, text in (("highlighted", words.highlighted), ("faint", words.other), ("point", words.point)):
        if style == "point":
            centre = {"cx": _number(MARGIN + 9), "cy": _number(y + 8), "r": _number(POINT_RADIUS)}
            ET.SubElement(group, "circle", {**centre, **STYLE[style], "stroke": STYLE["foot"]["stroke"]})
        else:
            box = {"x": _number(MARGIN), "y": _number(y), "width": "18", "height": "16", "rx": "4"}
            ET.SubElement(group, "rect", {**box, **STYLE[style]})
        _text(group, MARGIN + 28, y + 12.5, text, size=LABEL_SIZE)
        y += 22
    missing = [name for ident, name in [*areas.items(), *points.items()] if ident not in drawn]
    notes = [(words.unproven, TEXT, "bold"), (words.orientation, MUTED, "normal")]
    if missing:
        notes.insert(0, (words.not_on_map.format(names=", ".join(missing)), TEXT, "normal"))
    for note, colour, weight in notes:
        for line in _wrap(note, WIDTH - 2 * MARGIN, SMALL_SIZE):
            y += SMALL_SIZE * LINE
            _text(group, MARGIN, y, line, size=SMALL_SIZE, fill=colour, weight=weight)
        y += 6
    return y


# --- text ---------------------------------------------------------------------------------------


def _text(
    parent: ET.Element,
    x: float,
    y: float,
    text: str,
    *,
    size: float,
    weight: str = "normal",
    fill: str = TEXT,
    anchor: Column = "start",
    halo: bool = False,
) -> ET.Element:
    attributes = {"x": _number(x), "y": _number(y), "font-size": _number(size), "fill": fill}
    if weight != "normal":
        attributes["font-weight"] = weight
    if anchor != "start":
        attributes["text-anchor"] = anchor
    if halo:  # a white edge keeps a label readable over a leader or the foot
        attributes |= {
            "stroke": "#ffffff",
            "stroke-width": "3",
            "paint-order": "stroke",
            "stroke-linejoin": "round",
        }
    element = ET.SubElement(parent, "text", attributes)
    element.text = text
    return element


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def _wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` in lines no wider than ``width`` (by the width estimate), broken between words.

    >>> _wrap("Pituitary (endocrine) reflex area", 150, 13)
    ['Pituitary (endocrine)', 'reflex area']
    """
    most = max(int(width / (size * CHAR_WIDTH)), 1)
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _number(value: float) -> str:
    """A coordinate to one decimal, without a trailing ``.0`` (so that the SVG reads the same on
    every machine)."""
    text = f"{value:.1f}"
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text
