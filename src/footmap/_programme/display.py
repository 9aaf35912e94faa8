"""How a ``Progress`` shows itself: text, Markdown, HTML and an SVG chart, all in the words of
``wording.yaml``'s ``progress`` section.

The text forms share one outline (a headline, warnings, then sections of lines); the chart is
footmap's own small SVG (no plotting library): one panel per complaint, pain 0–10 over the dates,
before and after each session and the next morning, each series with its own colour (Okabe–Ito,
told apart by colour-blind readers), dash and marker, so it reads in grey too.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from footmap._knowledge import schema

if TYPE_CHECKING:
    from footmap._programme.progress import ComplaintProgress, ItemProgress, PainPoint, Progress


@dataclass(frozen=True)
class _Outline:
    """What every text form says, in order."""

    title: str
    period: str
    warnings: list[str]
    sections: list[tuple[str, list[str]]]


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _percent(rate: float | None) -> str:
    return str(round((rate or 0) * 100))


def _complaint_name(complaint: ComplaintProgress, words: schema.ProgressWording) -> str:
    if complaint.side is None:
        return complaint.name
    return words.side.format(name=complaint.name, side=complaint.side)


def _dose(dose: dict[str, int], words: schema.ProgressWording) -> str:
    return ", ".join(getattr(words, field).format(count=count) for field, count in dose.items())


def _outline(progress: Progress, words: schema.ProgressWording) -> _Outline:
    adherence = progress.adherence
    if adherence.first is None or adherence.last is None:
        return _Outline(words.title, words.no_logs, _warnings(progress, words), [])
    period = words.period.format(
        first=adherence.first.isoformat(), last=adherence.last.isoformat(), days=adherence.days
    )
    sections = [
        (words.pain, _pain_lines(progress, words)),
        (words.sessions, _session_lines(progress, words)),
    ]
    if progress.items:
        sections.append((words.items, _item_lines(progress.items, words)))
    if progress.new_symptoms:
        symptoms = [
            words.symptom_on.format(name=symptom.name, date=symptom.date.isoformat())
            for symptom in progress.new_symptoms
        ]
        sections.append((words.new_symptoms, symptoms))
    return _Outline(words.title, period, _warnings(progress, words), sections)


def _warnings(progress: Progress, words: schema.ProgressWording) -> list[str]:
    """One warning per red-flag level among the logged symptoms, the most urgent first."""
    found = []
    for level in ("urgent", "see_clinician"):
        names = sorted({symptom.name for symptom in progress.new_symptoms if symptom.red_flag == level})
        if names:
            found.append(getattr(words, level).format(symptoms=", ".join(names)))
    return found


def _pain_lines(progress: Progress, words: schema.ProgressWording) -> list[str]:
    if not progress.complaints:
        return [words.no_pain]
    lines = []
    for complaint in progress.complaints:
        trend = getattr(words, complaint.trend) if complaint.trend is not None else words.too_soon
        line = words.pain_line.format(name=_complaint_name(complaint, words), trend=trend)
        if complaint.first_mean is not None and complaint.last_mean is not None:
            means = words.means.format(first=_number(complaint.first_mean), last=_number(complaint.last_mean))
            line += f" ({means})"
        if complaint.trend == "worse":
            line += f". {words.worse_advice}"
        lines.append(line)
    return lines


def _session_lines(progress: Progress, words: schema.ProgressWording) -> list[str]:
    adherence = progress.adherence
    percent = _percent(adherence.rate)
    if adherence.sessions_planned is not None:
        line = words.planned.format(
            done=adherence.sessions_done, planned=adherence.sessions_planned, percent=percent
        )
    else:
        line = words.days.format(done=adherence.days_done, days=adherence.days, percent=percent)
    lines = [line]
    if any(progress.difficulty.values()):
        lines.append(words.felt.format(**progress.difficulty))
    return lines


def _item_lines(items: list[ItemProgress], words: schema.ProgressWording) -> list[str]:
    """A line for each item logged, by name, then one naming the plan's items never logged."""
    logged = sorted((item for item in items if item.times_done or item.times_skipped), key=_by_name)
    lines = [_item_line(item, words) for item in logged]
    waiting = sorted((item for item in items if not item.times_done and not item.times_skipped), key=_by_name)
    if waiting:
        lines.append(words.plan_not_started.format(names=", ".join(item.name for item in waiting)))
    return lines


def _by_name(item: ItemProgress) -> tuple[str, str]:
    return item.name.casefold(), item.id


