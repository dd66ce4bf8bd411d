"""Visit generation and assignment in isolation: hours and visits a week over many weeks,
days and windows, local time across daylight-saving changes, and who gets a visit."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, strategies as st

from services.scheduling.staff.rules import WEEKDAYS
from services.scheduling.visits import assignment, rules
from services.scheduling.visits.rules import LineRule
from shared.localtime import moment

MONDAY = date(2026, 12, 7)
per_week = st.integers(1, 4 * 40).map(lambda quarters: quarters / 4)  # steps of a quarter, as plans allow
durations = st.sampled_from([30, 45, 60, 90, 120, 180])
day_sets = st.lists(st.sampled_from(WEEKDAYS), unique=True, max_size=7)


@given(per_week, durations, st.integers(1, 12))
def test_hours_a_week_are_delivered_to_the_minute_over_the_weeks(hours, duration, weeks):
    line = LineRule("hour", hours, duration)
    delivered = sum(sum(rules.lengths_in_week(line, k)) for k in range(weeks))
    assert delivered == int(hours * 60 * weeks)
    assert all(length >= rules.MIN_VISIT or length == delivered
               for k in range(weeks) for length in rules.lengths_in_week(line, k))


@given(per_week, st.integers(1, 12))
def test_visits_a_week_are_delivered_whole_over_the_weeks(visits, weeks):
    line = LineRule("visit", visits, 60)
    counts = [len(rules.lengths_in_week(line, k)) for k in range(weeks)]
    assert sum(counts) == int(visits * weeks)
    assert max(counts) - min(counts) <= 1  # 2.5 a week: 2 and 3 by turns


@given(per_week, durations, day_sets)
def test_visits_fall_on_the_preferred_days_and_within_the_windows_when_they_fit(hours, duration, days):
    line = LineRule("hour", min(hours, 10), duration, tuple(days), (("08:00", "12:00"), ("13:00", "18:00")))
    slots = rules.slots_in_week(line, 0, MONDAY)
    allowed = {WEEKDAYS.index(day) for day in days} or set(range(5))
    assert {slot.day.weekday() for slot in slots} <= allowed
    for slot in slots:
        assert slot.start >= 8 * 60
        fits = any(start <= slot.start and slot.end <= end for start, end in ((480, 720), (780, 1080)))
        assert fits or slot.start >= 780 or slot.length > 240


@given(per_week, durations, day_sets)
def test_a_lines_visits_of_one_day_never_overlap(hours, duration, days):
    slots = rules.slots_in_week(LineRule("hour", hours, duration, tuple(days)), 0, MONDAY)
    for a in slots:
        for b in slots:
            assert a is b or a.day != b.day or a.end <= b.start or b.end <= a.start


def test_two_visits_of_five_days_are_spread():
    assert rules.days_for(LineRule("visit", 2, 60), 2) == [0, 2]
    assert rules.days_for(LineRule("visit", 3, 60, ("fri", "mon", "wed")), 3) == [0, 2, 4]
    assert rules.days_for(LineRule("visit", 4, 60, ("tue",)), 4) == [1, 1, 1, 1]


def test_only_the_days_asked_for_and_from_the_plans_first_week():
    line = LineRule("hour", 6, 120, ("mon", "wed", "fri"), (("09:00", "12:00"),))
    slots = rules.slots_between(line, date(2026, 12, 2), date(2026, 12, 2), date(2026, 12, 13))
    assert [(s.day.isoformat(), s.start, s.length) for s in slots] == [
        ("2026-12-02", 540, 120), ("2026-12-04", 540, 120),  # the first week, from Wednesday
        ("2026-12-07", 540, 120), ("2026-12-09", 540, 120), ("2026-12-11", 540, 120)]


@pytest.mark.parametrize(("day", "minute", "utc"), [
    (date(2026, 3, 28), 9 * 60, "2026-03-28T07:00:00+00:00"),  # Sofia in winter: UTC+2
    (date(2026, 3, 29), 9 * 60, "2026-03-29T06:00:00+00:00"),  # the day summer time begins: UTC+3
    (date(2026, 10, 25), 9 * 60, "2026-10-25T07:00:00+00:00"),  # the day it ends
    (date(2026, 3, 29), 3 * 60 + 30, "2026-03-29T01:30:00+00:00"),  # 03:30 does not exist that night
])
def test_local_times_are_read_in_the_municipalitys_zone(day, minute, utc):
    assert moment(day, minute, "Europe/Sofia").isoformat() == utc


# -- assignment ---------------------------------------------------------------------------------

CLIENT = uuid.uuid4()
WEEKDAYS_9_TO_5 = {weekday: [(9 * 60, 17 * 60)] for weekday in range(5)}


def member(**overrides) -> assignment.Member:
    facts = {"id": uuid.uuid4(), "roles": frozenset({"home_helper"}), "contracted_minutes": 40 * 60,
             "week": WEEKDAYS_9_TO_5, **overrides}
    return assignment.Member(**facts)


def visit(day: date = MONDAY, start: int = 9 * 60, length: int = 120, place=(42.0, 24.0), client=CLIENT,
          preferred=None) -> assignment.Visit:
    starts_at = moment(day, start, "Europe/Sofia")
    return assignment.Visit(client_id=client, roles=frozenset({"home_helper"}), starts_at=starts_at,
                            ends_at=starts_at + timedelta(minutes=length), day=day, start=start, end=start + length,
                            place=place, preferred=preferred)


def test_a_visit_goes_to_the_preferred_worker_then_the_usual_one_then_the_least_loaded():
    usual, other, preferred = member(), member(), member()
    usual.book(visit(MONDAY + timedelta(days=1)))
    assert assignment.choose(visit(), [other, usual])[0] is usual
    assert assignment.choose(visit(start=12 * 60, preferred=preferred.id), [other, usual, preferred])[0] is preferred
    busy = member()
    busy.book(visit(MONDAY + timedelta(days=2), client=uuid.uuid4()))
    free = member()
    assert assignment.choose(visit(client=uuid.uuid4()), [busy, free])[0] is free


@pytest.mark.parametrize(("who", "wanted", "reason"), [
    (member(roles=frozenset({"psychologist"})), visit(), assignment.NO_STAFF_IN_ROLE),
    (member(left_on=MONDAY - timedelta(days=1)), visit(), assignment.NOT_WORKING),
    (member(away=[(MONDAY, MONDAY)]), visit(), assignment.NOT_WORKING),
    (member(), visit(start=16 * 60), assignment.NOT_AVAILABLE),  # ends after 17:00
    (member(), visit(day=MONDAY + timedelta(days=5)), assignment.NOT_AVAILABLE),  # Saturday
    (member(contracted_minutes=60), visit(), assignment.OVER_CONTRACTED_HOURS),
])
def test_a_visit_no_one_can_do_keeps_the_reason(who, wanted, reason):
    assert assignment.choose(wanted, [who]) == (None, reason)


def test_a_visit_past_midnight_goes_on_in_the_next_days_window_from_midnight():
    nights = {0: [(20 * 60, 24 * 60)], 1: [(0, 6 * 60)], 2: [(60, 6 * 60)]}  # Mon 20-24, Tue 0-6, Wed 1-6
    late = visit(start=23 * 60, length=120)  # Monday 23:00 to Tuesday 01:00
    assert assignment.choose(late, [member(week=nights)])[0] is not None
    assert assignment.choose(visit(day=MONDAY + timedelta(days=1), start=23 * 60, length=120),
                             [member(week=nights)]) == (None, assignment.NOT_AVAILABLE)  # Tuesday 23:00
    assert assignment.choose(late, [member(week={0: [(20 * 60, 24 * 60)]})]) == (None, assignment.NOT_AVAILABLE)


def test_a_worker_is_never_booked_twice_nor_without_time_to_travel():
    worker = member()
    assert assignment.choose(visit(start=9 * 60, place=(42.0, 24.0)), [worker])[0] is worker
    # 11:00 at the same place follows at once; 11:00 twenty kilometres away does not
    assert assignment.choose(visit(start=10 * 60, length=60), [worker]) == (None, assignment.DOUBLE_BOOKED)
    far = visit(start=11 * 60, length=60, place=(42.18, 24.0))
    assert assignment.choose(far, [worker]) == (None, assignment.DOUBLE_BOOKED)
    assert assignment.choose(visit(start=11 * 60, length=60), [worker])[0] is worker
    assert assignment.travel((42.0, 24.0), (42.18, 24.0)) > timedelta(minutes=40)


def test_the_reason_is_that_of_the_candidate_who_came_closest():
    wanted = visit()
    assert assignment.closest_reason(wanted, [member(roles=frozenset({"lawyer"})), member(contracted_minutes=0)]) \
        == assignment.OVER_CONTRACTED_HOURS
    assert assignment.closest_reason(wanted, []) == assignment.NO_STAFF_IN_ROLE


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(8 * 60, 16 * 60), st.sampled_from([30, 60, 120])),
                max_size=40))
def test_whatever_is_asked_no_worker_is_double_booked_or_over_contract(asked):
    team = [member(contracted_minutes=10 * 60) for _ in range(3)]
    booked = []
    for weekday, start, length in asked:
        wanted = visit(MONDAY + timedelta(days=weekday), start, length, client=uuid.uuid4())
        chosen, reason = assignment.choose(wanted, team)
        assert (chosen is None) == (reason is not None)
        if chosen:
            booked.append((chosen.id, wanted))
    for worker in team:
        mine = sorted((v for who, v in booked if who == worker.id), key=lambda v: v.starts_at)
        assert all(a.ends_at <= b.starts_at for a, b in pairwise(mine))
        assert sum((v.end - v.start) for v in mine) <= worker.contracted_minutes


def test_a_visit_may_start_later_within_its_window():
    line = LineRule("hour", 2, 120, ("mon",), (("09:00", "12:00"), ("14:00", "16:00")))
    assert rules.later_starts(line, rules.Slot(MONDAY, 540, 120)) == [570, 600]
    assert rules.later_starts(line, rules.Slot(MONDAY, 840, 120)) == []
    assert rules.later_starts(LineRule("visit", 1, 60), rules.Slot(MONDAY, 480, 60))[-1] == 17 * 60
