"""What a person sees: the notebook view, the printable page and the terminal text hold every
item with its steps and dose, say each reason once, cite each source once at the end, and stay
self-contained; checked on the pinned plans and on plans of generated profiles, and the page is
rendered in a real browser."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

import footmap
from footmap import render
from tests.render.test_renderers import PLANS, pinned
from tests.strategies import profile_dicts

WORDING = footmap.KnowledgeBase.load().wording
MARK = re.compile(r"\[(\d+)\]")
VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}


class Page(HTMLParser):
    """An HTML document read with the standard library: its tags must nest, and it collects its
    text, every ``src``/``href`` and every ``<script>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []
        self.links: list[tuple[str, str, bool]] = []
        self.scripts = 0
        self.in_sources = 0
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        values = dict(attrs)
        if tag == "section" and "fm-sources" in (values.get("class") or ""):
            self.in_sources = len(self.open) + 1
        self.in_style = tag == "style"
        for name in ("src", "href"):
            if values.get(name):
                self.links.append((name, values[name] or "", bool(self.in_sources)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        if self.in_sources == len(self.open):
            self.in_sources = 0
        self.open.pop()
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if not self.in_style:
            self.text.append(data)


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    assert page.open == [], f"unclosed: {page.open}"
    return page


def split_sources(text: str, heading: str) -> tuple[str, list[str]]:
    """The body before the sources heading, and the list's lines after it."""
    body, found, tail = text.partition(heading)
    return body, (tail.splitlines() if found else [])


def check_citations(body: str, listed: list[str]) -> None:
    """Every number used in the body is in the list; the list numbers each source once, 1..n."""
    entries = [int(m.group(1)) for line in listed if (m := re.match(r"\s*\[(\d+)\]\s", line))]
    assert entries == list(range(1, len(entries) + 1)), entries
    used = {int(number) for number in MARK.findall(body)}
    assert used == set(entries), (sorted(used), entries)


def cards(html: str) -> dict[str, str]:
    """Each item card's HTML, by the item name in its heading."""
    found = {}
    for card in html.split('<article class="fm-card">')[1:]:
        card = card.split("</article>")[0]
        heading = re.search(r"<h4>(?:<span[^>]*>\d+</span>)?(.*?)</h4>", card)
        assert heading, card[:200]
        found[unescape(heading.group(1))] = card
    return found


def check_html(plan: footmap.Plan, html: str, *, page: bool) -> None:
    document = parsed(html)
    assert document.scripts == 0 and "<script" not in html
    assert "<link" not in html and "@import" not in html
    for name, value, is_citation in document.links:
        assert not value.startswith(("http:", "https:", "//")) or (is_citation and name == "href"), value
    text = "".join(document.text)
    assert not re.search(r"—\s*$", text, re.M) and "— <" not in html
    by_name = cards(html)
    assert len(by_name) == len({item.name for item in plan.items})
    for item in plan.routine:
        card = by_name[item.name]
        assert item.dosage is not None
        assert escape(item.dosage.words or item.dosage.text) in card
        assert all(escape(step) in card for step in item.steps), item.id
    for item in plan.items:
        reasons = re.findall(r'<p class="fm-reason">(.*?)</p>', by_name[item.name])
        assert len(reasons) == len(set(reasons)), (item.id, reasons)
    body, _, tail = html.partition('<section class="fm-sources">')
    listed = unescape(re.sub(r"<[^>]+>", "", re.sub("</(li|h3)>", "\n", tail))).splitlines()
    check_citations(unescape(re.sub(r"<[^>]+>", "", body.split("</style>")[-1])), listed)
    assert page == html.startswith("<!DOCTYPE html>")


def check_plain(plan: footmap.Plan, text: str, heading: str) -> None:
    assert not any(line.rstrip().endswith("—") for line in text.splitlines()), text
    body, listed = split_sources(text, heading)
    check_citations(body, listed)
    for item in plan.items:
        assert item.name in body
    for item in plan.routine:
        assert item.dosage is not None
        assert all(" ".join(step.split()) in " ".join(body.split()) for step in item.steps), item.id


def check_reasons_said_once(plan: footmap.Plan, blocks: list[str]) -> None:
    """Each item's block says each of its reasons (a summary and its source) once."""
    by_name = {block.split("\n")[0]: " ".join(block.split()) for block in blocks}
    for item in plan.items:
        block = by_name[item.name]
        pairs = {(reason.summary, reason.source) for reason in item.why}
        for summary in {summary for summary, _ in pairs}:
            expected = sum(1 for said, _ in pairs if said == summary)
            assert block.count(" ".join(summary.split())) == expected, (item.id, summary)


def check_text(plan: footmap.Plan) -> None:
    text = render.render(plan, "text")
    assert "**" not in text and not any(line.lstrip().startswith("#") for line in text.splitlines())
    check_plain(plan, text, f"\n{WORDING.display.sources}\n")
    body = text.split(f"\n{WORDING.display.sources}\n")[0].replace("\u00a0", " ")
    check_reasons_said_once(plan, [re.sub(r"^\d+\. ", "", b) for b in re.split(r"\n(?=\d+\. )", body)])


def check_markdown(plan: footmap.Plan) -> None:
    text = render.render(plan, "md")
    check_plain(plan, text, f"\n## {WORDING.display.sources}\n")
    body = text.split(f"\n## {WORDING.display.sources}\n")[0]
    check_reasons_said_once(plan, [re.sub(r"^\d+\. ", "", b) for b in body.split("\n### ")[1:]])


def check_all(plan: footmap.Plan) -> None:
    check_html(plan, render.render(plan, "html"), page=False)
    check_html(plan, plan.to_html(), page=True)
    check_text(plan)
    check_markdown(plan)


@pytest.mark.parametrize("name", PLANS)
def test_the_pinned_plans_read_well_in_every_view(name: str) -> None:
    check_all(pinned(name))


@given(profile_dicts())
def test_every_plan_reads_well_in_every_view(data: dict[str, Any]) -> None:
    check_all(footmap.recommend(data))


def test_reasons_that_share_a_summary_are_said_once_with_all_their_facts() -> None:
    plan = pinned("back_pain")
    item = next(item for item in plan.routine if item.id == "ankle_circles")
    assert len(item.why) == 2 and len({reason.summary for reason in item.why}) == 1
    card = cards(render.render(plan, "html"))[item.name]
    assert card.count('<p class="fm-reason">') == 1
    assert "For: Back pain, Joint stiffness" in card
    assert card.count("How it links up:") == 2  # each path still shown, under the one reason


def test_advice_has_no_empty_dose_and_no_dangling_dash() -> None:
    plan = pinned("back_pain")
    html = render.render(plan, "html")
    for item in plan.advice:
        card = cards(html)[item.name]
        assert "fm-dose" not in card and "—" not in re.sub(r"<[^>]+>", "", card).split(item.summary)[0]


def test_the_banner_says_the_triage_level_in_its_own_colour() -> None:
    from footmap.render._html import TRIAGE_COLOURS

    seen = {}
    for name in PLANS:
        plan = pinned(name)
        html = render.render(plan, "html")
        banner = html.split('<section class="fm-banner', 1)[1].split("</section>")[0]
        assert escape(WORDING.triage.model_dump()[plan.triage]) in banner
        seen[plan.triage] = TRIAGE_COLOURS[plan.triage][0]
        assert f"background:{seen[plan.triage]}" in banner
    assert len(set(seen.values())) == 3
    urgent = render.render(pinned("urgent"), "html").split("</section>")[0]
    assert escape(WORDING.display.now) in urgent
    assert all(escape(m.message) in urgent for m in pinned("urgent").safety if m.level == "critical")


def test_each_evidence_grade_has_its_own_badge_colour_and_words() -> None:
    from footmap.render._html import EVIDENCE_COLOURS, _badge

    badges = {grade: _badge(grade, WORDING) for grade in ("high", "moderate", "low", "very_low", "none")}
    assert len({EVIDENCE_COLOURS[grade] for grade in badges}) == 5
    for grade, badge in badges.items():
        assert escape(WORDING.steps.model_dump()[grade]) in badge and EVIDENCE_COLOURS[grade][0] in badge
    assert badges["high"].count("●") == 4 and badges["none"].count("●") == 0


def test_the_notebook_view_works_when_shown_twice() -> None:
    plan = pinned("back_pain")
    once = plan._repr_mimebundle_()["text/html"]
    assert plan._repr_mimebundle_()["text/html"] == once  # re-running the cell: the same output
    assert " id=" not in once  # nothing a second copy in the same notebook could collide with
    assert all(
        rule.startswith(".footmap-plan") for rule in re.findall(r"}([^{}@]+){", once.split("</style>")[0])
    )


def test_an_item_and_a_knowledge_base_display_themselves() -> None:
    plan = pinned("see_clinician")
    item = plan.routine[0]
    bundle = item._repr_mimebundle_()
    assert sorted(bundle) == ["text/html", "text/plain"]
    assert item._repr_html_() == bundle["text/html"]
    check_citations(*split_sources(bundle["text/plain"], f"\n{WORDING.display.sources}\n"))
    assert escape(item.name) in bundle["text/html"] and item.name in bundle["text/plain"]
    parsed(bundle["text/html"])
    kb = footmap.KnowledgeBase.load()
    summary = kb._repr_mimebundle_()
    assert str(len(kb.items)) in summary["text/plain"] and kb.fingerprint in summary["text/html"]
    assert list(kb._repr_mimebundle_(include=["text/plain"])) == ["text/plain"]
    parsed(kb._repr_html_())


def test_the_page_prints_on_a4_and_letter_with_breaks_between_sections() -> None:
    page = pinned("back_pain").to_html()
    style = page.split("<style>")[1].split("</style>")[0]
    assert "@page{" in style and "@media print{" in style
    assert "size:" not in style.split("@page{")[1].split("}")[0]  # the printer's paper: A4 or Letter
    assert "break-before:page" in style and "break-inside:avoid" in style
    assert page.count("<details") == page.count("<details class=") and '<details class="fm-why">' not in page


def test_extra_sections_go_where_they_say(monkeypatch: pytest.MonkeyPatch) -> None:
    from footmap.render import _html

    grid = '<section class="fm-week">a week of tick boxes</section>'
    monkeypatch.setattr(_html, "EXTRA_SOURCES", [lambda plan, wording: [_html.ExtraSection("routine", grid)]])
    for html in (render.render(pinned("back_pain"), "html"), pinned("back_pain").to_html()):
        routine, after = html.split('<section class="fm-section fm-routine">')[1].split("</section>", 1)
        assert after.startswith(grid) and "fm-card" in routine


# --- in a real browser ------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered rows of an 8-bit RGB or RGBA PNG (stdlib only)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    size = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(idat), width * size, [], bytes(width * size)
    for row in range(height):
        kind, line = (
            raw[row * (stride + 1)],
            bytearray(raw[row * (stride + 1) + 1 : (row + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up, corner = previous[i], previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                near = min(
                    (abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner)
                )
                line[i] = (line[i] + near[2]) & 255
        previous = bytes(line)
        rows.append(previous)
    return width, height, rows


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed: the page is not rendered in a browser"
)
def test_the_page_renders_in_a_browser(tmp_path: Path) -> None:
    plan = pinned("back_pain")
    page = tmp_path / "plan.html"
    page.write_text(plan.to_html(), encoding="utf-8")
    shot = tmp_path / "plan.png"
    browser = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    subprocess.run(
        [*browser, f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1000, 1400)
    sampled = rows[::20]
    white = sum(1 for row in sampled if row.count(255) == len(row))
    assert white < len(sampled) * 0.6, "the screenshot is mostly blank"
    green = bytes.fromhex("067647")  # the self-care banner, in the top of the page
    assert any(green in row for row in rows[:400])
    dom = subprocess.run(
        [*browser, "--dump-dom", page.as_uri()], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    shown = unescape(re.sub(r"<[^>]+>", " ", dom))
    assert all(item.name in shown for item in plan.routine)