def _item_line(item: ItemProgress, words: schema.ProgressWording) -> str:
    dropped = item.status == "dropped"
    status = words.dropped.format(count=item.sessions_since_done) if dropped else getattr(words, item.status)
    line = words.item_line.format(
        name=item.name, done=item.times_done, skipped=item.times_skipped, status=status
    )
    if item.last_dose and item.last_done is not None:
        last = words.last_dose.format(date=item.last_done.isoformat(), dose=_dose(item.last_dose, words))
        line += f"; {last}"
    return line


# --- text forms ---------------------------------------------------------------------------------


def text(progress: Progress, words: schema.ProgressWording) -> str:
    """Plain text: the headline, the warnings, then each section's lines."""
    outline = _outline(progress, words)
    lines = [f"{outline.title}: {outline.period}"]
    lines += [f"! {warning}" for warning in outline.warnings]
    for heading, entries in outline.sections:
        lines += ["", heading, *(f"- {entry}" for entry in entries)]
    return "\n".join(lines) + "\n"


def markdown(progress: Progress, words: schema.ProgressWording) -> str:
    """Markdown: a title, the warnings as quotes, a heading and a list per section."""
    outline = _outline(progress, words)
    lines = [f"# {_md(outline.title)}", "", _md(outline.period)]
    for warning in outline.warnings:
        lines += ["", f"> **{_md(warning)}**"]
    for heading, entries in outline.sections:
        lines += ["", f"## {_md(heading)}"]
        if entries:
            lines += ["", *(f"- {_md(entry)}" for entry in entries)]
    return "\n".join(lines) + "\n"


def _md(value: str) -> str:
    """Text safe in Markdown: the characters that would start markup or HTML are escaped."""
    for char in "\\`*_[]<>#|":
        value = value.replace(char, "\\" + char)
    return value


_WARNING_STYLE = "color:#8b0000;border-left:4px solid #8b0000;padding:4px 10px;background:#fff3f3"


def html(progress: Progress, words: schema.ProgressWording) -> str:
    """An HTML fragment: the outline, then the chart."""
    outline = _outline(progress, words)
    parts = [
        '<div class="footmap-progress">',
        f"<h2>{escape(outline.title)}</h2>",
        f"<p>{escape(outline.period)}</p>",
    ]
    parts += [
        f'<p class="warning" style="{_WARNING_STYLE}"><strong>{escape(warning)}</strong></p>'
        for warning in outline.warnings
    ]
    for heading, entries in outline.sections:
        parts.append(f"<h3>{escape(heading)}</h3>")
        if entries:
            parts.append("<ul>" + "".join(f"<li>{escape(entry)}</li>" for entry in entries) + "</ul>")
    parts += [svg(progress, words), "</div>"]
    return "\n".join(parts) + "\n"


# --- the chart ----------------------------------------------------------------------------------

WIDTH = 640
_LEFT, _RIGHT = 44, 20
_HEAD = 64
"""Room above the panels: the chart's title and the legend."""
_PANEL = 200
"""Height of one complaint's panel: its name, the plot and the date labels."""
_PLOT_TOP, _PLOT_HEIGHT = 28, 130
_INSET = 8
"""Room between the plot's sides and its first and last points."""
_FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif"


@dataclass(frozen=True)
class _Series:
    field: str
    colour: str
    dash: str
    marker: str


_SERIES = (
    _Series("before", "#0072B2", "", "circle"),
    _Series("after", "#D55E00", "7 4", "square"),
    _Series("next_morning", "#009E73", "2 3", "diamond"),
)


def svg(progress: Progress, words: schema.ProgressWording) -> str:
    """The chart: a panel per complaint, pain 0–10 (up) over the dates (across)."""
    complaints = progress.complaints
    names = ", ".join(_complaint_name(complaint, words) for complaint in complaints) or words.no_pain
    label = words.chart_label.format(names=names)
    height = _HEAD + _PANEL * max(1, len(complaints))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}"'
        f' height="{height}" role="img" aria-label="{escape(label)}" style="{_FONT}">',
        f"<title>{escape(words.chart_title)}</title>",
        f"<desc>{escape(label)}</desc>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="{_LEFT}" y="24" font-size="16" font-weight="600" fill="#1a1a1a">'
        f"{escape(words.chart_title)}</text>",
        *_legend(words),
    ]
    if not complaints:
        parts.append(
            f'<text x="{_LEFT}" y="{_HEAD + 40}" font-size="13" fill="#444">{escape(words.no_pain)}</text>'
        )
    for index, complaint in enumerate(complaints):
        parts += _panel(complaint, _HEAD + index * _PANEL, words)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _legend(words: schema.ProgressWording) -> list[str]:
    parts, x = [], _LEFT
    for series in _SERIES:
        name = getattr(words, series.field)
        parts.append(
            f'<line x1="{x}" y1="44" x2="{x + 28}" y2="44" stroke="{series.colour}" stroke-width="2.5"'
            f"{_dash(series)}/>"
        )
        parts.append(_marker(series, x + 14, 44))
        parts.append(f'<text x="{x + 34}" y="48" font-size="12" fill="#333">{escape(name)}</text>')
        x += 44 + 7 * len(name)
    return parts


