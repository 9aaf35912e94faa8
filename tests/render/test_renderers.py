"""Every registered renderer, pinned by golden files rendered from pinned plans (the compact
plan by the pinned plan it reads back as: its numbers are the shipped catalog's).

The plans in ``plans/`` are fixtures (Plan JSON), not recommendations: a knowledge edit changes
the scenario tests, never these goldens. After a deliberate change to a renderer or the wording,
regenerate with ``FOOTMAP_UPDATE_GOLDEN=1 python -m pytest tests/render`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

import pytest

import footmap
from footmap import render

HERE = Path(__file__).parent
PLANS = sorted(path.stem for path in (HERE / "plans").glob("*.json"))
RENDERERS = [renderer.name for renderer in render.renderers()]
#: The options of the renderers that need some, fixed so that their goldens are too.
OPTIONS: dict[str, dict[str, object]] = {
    "ics": {"start": dt.date(2025, 1, 6)},
    "fhir": {"subject": "Patient/1"},
}


def pinned(name: str) -> footmap.Plan:
    return footmap.Plan.model_validate_json((HERE / "plans" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("plan", PLANS)
def test_rendering_matches_the_golden_file(plan: str, renderer: str) -> None:
    found = render.get(renderer)
    try:
        text = render.render(pinned(plan), renderer, **OPTIONS.get(renderer, {}))
    except footmap.MissingDependencyError as error:
        pytest.skip(str(error))
    if renderer == "compact":  # numbers into the shipped catalog, which a knowledge edit changes
        assert footmap.expand_plan(text) == pinned(plan)
        return
    golden = HERE / ("plans" if renderer == "json" else "golden") / f"{plan}{found.suffix}"
    if os.environ.get("FOOTMAP_UPDATE_GOLDEN") and renderer != "json":
        golden.write_bytes(text.encode("utf-8"))
    # As bytes: a calendar's lines end in CRLF, which reading as text would turn into LF.
    assert text == golden.read_bytes().decode("utf-8"), f"{golden.name} differs; see the module doc"


def test_the_pinned_plans_span_every_triage_level() -> None:
    assert {pinned(name).triage for name in PLANS} == {"self_care", "see_clinician", "urgent"}


def test_every_renderer_has_a_distinct_suffix_and_a_description() -> None:
    renderers = render.renderers()
    assert len({r.suffix for r in renderers}) == len(renderers)
    assert all(r.description for r in renderers)


def test_the_notebook_bundle_names_a_renderer_of_each_media_type() -> None:
    assert {media: render.get(name).media_type for media, name in render.MIMEBUNDLE.items()} == {
        media: media for media in render.MIMEBUNDLE
    }


def test_the_notebook_gets_html_markdown_and_plain_text_from_the_registry() -> None:
    plan = pinned("back_pain")
    bundle = plan._repr_mimebundle_()
    assert list(bundle) == ["text/html", "text/markdown", "text/plain"]
    assert bundle["text/markdown"] == plan.to_markdown() == str(plan)
    assert bundle["text/plain"] == render.render(plan, "text") != plan.explain()
    assert bundle["text/html"] == render.render(plan, "html") == plan._repr_html_()
    assert plan.explain() == render.render(plan, "explain")
    assert plan.to_html() == render.render(plan, "handout")
    assert list(plan._repr_mimebundle_(include=["text/plain"])) == ["text/plain"]
    assert "text/html" not in plan._repr_mimebundle_(exclude=["text/html"])


def test_html_escapes_every_text() -> None:
    plan = pinned("back_pain")
    hostile = plan.model_copy(update={"disclaimer": "<script>alert(1)</script>"})
    html = render.render(hostile, "html")
    assert "<script" not in html and html.startswith('<div class="footmap-plan"')
    assert "&lt;script&gt;" in html and "&lt;script&gt;" in hostile.to_html()


def test_an_unknown_renderer_names_the_known_ones() -> None:
    with pytest.raises(
        ValueError,
        match=r"no renderer 'mdd'\. Did you mean 'md'\? Known: compact, explain, fhir, handout, html, ics",
    ):
        render.get("mdd")


def test_a_new_renderer_is_one_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "_registry", dict(render._registry))
    render.register(
        render.Renderer("count", "text/x-count", ".count", lambda p, w: str(len(p.items)), "items")
    )
    assert render.render(pinned("back_pain"), "count") == str(len(pinned("back_pain").items))
    with pytest.raises(ValueError, match="already registered"):
        render.register(render.Renderer("count", "text/x-count", ".count", lambda p, w: "", "again"))


def test_wording_is_data_a_translation_changes_the_words(tmp_path: Path) -> None:
    (tmp_path / "wording.yaml").write_text(
        "markdown:\n  title: Votre plan pour les pieds\nsections:\n  routine: Routine du jour\n",
        encoding="utf-8",
    )
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    text = render.render(pinned("back_pain"), "md", wording=kb.wording)
    assert text.startswith("# Votre plan pour les pieds") and "## Routine du jour" in text
    assert "## Advice" in text  # what the overlay does not say stays as shipped


#: Profiles of every triage level, made fresh (not pinned): what a renderer cites comes from the
#: plan's ``sources`` table, which each ``source`` field names by id.
FRESH = {
    "self_care": {"pains": [{"area": "back", "severity": 4, "weeks": 3}], "equipment": ["towel", "chair"]},
    "see_clinician": {"pains": [{"area": "back", "severity": 5}], "age": 60},
    "urgent": {"pains": [{"area": "back", "severity": 5}], "symptoms": ["saddle_numbness"]},
}


def shown(plan: footmap.Plan) -> set[str]:
    """The ids of the sources a person's page cites: the items' reasons and cautions, and the
    safety messages."""
    sources = {reason.source for item in plan.items for reason in item.why}
    sources |= {caution.source for item in plan.items for caution in item.cautions}
    return sources | {message.source for message in [*plan.safety, *plan.safety_net]}


def flat(text: str) -> str:
    """Text without its line breaks and indents (the plain-text renderers wrap long lines)."""
    return " ".join(text.split())


@pytest.mark.parametrize("profile", sorted(FRESH))
@pytest.mark.parametrize("renderer", ["text", "md", "html", "handout", "explain"])
def test_every_renderer_cites_each_source_in_full_from_the_table(profile: str, renderer: str) -> None:
    plan = footmap.recommend(FRESH[profile])
    assert plan.triage == profile
    text = flat(render.render(plan, renderer))
    if renderer in {"html", "handout"}:
        text = html.unescape(text)
    cited = shown(plan)
    if renderer == "explain":  # the trace cites the schedule's rules and what was left out too
        cited |= {note.source for note in plan.schedule.notes}
        cited |= {entry.source for entry in plan.excluded if entry.source is not None}
    assert cited
    for ident in cited:
        assert flat(plan.citation(ident)) in text, (renderer, ident)


def test_an_item_card_cites_its_sources_in_full() -> None:
    plan = footmap.recommend(FRESH["self_care"])
    item = plan.routine[0]
    bundle = item._repr_mimebundle_()
    for ident in {reason.source for reason in item.why}:
        assert html.escape(plan.citation(ident)) in bundle["text/html"]
        assert flat(plan.citation(ident)) in flat(bundle["text/plain"])
