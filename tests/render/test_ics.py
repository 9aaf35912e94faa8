"""The calendar (``Plan.to_ics``): it parses back through icalendar, its recurring events expand to
exactly the schedule's sessions, and it is deterministic with stable UIDs."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import footmap
from footmap import render
from tests.strategies import profile_dicts

icalendar = pytest.importorskip(
    "icalendar", reason="icalendar is a dependency of footmap: reinstall it (pip install -e '.[dev]')"
)
rrule = pytest.importorskip("dateutil.rrule", reason="python-dateutil comes with icalendar")

MONDAY = dt.date(2025, 1, 6)
BACK = {
    "pains": [{"area": "back", "severity": 6, "weeks": 3}],
    "symptoms": ["stiffness"],
    "equipment": ["towel", "tennis_ball", "chair", "wall"],
}
#: A plan whose doses step up in week 3 and some of whose items are done on fewer days.
KNEE = {"pains": [{"area": "knee", "severity": 4}], "equipment": ["band", "chair", "towel", "wall"]}


def events(text: str) -> list[Any]:
    calendar = icalendar.Calendar.from_ical(text)
    found: list[Any] = calendar.walk("VEVENT")
    return found


def occurrences(event: Any) -> list[dt.datetime]:
    """Every start of a recurring event, expanded by dateutil from its own RRULE text."""
    start = event.decoded("dtstart")
    rule = event["rrule"].to_ical().decode()
    return list(rrule.rrulestr(rule, dtstart=start))


def expected_sessions(plan: footmap.Plan, start: dt.date) -> Counter[dt.date]:
    """How many sessions each date holds, from the schedule's own week-by-week view."""
    found: Counter[dt.date] = Counter()
    for week in plan.schedule.by_week():
        for day in week.days:
            date = start + dt.timedelta(days=7 * (week.week - 1) + (day.day - start.isoweekday()) % 7)
            if day.sessions:
                found[date] = day.sessions
    return found


def test_the_calendar_round_trips_through_icalendar() -> None:
    plan = footmap.recommend(BACK)
    text = plan.to_ics(start=MONDAY)
    calendar = icalendar.Calendar.from_ical(text)
    assert calendar.to_ical().decode() == text
    assert str(calendar["version"]) == "2.0" and str(calendar["x-wr-calname"]) == "Your foot plan"
    for event in events(text):
        assert isinstance(event.decoded("dtstart"), dt.datetime)  # a time of day, not an all-day event
        assert event.decoded("duration") >= dt.timedelta(minutes=1)
        assert event.decoded("dtstamp") == dt.datetime(2025, 1, 6, tzinfo=dt.UTC)


def test_every_session_of_every_day_is_one_occurrence_with_that_days_items_and_doses() -> None:
    plan = footmap.recommend(KNEE, weeks=6)
    assert any(len(item.steps) > 1 for item in plan.schedule.items)  # the doses change
    start = dt.date(2025, 1, 8)  # a Wednesday: the items keep their own days of the week
    found: Counter[dt.date] = Counter()
    names = {item.id: item.name for item in plan.routine}
    for event in events(plan.to_ics(start=start)):
        for at in occurrences(event):
            found[at.date()] += 1
            week = (at.date() - start).days // 7 + 1
            day = plan.schedule.week(week).days[at.isoweekday() - 1]
            number = (at.hour - 8) // 4 + 1
            expected = [names[ident] for ident, step in day.items if step.times_per_day >= number]
            description = str(event["description"])
            assert [name for name in names.values() if f"{name}: " in description] == expected
    assert found == expected_sessions(plan, start)


def test_a_later_step_of_the_ladder_starts_a_new_series_with_its_own_dose() -> None:
    plan = footmap.recommend(KNEE, weeks=6)
    stepped = next(item for item in plan.schedule.items if len(item.steps) > 1)
    later = stepped.steps[1]
    found = events(plan.to_ics(start=MONDAY))
    starts = {event.decoded("dtstart").date() for event in found}
    assert MONDAY + dt.timedelta(weeks=later.week - 1) in starts
    item = next(item for item in plan.routine if item.id == stepped.id)
    before = [str(e["description"]) for e in found if e.decoded("dtstart").date() == MONDAY]
    after = [str(e["description"]) for e in found if e.decoded("dtstart").date() > MONDAY]
    line = f"{item.name}: {item.dosage.words if item.dosage else ''}"
    assert any(line in text for text in before) and not any(line in text for text in after)


