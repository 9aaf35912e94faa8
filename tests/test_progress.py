"""``footmap.progress``: the trend rule, adherence, items, order independence, and its display."""

from __future__ import annotations

import datetime
import doctest
import random
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import footmap
from footmap._programme.progress import DROPPED_AFTER, TREND_POINTS, TREND_WINDOW_DAYS, sessions_per_day
from tests.strategies import log_files

REPO = Path(__file__).resolve().parents[1]
START = datetime.date(2027, 1, 4)
SVG = "{http://www.w3.org/2000/svg}"


def _log(
    day: int, before: int | None = None, *, items: list[dict[str, Any]] | None = None, **fields: Any
) -> dict[str, Any]:
    log: dict[str, Any] = {"date": START + datetime.timedelta(days=day), **fields}
    log["items"] = items if items is not None else [{"id": "toe_walking", "sets": 2}]
    if before is not None:
        log["pain"] = [{"area": "back", "before": before, "after": before}]
    return log


def _trend(befores: list[int | None]) -> footmap.ComplaintProgress:
    logs = [_log(day, before) for day, before in enumerate(befores) if before is not None]
    (complaint,) = footmap.progress(logs).complaints
    return complaint


# --- the trend ----------------------------------------------------------------------------------


def test_a_drop_of_one_point_between_the_first_and_last_week_is_improving() -> None:
    complaint = _trend([6] * 7 + [5] * 7)
    assert (complaint.trend, complaint.first_mean, complaint.last_mean, complaint.window_days) == (
        "improving",
        6,
        5,
        7,
    )


def test_a_change_just_under_one_point_is_stable() -> None:
    # first week mean 6, last week mean 37/7 = 5.29: a drop of 0.71
    assert _trend([6] * 7 + [5, 5, 5, 5, 5, 6, 6]).trend == "stable"


def test_a_rise_of_one_point_is_worse_exactly_at_the_threshold() -> None:
    # means 10/3 and 13/3 differ by exactly 1, which floats put at 0.9999999999999996
    assert TREND_POINTS == 1
    assert _trend([3, 3, 4, 4, 4, 5]).trend == "worse"


def test_only_the_first_and_last_windows_count() -> None:
    middle_spike = [6] * 7 + [10] * 10 + [4] * 7
    complaint = _trend(middle_spike)
    assert (complaint.trend, complaint.first_mean, complaint.last_mean) == ("improving", 6, 4)


def test_a_short_span_compares_its_halves() -> None:
    complaint = _trend([7, 7, 7, 4, 4, 4])
    assert (complaint.window_days, complaint.trend) == (3, "improving")
    assert TREND_WINDOW_DAYS == 7


def test_too_few_days_is_too_early_to_tell() -> None:
    assert _trend([8]).trend is None
    assert _trend([8, 2]).trend is None  # one day in each window
    assert _trend([8, None, None, 2]).trend is None  # four days' span, one day of pain in each half
    assert _trend([8, 8, 2, 2]).trend == "improving"


def test_complaints_are_kept_apart_by_area_and_side() -> None:
    logs = [
        {
            "date": START + datetime.timedelta(days=day),
            "pain": [
                {"area": "knee", "side": "left", "before": 8 - day, "after": 3},
                {"area": "knee", "side": "right", "before": 2 + day, "after": 3},
                {"area": "knee", "before": 5, "after": 5},
            ],
        }
        for day in range(6)
    ]
    found = {(c.area, c.side): c.trend for c in footmap.progress(logs).complaints}
    assert found == {("knee", None): "stable", ("knee", "left"): "improving", ("knee", "right"): "worse"}


def test_the_series_holds_every_session_in_order() -> None:
    logs = [_log(2, 5, session=2), _log(0, 3), _log(2, 4)]
    points = footmap.progress(logs).complaints[0].points
    assert [(p.date.day, p.session, p.before) for p in points] == [(4, 1, 3), (6, 1, 4), (6, 2, 5)]


