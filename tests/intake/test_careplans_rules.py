"""Care plan rules in isolation: the lifecycle table, time windows, days and places."""
from __future__ import annotations

from datetime import date, timedelta
from itertools import combinations
from typing import get_args

import pytest
from hypothesis import given, strategies as st
from pydantic import ValidationError

from services.intake.careplans import rules
from services.intake.careplans.schemas import LineCreate
from shared import week
from shared.errors import Conflict
from shared.events.intake import Place, ServiceMode

# -- the lifecycle ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "action", "after"), [
    ("draft", "activate", "active"),
    ("draft", "end", "ended"),  # cancelled
    ("active", "suspend", "suspended"),
    ("active", "end", "ended"),
    ("suspended", "resume", "active"),
    ("suspended", "end", "ended"),
])
def test_the_allowed_transitions(status, action, after):
    assert rules.LIFECYCLE.next(status, action) == after


@pytest.mark.parametrize(("status", "action"), [
    ("draft", "suspend"), ("draft", "resume"),
    ("active", "activate"), ("active", "resume"),
    ("suspended", "activate"), ("suspended", "suspend"),
    *[("ended", action) for action in rules.ACTIONS],
])
def test_every_other_transition_is_refused(status, action):
    with pytest.raises(Conflict) as refused:
        rules.LIFECYCLE.next(status, action)
    assert (refused.value.status, refused.value.extra["current_status"]) == (409, status)
    assert f"cannot {action} a plan that is {status}" in str(refused.value)


def test_the_table_only_names_known_statuses_and_actions():
    for (status, action), after in rules.TRANSITIONS.items():
        assert status in rules.STATUSES and after in rules.STATUSES and action in rules.ACTIONS
    assert rules.EDITABLE.issubset(rules.STATUSES)


# What the issue asks of the lifecycle, written independently of the table:
# draft -> active -> suspended -> active, active|suspended -> ended, draft -> ended.
COMES_FROM = {"active": {"draft", "suspended"}, "suspended": {"active"}, "ended": {"draft", "active", "suspended"}}


@given(st.lists(st.sampled_from((*rules.ACTIONS, "archive", "")), max_size=40))
def test_no_sequence_of_actions_leaves_the_lifecycle_and_ended_is_terminal(actions):
    status = "draft"
    for action in actions:
        try:
            after = rules.LIFECYCLE.next(status, action)
        except Conflict:
            assert (status, action) not in rules.TRANSITIONS
            continue
        assert after in rules.STATUSES and status in COMES_FROM[after]  # never back to draft either
        assert status != "ended"  # nothing ever leaves it
        status = after
    assert status in rules.STATUSES


@given(st.sampled_from(rules.STATUSES))
def test_the_allowed_actions_are_exactly_those_that_succeed(status):
    succeeding = []
    for action in rules.ACTIONS:
        try:
            rules.LIFECYCLE.next(status, action)
            succeeding.append(action)
        except Conflict:
            pass
    assert rules.LIFECYCLE.allowed(status) == succeeding
    assert (succeeding == []) == (status == "ended")


# -- time windows ---------------------------------------------------------------------------------------------


def clock(total_minutes: int) -> str:
    return f"{total_minutes // 60:02d}:{total_minutes % 60:02d}"


windows = st.lists(
    st.tuples(st.integers(0, 1439), st.integers(1, 1440)).filter(lambda w: w[0] < w[1])
    .map(lambda w: (clock(w[0]), clock(w[1]))), max_size=6)


