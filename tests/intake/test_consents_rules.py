"""Which consent decision is in force, on its own (property-based)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, strategies as st

from services.intake.careplans.rules import EARLIEST_DAY
from services.intake.consents.rules import PURPOSES, check_decided_on, in_force, latest, recency

TODAY = date(2025, 6, 1)


@dataclass(frozen=True)
class Decision:
    purpose: str
    given: bool
    decided_on: date
    recorded_at: datetime


decisions = st.builds(
    Decision, purpose=st.sampled_from(PURPOSES), given=st.booleans(),
    decided_on=st.dates(min_value=date(2020, 1, 1), max_value=TODAY),
    # SQLite answers naive UTC times and PostgreSQL aware ones: both occur.
    recorded_at=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 1, 1),
                             timezones=st.sampled_from([None, UTC])),
)


@given(st.lists(decisions, unique_by=recency), st.randoms())
def test_the_decision_in_force_does_not_depend_on_the_order_they_come_in(history, random):
    shuffled = list(history)
    random.shuffle(shuffled)
    assert in_force(shuffled) == in_force(history)


@given(st.lists(decisions))
def test_the_decision_in_force_is_the_latest_of_its_purpose(history):
    state = in_force(history)
    assert list(state) == list(PURPOSES)
    for purpose, decision in state.items():
        mine = [d for d in history if d.purpose == purpose]
        assert (decision is None) == (not mine)
        assert all(recency(d) <= recency(decision) for d in mine)


def test_decided_on_comes_before_recorded_at():
    late_typed = Decision("services", False, date(2024, 1, 10), datetime(2024, 7, 1, tzinfo=UTC))
    newer = Decision("services", True, date(2024, 6, 1), datetime(2024, 6, 1, 9))  # naive, as SQLite answers
    assert latest([late_typed, newer]) is newer
    same_day_later = Decision("services", False, date(2024, 6, 1), datetime(2024, 6, 1, 10, tzinfo=UTC))
    assert latest([newer, same_day_later]) is same_day_later
    assert latest([]) is None


BORN = date(2015, 5, 1)


@given(st.dates(min_value=EARLIEST_DAY, max_value=TODAY))
def test_a_decision_from_2000_up_to_today_is_accepted(day):
    assert check_decided_on(day, today=TODAY, born_on=None) == day


@given(st.dates(min_value=BORN, max_value=TODAY))
def test_a_decision_since_the_client_was_born_is_accepted(day):
    assert check_decided_on(day, today=TODAY, born_on=BORN) == day


@pytest.mark.parametrize(("born_on", "days"), [
    (None, st.dates(min_value=TODAY + timedelta(days=1))),  # in the future
    (None, st.dates(max_value=EARLIEST_DAY - timedelta(days=1))),  # before CareCircle's days
    (BORN, st.dates(max_value=BORN - timedelta(days=1))),  # before the client was born
])
def test_a_day_the_client_could_not_have_decided_on_is_refused(born_on, days):
    @given(days)
    def refused(day):
        with pytest.raises(ValueError):
            check_decided_on(day, today=TODAY, born_on=born_on)
    refused()
