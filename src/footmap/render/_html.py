"""The ``html`` renderer (the notebook card view) and the ``handout`` renderer (one printable page).

Both show, in this order: a triage banner (red for urgent, with what to do now; amber for see a
clinician; green for self-care), the signs to get help today for, the general cautions, one card
per item (name, evidence badge, dose in words, minutes, position, equipment, steps, cautions, and
the why folded under ``<details>``), what was left out, the sources cited, numbered, once, and
the disclaimer. Every text is escaped; the styles are inline in the output and scoped to its
``footmap-plan`` element, with no external CSS, script, font or image, so a notebook cell can be
re-run, shown twice, or opened in a light or a dark theme. Colours are set only together with
the text colour they are read on; everything else inherits the page's own colours.

Both take :func:`extra_sections` at the places :data:`SECTION_KEYS` names: the foot map (after
the item sections it draws) and the schedule as a tick-box week grid (after the routine).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, NamedTuple

from footmap._kinds import SECTIONS
from footmap._knowledge.schema import EVIDENCE_ORDER
from footmap.render._common import (
    Citations,
    headline,
    leading_messages,
    left_out_groups,
    other_messages,
    readable,
    reason_groups,
    schedule_rows,
    section_items,
    with_mark,
)
from footmap.render._markdown import change_sentences
from footmap.render._svg import to_svg

if TYPE_CHECKING:
    from footmap._knowledge.schema import Evidence, Wording
    from footmap._plan import Plan, PlanItem

#: The banner's background and text colour by triage level (red, amber, green).
TRIAGE_COLOURS: dict[str, tuple[str, str]] = {
    "urgent": ("#b42318", "#ffffff"),
    "see_clinician": ("#fdb022", "#1f1400"),
    "self_care": ("#067647", "#ffffff"),
}

#: The evidence badge's background and text colour by GRADE certainty: green for strong, through
#: ochre and orange, to grey for none. The badge's words and its filled dots say the same.
EVIDENCE_COLOURS: dict[str, tuple[str, str]] = {
    "high": ("#05603a", "#ffffff"),
    "moderate": ("#2b7a0b", "#ffffff"),
    "low": ("#8a5a00", "#ffffff"),
    "very_low": ("#b93815", "#ffffff"),
    "none": ("#4b5565", "#ffffff"),
}

#: The parts of a plan in reading order (the item sections are the kinds table's);
#: :func:`extra_sections` places its sections after one of them.
SECTION_KEYS = ("triage", "safety_net", "safety", *SECTIONS)


class ExtraSection(NamedTuple):
    """An optional section of the plan's HTML, placed right after the part named ``after`` (one
    of :data:`SECTION_KEYS`); ``html`` is a complete, escaped ``<section>``."""

    after: str
    html: str


#: Where optional sections come from: each a function of the plan and its wording.
ExtraSource = Callable[["Plan", "Wording"], list[ExtraSection]]


def extra_sections(plan: Plan, wording: Wording) -> list[ExtraSection]:
    """The optional sections of this plan's HTML, each placed after the part it names.

    The schedule as a tick-box week grid (``after="routine"``) and the foot map, an SVG of the
    feet with the plan's zones and points (``after="acupressure"``), each where the plan has them.

    >>> import footmap
    >>> plan = footmap.recommend({"pains": [{"area": "back", "severity": 4}]})
    >>> [extra.after for extra in extra_sections(plan, footmap.KnowledgeBase.load().wording)]
    ['routine', 'acupressure']
    """
    return [section for source in EXTRA_SOURCES for section in source(plan, wording)]


def week_grid(plan: Plan, wording: Wording) -> list[ExtraSection]:
    """The schedule as a printable grid: a week a row, a tick box per session on each day, what
    changes that week; then when to move up or down a step."""
    schedule, words = plan.schedule, wording.schedule
    if not schedule.items:
        return []
    head = "".join(f"<th>{escape(day)}</th>" for day in words.day_names)
    changes = {row.week: row for row in schedule_rows(plan, wording)}
    body = []
    for week in schedule.by_week():
        cells = "".join(
            '<td class="fm-rest">&#8211;</td>'
            if day.rest
            else "<td>" + " ".join("&#9744;" for _ in range(day.sessions)) + "</td>"
            for day in week.days
        )
        row = changes[week.week]
        body.append(
            f"<tr><th>{week.week}</th>{cells}<td>{escape(row.minutes)}</td><td>{escape(row.changes)}</td></tr>"
        )
    notes = _list([escape(note.text) for note in schedule.notes])
    html = (
        f'<section class="fm-section fm-schedule"><h3>{escape(words.title)}</h3>'
        f"<p>{escape(words.intro.format(weeks=schedule.weeks))}</p>"
        f'<table class="fm-grid"><thead><tr><th>{escape(words.week)}</th>{head}'
        f"<th>{escape(words.minutes)}</th><th>{escape(words.changes)}</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        f"<p>{escape(words.when_to_move)}</p>{notes}</section>"
    )
    return [ExtraSection("routine", html)]


def foot_map(plan: Plan, wording: Wording) -> list[ExtraSection]:
    """The foot map, after the item sections it draws, where the plan has a reflex area or point."""
    if not (plan.reflexology or plan.acupressure):
        return []
    figure = f'<figure class="fm-map">{to_svg(plan, wording)}</figure>'
    return [ExtraSection("acupressure", f'<section class="fm-section fm-foot-map">{figure}</section>')]


def what_changed(plan: Plan, wording: Wording) -> list[ExtraSection]:
    """What the session logs changed (``plan.changes``), after the safety messages."""
    sentences = change_sentences(plan, wording)
    if not sentences:
        return []
    title = escape(wording.changes.title)
    return [
        ExtraSection(
            "safety",
            f'<section class="fm-safety fm-changes"><h3>{title}</h3>'
            f"{_list([escape(s) for s in sentences])}</section>",
        )
    ]


#: The functions :func:`extra_sections` reads, in order.
EXTRA_SOURCES: list[ExtraSource] = [what_changed, week_grid, foot_map]


def to_html(plan: Plan, wording: Wording) -> str:
    """The plan as a self-contained HTML fragment for a notebook: styled inline, every text escaped.

    >>> import footmap
    >>> html = to_html(footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}),
    ...                footmap.KnowledgeBase.load().wording)
    >>> html.startswith('<div class="footmap-plan"') and "<script" not in html
    True
    """
    body = "".join(_parts(plan, wording, open_why=False))
    return f'<div class="footmap-plan"><style>{_STYLE}</style>{body}</div>'


def to_page(plan: Plan, wording: Wording) -> str:
    """The plan as one printable HTML page (``Plan.to_html()``): the notebook view with its "why"
    open, and print styles that fit A4 and Letter, with a page break before each later section.

    >>> import footmap
    >>> page = to_page(footmap.recommend({"pains": [{"area": "knee", "severity": 4}]}),
    ...                footmap.KnowledgeBase.load().wording)
    >>> page.startswith("<!DOCTYPE html>") and "@page" in page
    True
    """
    body = "".join(_parts(plan, wording, open_why=True))
    title = escape(wording.markdown.title)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(wording.display.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_STYLE}{_PAGE_STYLE}</style></head>"
        f'<body><main class="footmap-plan footmap-page"><h1 class="fm-title">{title}</h1>{body}'
        "</main></body></html>\n"
    )


def item_html(item: PlanItem, wording: Wording) -> str:
    """One item as its card, with the sources it cites (a ``PlanItem`` in a notebook)."""
    citations = Citations(item.tables)
    card = _card(item, None, wording, citations, open_why=False)
    return f'<div class="footmap-plan"><style>{_STYLE}</style>{card}{_sources(citations, wording)}</div>'


def _parts(plan: Plan, wording: Wording, *, open_why: bool) -> list[str]:
    citations = Citations(plan.tables)
    parts: dict[str, str] = {
        "triage": _banner(plan, wording, citations),
        "safety_net": _safety_net(plan, wording, citations),
        "safety": _safety(plan, wording, citations),
    }
    for key, (title, items) in zip(SECTIONS, section_items(plan, wording), strict=True):
        parts[key] = _section(key, title, items, wording, citations, open_why=open_why)
    extras = extra_sections(plan, wording)
    ordered = [
        html
        for key in SECTION_KEYS
        for html in [parts[key], *(extra.html for extra in extras if extra.after == key)]
    ]
    return [
        *ordered,
        _time(plan, wording),
        _left_out(plan, wording, open_why=open_why),
        _sources(citations, wording),
        _disclaimer(plan),
    ]


def _banner(plan: Plan, wording: Wording, citations: Citations) -> str:
    background, colour = TRIAGE_COLOURS[plan.triage]
    messages = leading_messages(plan)
    now = (
        f'<p class="fm-now">{escape(wording.display.now)}</p>' if plan.triage == "urgent" and messages else ""
    )
    listed = _list([with_mark(escape(m.message), citations.mark(m.source, wording)) for m in messages])
    return (
        f'<section class="fm-banner fm-{plan.triage}" role="status" '
        f'style="background:{background};color:{colour}">'
        f'<p class="fm-headline">{escape(headline(plan, wording))}</p>{now}{listed}</section>'
    )


def _safety_net(plan: Plan, wording: Wording, citations: Citations) -> str:
    if not plan.safety_net:
        return ""
    signs = [with_mark(escape(s.message), citations.mark(s.source, wording)) for s in plan.safety_net]
    return f'<section class="fm-net"><h3>{escape(wording.markdown.safety_net)}</h3>{_list(signs)}</section>'


def _safety(plan: Plan, wording: Wording, citations: Citations) -> str:
    messages = other_messages(plan)
    if not messages:
        return ""
    lines = [with_mark(escape(m.message), citations.mark(m.source, wording)) for m in messages]
    return f'<section class="fm-safety"><h3>{escape(wording.markdown.safety)}</h3>{_list(lines)}</section>'


def _section(
    key: str, title: str, items: list[PlanItem], wording: Wording, citations: Citations, *, open_why: bool
) -> str:
    if not items:
        return ""
    cards = "".join(
        _card(item, number, wording, citations, open_why=open_why) for number, item in enumerate(items, 1)
    )
    return f'<section class="fm-section fm-{key}"><h3>{escape(title)}</h3>{cards}</section>'


def _card(
    item: PlanItem, number: int | None, wording: Wording, citations: Citations, *, open_why: bool
) -> str:
    words = wording.display
    numbered = f'<span class="fm-number">{number}</span>' if number is not None else ""
    head = (
        f'<div class="fm-card-head"><h4>{numbered}{escape(item.name)}</h4>'
        f"{_badge(item.evidence, wording)}</div>"
    )
    summary = f'<p class="fm-summary">{escape(item.summary)}</p>'
    dose_html = _dose(item, wording)
    return (
        f'<article class="fm-card">{head}{summary}{dose_html}{_facts_row(item, wording)}'
        f'<p class="fm-label">{escape(words.evidence.format(label=item.evidence_label))}</p>'
        f"{_cautions(item, wording, citations)}{_steps(item, wording)}"
        f"{_why(item, wording, citations, open_why=open_why)}</article>"
    )


def _dose(item: PlanItem, wording: Wording) -> str:
    dosage = item.dosage
    if dosage is None:
        return ""
    dose = escape(wording.display.dose.format(dose=dosage.words or dosage.text))
    notes = "".join(
        f'<p class="fm-note">{escape(wording.markdown.adjusted.format(note=note))}</p>'
        for note in dosage.notes
    )
    return f'<p class="fm-dose">{dose}</p>{notes}'


def _facts_row(item: PlanItem, wording: Wording) -> str:
    words = wording.display
    chips = []
    if item.dosage and item.minutes:
        chips.append(words.minutes.format(minutes=f"{item.minutes:g}"))
    if item.position:
        chips.append(words.position.format(position=readable(item.position)))
    if item.equipment:
        chips.append(words.equipment.format(equipment=", ".join(readable(e) for e in item.equipment)))
    if not chips:
        return ""
    return (
        '<p class="fm-chips">' + "".join(f'<span class="fm-chip">{escape(c)}</span>' for c in chips) + "</p>"
    )


def _badge(evidence: Evidence, wording: Wording) -> str:
    background, colour = EVIDENCE_COLOURS[evidence]
    filled = EVIDENCE_ORDER.index(evidence)
    dots = "●" * filled + "○" * (len(EVIDENCE_ORDER) - 1 - filled)
    words: dict[str, str] = wording.steps.model_dump()
    return (
        f'<span class="fm-badge fm-evidence-{evidence}" style="background:{background};color:{colour}">'
        f'<span class="fm-dots" aria-hidden="true">{dots}</span> {escape(words[evidence])}</span>'
    )


def _steps(item: PlanItem, wording: Wording) -> str:
    if not item.steps:
        return ""
    if len(item.steps) == 1:
        return f'<p class="fm-step">{escape(item.steps[0])}</p>'
    steps = "".join(f"<li>{escape(step)}</li>" for step in item.steps)
    return f'<p class="fm-how">{escape(wording.display.how)}</p><ol class="fm-steps">{steps}</ol>'


def _cautions(item: PlanItem, wording: Wording, citations: Citations) -> str:
    if not item.cautions:
        return ""
    lines = [with_mark(escape(c.message), citations.mark(c.source, wording)) for c in item.cautions]
    return (
        f'<div class="fm-caution"><p class="fm-how">{escape(wording.display.cautions)}</p>'
        f"{_list(lines)}</div>"
    )


def _why(item: PlanItem, wording: Wording, citations: Citations, *, open_why: bool) -> str:
    words = wording.display
    entries = []
    for group in reason_groups(item, wording):
        summary = with_mark(escape(group.summary), citations.mark(group.source, wording))
        lines = [f'<p class="fm-reason">{summary}</p>']
        if group.facts:
            lines.append(
                f'<p class="fm-small">{escape(words.for_facts.format(facts=", ".join(group.facts)))}</p>'
            )
        lines += [
            f'<p class="fm-small fm-path">{escape(wording.markdown.why_path.format(path=path))}</p>'
            for path in group.paths
        ]
        lines += [f'<p class="fm-small">{escape(words.rule.format(rule=rule))}</p>' for rule in group.rules]
        entries.append("<li>" + "".join(lines) + "</li>")
    if item.dosage and item.dosage.words and item.dosage.text:
        quote = escape(words.source_quote.format(text=item.dosage.text))
        entries.append(f'<li><p class="fm-small">{quote}</p></li>')
    if not entries:
        return ""
    opened = " open" if open_why else ""
    return (
        f'<details class="fm-why"{opened}><summary>{escape(words.why)}</summary>'
        f"<ul>{''.join(entries)}</ul></details>"
    )


def _time(plan: Plan, wording: Wording) -> str:
    if not (plan.routine or plan.reflexology or plan.acupressure):
        return ""
    text = wording.markdown.time.format(minutes=f"{plan.minutes_per_day:g}", budget=plan.budget_minutes)
    return f'<p class="fm-time">{escape(text)}</p>'


def _left_out(plan: Plan, wording: Wording, *, open_why: bool) -> str:
    if not plan.excluded:
        return ""
    opened = " open" if open_why else ""
    lines = [
        escape(reason) + _list([escape(name) for name in names]) for reason, names in left_out_groups(plan)
    ]
    return (
        f'<details class="fm-left-out"{opened}><summary>{escape(wording.markdown.left_out)}</summary>'
        f"{_list(lines)}</details>"
    )


def _sources(citations: Citations, wording: Wording) -> str:
    entries = citations.entries()
    if not entries:
        return ""
    listed = "".join(
        f'<li><span class="fm-cite">{escape(wording.display.citation.format(number=number))}</span> '
        f"{escape(source)}</li>"
        for number, source in entries
    )
    return (
        f'<section class="fm-sources"><h3>{escape(wording.display.sources)}</h3>'
        f'<ul class="fm-source-list">{listed}</ul></section>'
    )


def _disclaimer(plan: Plan) -> str:
    return f'<p class="fm-disclaimer">{escape(plan.disclaimer)}</p>'


def _list(escaped: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{line}</li>" for line in escaped) + "</ul>" if escaped else ""


# Scoped to .footmap-plan; colours only where a background is set with them (banner, badges),
# elsewhere translucent greys over the page's own colours, so light and dark themes both read.
_STYLE = (
    ".footmap-plan{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
    "font-size:15px;line-height:1.5;max-width:50rem;color:inherit}"
    ".footmap-plan *{box-sizing:border-box}"
    ".footmap-plan h3{font-size:1.15em;margin:1.3em 0 .5em;padding-bottom:.2em;"
    "border-bottom:1px solid rgba(127,127,127,.4)}"
    ".footmap-plan h4{font-size:1.08em;margin:0;display:flex;align-items:center;gap:.5em}"
    ".footmap-plan p{margin:.35em 0}"
    ".footmap-plan ul,.footmap-plan ol{margin:.3em 0;padding-left:1.4em}"
    ".footmap-plan li{margin:.2em 0}"
    ".footmap-plan .fm-banner{border-radius:10px;padding:.8em 1.1em;margin:.4em 0 1em}"
    ".footmap-plan .fm-headline{font-size:1.25em;font-weight:700;margin:0}"
    ".footmap-plan .fm-now{font-weight:700;margin:.6em 0 0;text-transform:uppercase;letter-spacing:.04em;"
    "font-size:.85em}"
    ".footmap-plan .fm-banner ul{margin-top:.4em}"
    ".footmap-plan .fm-net{border-left:5px solid #d92d20;padding:.1em 0 .1em .9em;margin:1em 0}"
    ".footmap-plan .fm-net h3{border:0;margin-top:.3em}"
    ".footmap-plan .fm-card{border:1px solid rgba(127,127,127,.45);border-radius:10px;padding:.8em 1em;"
    "margin:.7em 0;break-inside:avoid;page-break-inside:avoid}"
    ".footmap-plan .fm-card-head{display:flex;flex-wrap:wrap;justify-content:space-between;"
    "align-items:center;gap:.4em .8em}"
    ".footmap-plan .fm-number{display:inline-flex;align-items:center;justify-content:center;"
    "min-width:1.6em;height:1.6em;border-radius:50%;border:2px solid currentColor;font-size:.85em}"
    ".footmap-plan .fm-badge{display:inline-block;border-radius:999px;padding:.1em .7em;font-size:.82em;"
    "font-weight:600;white-space:nowrap}"
    ".footmap-plan .fm-dots{letter-spacing:.08em}"
    ".footmap-plan .fm-summary{opacity:.9}"
    ".footmap-plan .fm-dose{font-weight:700;font-size:1.05em}"
    ".footmap-plan .fm-note{margin-top:-.2em}"
    ".footmap-plan .fm-chips{display:flex;flex-wrap:wrap;gap:.4em}"
    ".footmap-plan .fm-chip{border:1px solid rgba(127,127,127,.45);border-radius:6px;padding:0 .5em;"
    "font-size:.88em}"
    ".footmap-plan .fm-label{font-size:.88em;opacity:.85}"
    ".footmap-plan .fm-how{font-weight:700;margin-top:.6em}"
    ".footmap-plan .fm-caution{border-left:4px solid #f79009;padding:.1em 0 .1em .8em;margin:.6em 0}"
    ".footmap-plan .fm-why{margin-top:.6em}"
    ".footmap-plan summary{cursor:pointer;font-weight:600}"
    ".footmap-plan .fm-small{font-size:.88em;opacity:.85;margin:.1em 0}"
    ".footmap-plan .fm-reason{margin:.2em 0 0}"
    ".footmap-plan .fm-time{font-weight:600;margin:1em 0}"
    ".footmap-plan .fm-left-out{margin:1em 0}"
    ".footmap-plan .fm-source-list{list-style:none;padding-left:0;font-size:.85em}"
    ".footmap-plan .fm-cite{font-weight:700}"
    ".footmap-plan .fm-grid{border-collapse:collapse;width:100%;font-size:.9em;margin:.5em 0}"
    ".footmap-plan .fm-grid th,.footmap-plan .fm-grid td{border:1px solid rgba(127,127,127,.45);"
    "padding:.25em .4em;text-align:center;vertical-align:top}"
    ".footmap-plan .fm-grid td:last-child{text-align:left}"
    ".footmap-plan .fm-grid td{font-size:1.05em}"
    ".footmap-plan .fm-rest{opacity:.6}"
    ".footmap-plan .fm-map{margin:.5em 0}"
    ".footmap-plan .fm-map svg{max-width:100%;height:auto}"
    ".footmap-plan .fm-disclaimer{font-style:italic;font-size:.9em;opacity:.85;margin-top:1.2em}"
)

# The printable page: its own background and text colour, and print rules that fit both A4 and
# Letter (no fixed paper size: the margins and widths fit the narrower and the shorter of the two).
_PAGE_STYLE = (
    "html{color-scheme:light dark}"
    "body{margin:0;padding:2rem 1rem}"
    ".footmap-page{margin:0 auto}"
    ".footmap-page .fm-title{font-size:1.6em;margin:0 0 .4em}"
    ".footmap-page .fm-banner,.footmap-page .fm-badge{-webkit-print-color-adjust:exact;"
    "print-color-adjust:exact}"
    "@page{margin:14mm 12mm}"
    "@media print{"
    "html{color-scheme:light}"
    "body{padding:0;color:#000;background:#fff}"
    ".footmap-page{max-width:none;font-size:11pt}"
    ".footmap-page .fm-section~.fm-section{break-before:page;page-break-before:always}"
    ".footmap-page h3,.footmap-page h4,.footmap-page .fm-card-head{break-after:avoid;page-break-after:avoid}"
    ".footmap-page details>summary{list-style:none}"
    "}"
)