def overlap(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return week.minutes(a[0]) < week.minutes(b[1]) and week.minutes(b[0]) < week.minutes(a[1])


@given(windows)
def test_an_overlap_is_found_exactly_when_two_windows_share_a_minute(spans):
    found = week.first_overlap(spans)
    any_pair = any(overlap(a, b) for a, b in combinations(spans, 2))
    assert (found is not None) == any_pair
    if found is not None:
        i, j = found
        assert i < j and overlap(spans[i], spans[j])


def test_windows_that_touch_do_not_overlap():
    assert week.first_overlap([("10:00", "11:00"), ("09:00", "10:00"), ("11:00", "24:00")]) is None
    assert week.first_overlap([("09:00", "12:00"), ("13:00", "14:00"), ("11:59", "12:30")]) == (0, 2)


@given(st.integers(0, 1440))
def test_minutes_reads_a_clock(total):
    assert week.minutes(clock(total)) == total


@given(windows)
def test_a_line_accepts_its_windows_exactly_when_none_overlap(spans):
    body = {"service_type": "home_help", "per_week": 3, "time_windows": [{"start": s, "end": e} for s, e in spans]}
    if week.first_overlap(spans) is None:
        assert [(w.start, w.end) for w in LineCreate(**body).time_windows] == spans
    else:
        with pytest.raises(ValidationError) as refused:
            LineCreate(**body)
        assert [e["loc"] for e in refused.value.errors()] == [("time_windows",)]


@given(st.integers(0, 1439), st.integers(0, 1439))
def test_a_window_ends_after_it_starts(start, end):
    body = {"service_type": "home_help", "per_week": 3, "time_windows": [{"start": clock(start), "end": clock(end)}]}
    if start < end:
        LineCreate(**body)
    else:
        with pytest.raises(ValidationError) as refused:
            LineCreate(**body)
        assert refused.value.errors()[0]["loc"] == ("time_windows", 0, "end")


@given(st.lists(st.sampled_from(rules.WEEKDAYS), max_size=7))
def test_preferred_days_are_each_named_once_and_kept_in_week_order(days):
    body = {"service_type": "home_help", "per_week": 3, "preferred_days": days}
    if len(set(days)) == len(days):
        assert LineCreate(**body).preferred_days == days
    else:
        with pytest.raises(ValidationError):
            LineCreate(**body)
    ordered = rules.week_order(days)
    assert set(ordered) == set(days)
    assert ordered == sorted(ordered, key=rules.WEEKDAYS.index)


@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-1000, 1000),
                 st.integers(0, 700).map(lambda quarters: quarters / 4)))
def test_per_week_is_in_quarters_from_one_quarter_to_the_hours_of_a_week(per_week):
    body = {"service_type": "home_help", "per_week": per_week}
    if 0.25 <= per_week <= 168 and float(per_week * 4).is_integer():
        assert LineCreate(**body).per_week == per_week
    else:
        with pytest.raises(ValidationError):
            LineCreate(**body)


@pytest.mark.parametrize("per_week", [True, False, "6", None, 1e-300])
def test_per_week_is_a_number_not_a_flag_a_text_or_next_to_nothing(per_week):
    with pytest.raises(ValidationError):
        LineCreate(service_type="home_help", per_week=per_week)


def test_every_mode_has_a_default_place():
    for mode in get_args(ServiceMode):
        assert rules.default_place(mode) in get_args(Place)
    assert rules.default_place("home_visit") == "home" and rules.default_place("group") == "group_venue"


# -- periods -----------------------------------------------------------------------------------------------------


@given(st.dates(), st.dates(), st.dates())
def test_a_period_is_in_force_from_its_first_to_its_last_day(starts_on, ends_on, on):
    assert rules.in_force(starts_on, ends_on, on) == (starts_on <= on <= ends_on)
    assert rules.in_force(starts_on, None, on) == (starts_on <= on)


TODAY = date(2025, 6, 1)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 6, 1)), st.integers(0, 3660))
def test_a_period_from_2000_and_within_ten_years_of_today_lasting_at_most_ten_years_is_fine(starts_on, days):
    ends_on = min(starts_on + timedelta(days=days), rules.years_after(starts_on, 10))
    assert rules.period_problems(starts_on, ends_on, today=TODAY) == []
    assert rules.period_problems(starts_on, None, today=TODAY) == []


@pytest.mark.parametrize(("starts_on", "ends_on", "field"), [
    (date(1999, 12, 31), None, "starts_on"),
    (date(2035, 6, 2), None, "starts_on"),  # over ten years from today
    (date(2021, 7, 5), date(2021, 7, 4), "ends_on"),
    (date(2021, 7, 5), date(2031, 7, 6), "ends_on"),  # over ten years long
    (date(2020, 2, 29), date(2030, 3, 1), "ends_on"),
])
def test_a_period_outside_carecircles_days_is_a_problem_of_its_field(starts_on, ends_on, field):
    assert [name for name, _ in rules.period_problems(starts_on, ends_on, today=TODAY)] == [field]


def test_ten_years_after_29_february_is_28_february():
    assert rules.years_after(date(2020, 2, 29), 10) == date(2030, 2, 28)


@given(st.dates(), st.one_of(st.none(), st.dates()))
def test_a_period_is_within_another_when_it_starts_and_ends_in_it(starts_on, ends_on):
    programme = (date(2021, 7, 1), date(2022, 6, 30))
    expected = ends_on is not None and programme[0] <= starts_on and ends_on <= programme[1]
    assert rules.within(starts_on, ends_on, programme) == expected