# --- adherence ----------------------------------------------------------------------------------


def test_without_a_plan_adherence_is_days_done_out_of_the_span() -> None:
    skipped_all = _log(3, items=[{"id": "toe_walking", "skipped": True}])
    adherence = footmap.progress([_log(0), _log(1), skipped_all, _log(9)]).adherence
    assert (adherence.days, adherence.days_logged, adherence.days_done) == (10, 4, 3)
    assert (adherence.sessions_logged, adherence.sessions_done, adherence.sessions_planned) == (4, 3, None)
    assert adherence.rate == pytest.approx(0.3)


def test_with_a_plan_without_a_schedule_one_session_a_day_is_planned() -> None:
    plan = footmap.recommend({"pains": [{"area": "back", "severity": 5}]})
    assert getattr(plan, "schedule", None) is None or sessions_per_day(plan) >= 1
    adherence = footmap.progress([_log(0), _log(1), _log(4)], plan=plan).adherence
    assert (adherence.sessions_per_day, adherence.sessions_planned, adherence.sessions_done) == (
        sessions_per_day(plan),
        5 * sessions_per_day(plan),
        3,
    )


@pytest.mark.parametrize(
    ("schedule", "per_day"),
    [
        (SimpleNamespace(sessions_per_day=2), 2),
        ({"sessions_per_day": 3}, 3),
        (SimpleNamespace(weeks=[]), 1),
        (SimpleNamespace(sessions_per_day=0), 1),
        (SimpleNamespace(sessions_per_day=True), 1),
        (None, 1),
    ],
)
def test_the_plans_schedule_is_read_defensively(schedule: object, per_day: int) -> None:
    plan = SimpleNamespace(schedule=schedule, items=[])
    assert sessions_per_day(plan) == per_day
    logs = [_log(0), _log(0, session=2), _log(1)]
    adherence = footmap.progress(logs, plan=plan).adherence
    assert (adherence.sessions_planned, adherence.rate) == (2 * per_day, pytest.approx(3 / (2 * per_day)))


def test_no_logs_is_no_progress_yet() -> None:
    result = footmap.progress([])
    assert (result.complaints, result.items, result.adherence.days, result.adherence.rate) == (
        [],
        [],
        0,
        None,
    )
    assert "No sessions logged yet." in result.to_text()
    ET.fromstring(result.to_svg())


# --- items --------------------------------------------------------------------------------------


def test_each_item_counts_done_and_skipped_with_its_first_and_last_dose() -> None:
    logs = [
        _log(0, items=[{"id": "toe_walking", "sets": 2, "seconds": 30}, {"id": "toe_press", "sets": 3}]),
        _log(1, items=[{"id": "toe_walking", "skipped": True}, {"id": "toe_press", "sets": 2}]),
        _log(
            2,
            items=[
                {"id": "toe_walking", "sets": 3, "seconds": 30},
                {"id": "toe_press", "sets": 3, "reps": 5},
            ],
        ),
        _log(3, items=[{"id": "toe_walking", "sets": 3, "seconds": 20}, {"id": "ankle_circles", "reps": 10}]),
    ]
    items = {item.id: item for item in footmap.progress(logs).items}
    walking = items["toe_walking"]
    assert (walking.times_done, walking.times_skipped, walking.first_dose, walking.last_dose) == (
        3,
        1,
        {"sets": 2, "seconds": 30},
        {"sets": 3, "seconds": 20},
    )
    assert walking.status == "steady"  # more sets but fewer seconds: neither more nor less
    assert items["toe_press"].status == "steady"  # 3 sets, then 3 sets of 5: the shared field is the same
    assert items["ankle_circles"].status == "steady" and items[
        "ankle_circles"
    ].last_done == START + datetime.timedelta(3)