def _dash(series: _Series) -> str:
    return f' stroke-dasharray="{series.dash}"' if series.dash else ""


def _marker(series: _Series, x: float, y: float) -> str:
    colour = series.colour
    if series.marker == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
    if series.marker == "square":
        return f'<rect x="{x - 3.2:.1f}" y="{y - 3.2:.1f}" width="6.4" height="6.4" fill="{colour}"/>'
    size = 6.5  # larger than the circle, so a diamond shows around a "before" point at the same place
    return (
        f'<polygon points="{x:.1f},{y - size:.1f} {x + size:.1f},{y:.1f} {x:.1f},{y + size:.1f}'
        f' {x - size:.1f},{y:.1f}" fill="{colour}"/>'
    )


def _positions(points: list[PainPoint]) -> list[float]:
    """Each point's place in days from the first: sessions of one day spread across that day."""
    first = points[0].date
    per_day: dict[datetime.date, int] = {}
    for point in points:
        per_day[point.date] = per_day.get(point.date, 0) + 1
    seen: dict[datetime.date, int] = {}
    places = []
    for point in points:
        nth = seen.get(point.date, 0)
        seen[point.date] = nth + 1
        places.append((point.date - first).days + nth / per_day[point.date])
    return places


def _panel(complaint: ComplaintProgress, top: int, words: schema.ProgressWording) -> list[str]:
    plot_top = top + _PLOT_TOP
    bottom = plot_top + _PLOT_HEIGHT
    right = WIDTH - _RIGHT
    places = _positions(complaint.points)
    span = places[-1] or 1.0

    def x_of(place: float) -> float:
        if places[-1] == 0:
            return (_LEFT + right) / 2
        return _LEFT + _INSET + (right - _LEFT - 2 * _INSET) * place / span

    def y_of(score: int) -> float:
        return bottom - _PLOT_HEIGHT * score / 10

    parts = [
        f'<text x="{_LEFT}" y="{top + 18}" font-size="14" font-weight="600" fill="#1a1a1a">'
        f"{escape(_complaint_name(complaint, words))}</text>"
    ]
    for score in range(0, 11, 2):
        y = y_of(score)
        parts.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(
            f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" font-size="11" fill="#555"'
            f' text-anchor="end">{score}</text>'
        )
    parts.append(f'<line x1="{_LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#888"/>')
    parts += _date_labels(complaint.points, places, x_of, bottom)
    lines, markers = [], []
    for series in reversed(_SERIES):  # "before" last, on top: its circles sit inside the diamonds
        coordinates = [
            (x_of(place), y_of(value))
            for place, point in zip(places, complaint.points, strict=True)
            if (value := getattr(point, series.field)) is not None
        ]
        if len(coordinates) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
            lines.append(
                f'<polyline points="{path}" fill="none" stroke="{series.colour}" stroke-width="2"'
                f'{_dash(series)} stroke-linejoin="round"/>'
            )
        markers += [_marker(series, x, y) for x, y in coordinates]
    parts += lines + markers
    return parts


def _date_labels(
    points: list[PainPoint], places: list[float], x_of: Callable[[float], float], bottom: int
) -> list[str]:
    """The first, the last and (when there are more than two points) the middle date under the plot."""
    chosen = [0, len(points) - 1]
    if len(points) > 2:
        chosen.insert(1, len(points) // 2)
    parts, used = [], set()
    for index in chosen:
        day = points[index].date
        if day in used:
            continue
        used.add(day)
        x = x_of(places[index])
        anchor = "start" if x < _LEFT + 40 else "end" if x > WIDTH - _RIGHT - 40 else "middle"
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 18}" font-size="11" fill="#555" text-anchor="{anchor}">'
            f"{day.isoformat()}</text>"
        )
    return parts