def test_the_same_plan_and_start_give_the_same_bytes_and_a_new_start_keeps_the_uids() -> None:
    plan = footmap.recommend(BACK)
    assert plan.to_ics(start=MONDAY) == footmap.recommend(BACK).to_ics(start=MONDAY)
    uids = [str(event["uid"]) for event in events(plan.to_ics(start=MONDAY))]
    later = [str(event["uid"]) for event in events(plan.to_ics(start=dt.date(2025, 3, 12)))]
    assert uids == later and len(set(uids)) == len(uids)
    assert all(uid.endswith("@footmap") for uid in uids)


def test_time_sets_the_first_session_and_later_sessions_follow_four_hours_apart() -> None:
    plan = footmap.recommend(BACK)
    found = events(plan.to_ics(start=MONDAY, time=dt.time(7, 30)))
    times = sorted({event.decoded("dtstart").time() for event in found})
    assert times[0] == dt.time(7, 30) and all(t.minute == 30 for t in times)
    assert len(times) == max(day.sessions for week in plan.schedule.by_week() for day in week.days)
    with pytest.raises(ValueError, match=r"time 21:00 leaves no room for 3 sessions .* by 15:59"):
        plan.to_ics(start=MONDAY, time=dt.time(21, 0))


def test_the_description_holds_steps_cautions_safety_net_and_the_disclaimer() -> None:
    plan = footmap.recommend(BACK)
    text = str(events(plan.to_ics(start=MONDAY))[0]["description"])
    first = plan.routine[0]
    assert f"1. {first.steps[0]}" in text
    assert all(sign.message in text for sign in plan.safety_net) and plan.disclaimer in text


def test_an_urgent_plan_gives_a_calendar_with_no_event() -> None:
    plan = footmap.recommend({"pains": [{"area": "back", "severity": 8}], "symptoms": ["saddle_numbness"]})
    assert plan.triage == "urgent"
    text = plan.to_ics(start=MONDAY)
    assert events(text) == [] and text.startswith("BEGIN:VCALENDAR")


def test_the_renderer_needs_a_start_and_refuses_other_options() -> None:
    plan = footmap.recommend(BACK)
    with pytest.raises(ValueError, match="needs a start date"):
        render.render(plan, "ics")
    with pytest.raises(ValueError, match=r"start must be a datetime\.date"):
        render.render(plan, "ics", start="2025-01-06")
    with pytest.raises(ValueError, match=r"takes no option 'stat'\. Did you mean 'start'\?"):
        render.render(plan, "ics", stat=MONDAY)
    assert render.render(plan, "ics", start=MONDAY) == plan.to_ics(start=MONDAY)


@given(profile_dicts(), st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)), st.integers(1, 8))
def test_every_plans_calendar_parses_and_holds_each_scheduled_session_once(
    data: dict[str, Any], start: dt.date, weeks: int
) -> None:
    plan = footmap.recommend(data, weeks=weeks)
    found: Counter[dt.date] = Counter()
    for event in events(plan.to_ics(start=start, time=dt.time(6, 0))):
        found.update(at.date() for at in occurrences(event))
    assert found == expected_sessions(plan, start)


PROFILE = str(Path(__file__).resolve().parents[2] / "examples" / "profiles" / "back_pain.yaml")


def test_the_cli_writes_the_calendar_for_a_start(capsys: pytest.CaptureFixture[str]) -> None:
    from footmap._cli import main

    assert main(["recommend", PROFILE, "--format", "ics", "--start", "2025-01-06"]) == 0
    out = capsys.readouterr().out
    assert events(out) and out.endswith("END:VCALENDAR\r\n")


def test_the_cli_starts_on_the_next_monday_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    from footmap._cli import main

    assert main(["recommend", PROFILE, "--format", "ics"]) == 0
    captured = capsys.readouterr()
    start = min(event.decoded("dtstart") for event in events(captured.out)).date()
    assert start.isoweekday() == 1 and 0 <= (start - dt.date.today()).days < 7
    assert captured.err == f"footmap: the calendar starts on {start:%A %Y-%m-%d}; --start DATE to choose\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--format", "ics", "--start", "2025-13-01"],
            "--start must be a date, YYYY-MM-DD; got '2025-13-01'",
        ),
        (["--format", "md", "--start", "2025-01-06"], "--start does not apply to --format md"),
        (["--format", "ics", "--start", "2025-01-06", "--subject", "Patient/1"], "--subject does not apply"),
    ],
)
def test_the_cli_refuses_a_bad_start_in_one_line(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from footmap._cli import main

    assert main(["recommend", PROFILE, *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"footmap: {message}") and err.count("\n") == 1