@pytest.mark.parametrize(
    ("first", "last", "status"),
    [
        ({"sets": 2, "reps": 10}, {"sets": 3, "reps": 10}, "progressed"),
        ({"sets": 2, "reps": 10}, {"sets": 2, "reps": 8}, "regressed"),
        ({"sets": 2}, {"reps": 8}, "steady"),
        ({}, {"sets": 2}, "steady"),
    ],
)
def test_progressed_and_regressed_compare_the_fields_both_doses_give(
    first: dict[str, int], last: dict[str, int], status: str
) -> None:
    logs = [_log(0, items=[{"id": "toe_press", **first}]), _log(5, items=[{"id": "toe_press", **last}])]
    assert footmap.progress(logs).items[0].status == status


def test_an_item_left_out_of_the_last_sessions_done_is_dropped() -> None:
    pressing = [{"id": "toe_press", "sets": 2}, {"id": "toe_walking", "sets": 2}]
    logs = [_log(0, items=pressing)] + [_log(day) for day in range(1, DROPPED_AFTER)]
    assert {i.id: i.status for i in footmap.progress(logs).items}["toe_press"] != "dropped"
    logs.append(_log(DROPPED_AFTER + 5, items=[{"id": "toe_walking", "skipped": True}]))  # not a session done
    assert {i.id: i.status for i in footmap.progress(logs).items}["toe_press"] != "dropped"
    logs.append(_log(DROPPED_AFTER + 6))
    dropped = {i.id: i for i in footmap.progress(logs).items}["toe_press"]
    assert (dropped.status, dropped.sessions_since_done) == ("dropped", DROPPED_AFTER)


def test_with_a_plan_its_items_never_logged_are_not_started() -> None:
    plan = footmap.recommend({"pains": [{"area": "back", "severity": 5}], "equipment": ["towel"]})
    timed = {item.id for item in [*plan.routine, *plan.reflexology, *plan.acupressure]}
    logged = sorted(timed)[0]
    items = {item.id: item for item in footmap.progress([_log(0, items=[{"id": logged}])], plan=plan).items}
    assert set(items) == timed
    assert items[logged].times_done == 1 and items[logged].in_plan
    assert all(items[ident].status == "not_started" for ident in timed - {logged})


def test_only_skipped_is_not_started() -> None:
    (item,) = footmap.progress([_log(0, items=[{"id": "toe_press", "skipped": True}])]).items
    assert (item.status, item.times_done, item.times_skipped, item.in_plan) == ("not_started", 0, 1, None)


# --- symptoms -----------------------------------------------------------------------------------


def test_a_red_flag_logged_is_a_warning_first(kb: footmap.KnowledgeBase) -> None:
    urgent = sorted(i for (v, i), t in kb.terms.items() if v == "symptoms" and t.red_flag == "urgent")[0]
    plain = sorted(i for (v, i), t in kb.terms.items() if v == "symptoms" and t.red_flag is None)[0]
    result = footmap.progress([_log(0, 3, new_symptoms=[urgent, plain])])
    name = kb.terms[("symptoms", urgent)].name
    assert [(s.id, s.red_flag) for s in result.new_symptoms] == sorted([(urgent, "urgent"), (plain, None)])
    warning = kb.wording.progress.urgent.format(symptoms=name)
    assert result.to_text().splitlines()[1] == f"! {warning}"
    assert f"> **{warning}**" in result.to_markdown().replace("\\", "")
    assert (
        kb.wording.progress.urgent.format(symptoms=kb.terms[("symptoms", plain)].name) not in result.to_text()
    )


def test_without_a_red_flag_there_is_no_warning(kb: footmap.KnowledgeBase) -> None:
    plain = sorted(i for (v, i), t in kb.terms.items() if v == "symptoms" and t.red_flag is None)[0]
    assert "!" not in footmap.progress([_log(0, 3, new_symptoms=[plain])]).to_text()


# --- order independence -------------------------------------------------------------------------


