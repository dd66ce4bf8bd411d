"""Staff rules in isolation: overlapping windows of a usual week, and who still works."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, strategies as st

from services.scheduling.staff.rules import WEEKDAYS, first_overlap_on_a_day
from shared.events.scheduling import has_left
from shared.week import minutes


def clock(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


windows = st.lists(st.tuples(st.sampled_from(WEEKDAYS[:3]), st.integers(0, 1439), st.integers(1, 1440))
                   .filter(lambda w: w[1] < w[2]).map(lambda w: (w[0], clock(w[1]), clock(w[2]))), max_size=8)


def overlap(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
    return a[0] == b[0] and minutes(a[1]) < minutes(b[2]) and minutes(b[1]) < minutes(a[2])


@given(windows)
def test_an_overlap_is_found_exactly_when_two_windows_of_one_day_share_a_minute(week):
    found = first_overlap_on_a_day(week)
    pairs = [(i, j) for i in range(len(week)) for j in range(i + 1, len(week)) if overlap(week[i], week[j])]
    assert (found is not None) == bool(pairs)
    if found is not None:
        assert found in pairs


def test_the_same_hours_on_two_days_do_not_overlap():
    assert first_overlap_on_a_day([("mon", "08:00", "16:00"), ("tue", "08:00", "16:00")]) is None
    assert first_overlap_on_a_day([("mon", "08:00", "12:00"), ("tue", "08:00", "16:00"),
                                   ("mon", "11:00", "13:00")]) == (0, 2)


@given(st.dates(), st.integers(-3, 3))
def test_a_member_works_through_their_last_day(left_on, days_later):
    on = left_on + timedelta(days=days_later)
    assert has_left(left_on, on=on) == (days_later > 0)
    assert not has_left(None, on=on)


def test_weekdays_count_as_dates_do():
    assert WEEKDAYS[date(2026, 12, 7).weekday()] == "mon"