@given(logs=log_files(), seed=st.integers())
def test_logs_in_any_order_give_the_same_progress(logs: list[footmap.SessionLog], seed: int) -> None:
    shuffled = list(logs)
    random.Random(seed).shuffle(shuffled)
    one, other = footmap.progress(logs), footmap.progress(shuffled)
    assert one == other
    assert one.model_dump_json() == other.model_dump_json() and one.to_svg() == other.to_svg()


@given(logs=log_files())
def test_any_logs_give_a_chart_that_parses_and_counts_that_add_up(logs: list[footmap.SessionLog]) -> None:
    result = footmap.progress(logs)
    root = ET.fromstring(result.to_svg())
    assert root.get("role") == "img" and root.get("aria-label")
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}foreignObject"))
    panels = len(result.complaints)
    assert sum(len(c.points) for c in result.complaints) == sum(len(log.pain) for log in logs)
    circles = len(list(root.iter(f"{SVG}circle")))
    assert circles == 1 + sum(len(c.points) for c in result.complaints)  # the legend's, then each "before"
    assert panels == len({pain.complaint for log in logs for pain in log.pain})
    assert result.adherence.sessions_done == sum(log.done for log in logs)
    for item in result.items:
        assert item.times_done + item.times_skipped == sum(i.id == item.id for log in logs for i in log.items)


# --- display ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> footmap.Progress:
    return footmap.progress(footmap.read_logs(REPO / "examples" / "logs" / "logs.csv"))


def test_the_chart_has_a_title_a_label_and_one_panel_per_complaint(example: footmap.Progress) -> None:
    root = ET.fromstring(example.to_svg())
    assert root.tag == f"{SVG}svg"
    assert root.findtext(f"{SVG}title") == "Pain over time"
    assert "Back pain" in (root.get("aria-label") or "")
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "Back pain" in texts and "2027-01-04" in texts and "2027-01-19" in texts
    assert len(list(root.iter(f"{SVG}polyline"))) == 3  # before, after, next morning


def test_names_from_the_knowledge_are_escaped_in_every_form(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.yaml").write_text(
        'pain_areas:\n  - {id: shin, name: "Shin <b>&</b> *pain*"}\n', encoding="utf-8"
    )
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    logs = [
        {"date": f"2027-01-0{day}", "pain": [{"area": "shin", "before": 3, "after": 4}]} for day in (1, 2)
    ]
    result = footmap.progress(logs, knowledge=kb)
    ET.fromstring(result.to_svg())
    assert "<b>" not in result.to_html() and "&lt;b&gt;" in result.to_html()
    assert "\\*pain\\*" in result.to_markdown() and "\\<b\\>" in result.to_markdown()


def test_the_mimebundle_has_html_with_the_chart_and_every_form(example: footmap.Progress) -> None:
    bundle = example._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/markdown", "image/svg+xml", "text/plain"}
    assert "<svg" in bundle["text/html"] and bundle["text/plain"] == str(example) == example.to_text()
    assert set(example._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}
    assert "text/html" not in example._repr_mimebundle_(exclude=["text/html"])


def test_the_text_speaks_the_wording_of_its_knowledge(tmp_path: Path) -> None:
    (tmp_path / "wording.yaml").write_text(
        "progress:\n  title: Vos progrès\n  improving: en progrès\n", encoding="utf-8"
    )
    kb = footmap.KnowledgeBase.load(tmp_path, overlay=True)
    result = footmap.progress(footmap.read_logs(REPO / "examples" / "logs" / "logs.csv"), knowledge=kb)
    assert result.to_text().startswith("Vos progrès: ") and "Back pain: en progrès" in result.to_text()


def test_the_programme_page_examples_run() -> None:
    failures, tried = doctest.testfile(str(REPO / "docs" / "programme.md"), module_relative=False)
    assert tried > 5 and failures == 0


def test_a_progress_read_back_from_json_still_shows_itself(example: footmap.Progress) -> None:
    again = footmap.Progress.model_validate_json(example.model_dump_json())
    assert again.to_text() == example.to_text() and again.to_svg() == example.to_svg()
