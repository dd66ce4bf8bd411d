"""The case register's rules in isolation: the status table and the follow-up validator."""
from __future__ import annotations

import re
from collections import deque
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, strategies as st

from services.intake.cases import rules
from shared.events.intake import CODE


def _may_become(status: str) -> set[str]:
    return set(rules.LIFECYCLE.allowed(status))


def _problem(current: str, new: str) -> str | None:
    """Why ``current -> new`` is refused (the 409's detail), or None when it is allowed."""
    return None if rules.LIFECYCLE.may(current, new) else rules.LIFECYCLE.refused(current, new).detail


statuses = st.sampled_from(rules.STATUSES)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
names = st.text(min_size=1, max_size=20).filter(str.strip)


# -- status moves ----------------------------------------------------------------------


def test_the_table_covers_every_status_and_only_those():
    assert set(rules.LIFECYCLE.statuses) == set(rules.STATUSES)
    assert all(targets <= set(rules.STATUSES) for targets in map(_may_become, rules.STATUSES))


def test_every_status_is_reachable_from_open_and_every_path_can_end_closed():
    reached, queue = {rules.INITIAL_STATUS}, deque([rules.INITIAL_STATUS])
    while queue:
        for target in _may_become(queue.popleft()) - reached:
            reached.add(target)
            queue.append(target)
    assert reached == set(rules.STATUSES)


@pytest.mark.parametrize(("current", "new"), [
    ("open", "in_progress"), ("in_progress", "referred"), ("referred", "in_progress"),
    ("referred", "resolved"), ("resolved", "in_progress"), ("resolved", "closed"), ("open", "closed"),
])
def test_documented_moves_are_allowed(current, new):
    assert rules.LIFECYCLE.may(current, new)
    assert _problem(current, new) is None


@given(statuses)
def test_closed_is_final_and_nothing_returns_to_open_or_stays_put(status):
    assert not rules.LIFECYCLE.may("closed", status)
    assert not rules.LIFECYCLE.may(status, "open")
    assert not rules.LIFECYCLE.may(status, status)


@given(statuses)
def test_any_case_not_closed_may_be_closed(status):
    assert rules.LIFECYCLE.may(status, "closed") == (status != "closed")


@given(statuses, statuses)
def test_transition_problem_agrees_with_the_table_and_says_what_is_allowed(current, new):
    problem = _problem(current, new)
    assert (problem is None) == (new in _may_become(current))
    if problem:
        assert current in problem and new in problem
        assert all(target in problem for target in _may_become(current))


@given(st.text(max_size=12), st.text(max_size=12))
def test_unknown_statuses_never_move(current, new):
    assume(current not in rules.STATUSES)
    assert not rules.LIFECYCLE.may(current, new)
    assert _problem(current, new) is not None


# -- what a case is about -----------------------------------------------------------------


@given(st.one_of(st.none(), st.uuids()), st.one_of(st.none(), st.uuids()))
def test_a_case_is_about_exactly_one_client_or_household(client_id, household_id):
    problem = rules.subject_problem(client_id, household_id)
    if (client_id is None) != (household_id is None):
        assert problem is None
    else:
        assert problem is not None
        assert problem[0] == ("client_id" if client_id is None else "household_id")


# -- follow-ups -------------------------------------------------------------------------------


@st.composite
def valid_follow_ups(draw) -> dict:
    """A follow-up that keeps every rule: planned, done, or done with the next one scheduled."""
    today = draw(days)
    kind = draw(st.sampled_from(["consultation", "referral", "visit", "call"]))
    done_on = draw(st.one_of(st.none(), st.dates(max_value=today, min_value=date(1999, 1, 1))))
    due_on = draw(st.one_of(days, st.none())) if done_on else draw(days)
    return {
        "kind": kind, "today": today, "due_on": due_on, "done_on": done_on,
        "institution": draw(names) if kind == "referral" else None,
        "expert": draw(names) if kind == "consultation" else None,
        "outcome": draw(st.one_of(st.none(), names)) if done_on else None,
        "next_due_on": done_on + timedelta(days=draw(st.integers(1, 400))) if done_on and draw(st.booleans())
        else None,
    }


@given(valid_follow_ups())
def test_valid_follow_ups_pass(follow_up):
    assert rules.follow_up_problem(**follow_up) is None


@given(valid_follow_ups())
def test_a_referral_without_an_institution_names_institution(follow_up):
    broken = {**follow_up, "kind": "referral", "institution": None, "expert": None}
    assert rules.follow_up_problem(**broken)[0] == "institution"


@given(valid_follow_ups(), names)
def test_only_referrals_name_an_institution_and_only_consultations_an_expert(follow_up, name):
    assume(follow_up["kind"] in ("visit", "call"))
    assert rules.follow_up_problem(**{**follow_up, "institution": name})[0] == "institution"
    assert rules.follow_up_problem(**{**follow_up, "expert": name})[0] == "expert"


@given(valid_follow_ups())
def test_a_consultation_without_an_expert_names_expert(follow_up):
    assume(follow_up["kind"] == "consultation")
    assert rules.follow_up_problem(**{**follow_up, "expert": None})[0] == "expert"


@given(valid_follow_ups(), st.integers(1, 3650))
def test_done_in_the_future_names_done_on(follow_up, ahead):
    broken = {**follow_up, "done_on": follow_up["today"] + timedelta(days=ahead), "next_due_on": None}
    assert rules.follow_up_problem(**broken)[0] == "done_on"


@given(valid_follow_ups())
def test_neither_planned_nor_done_names_due_on(follow_up):
    broken = {**follow_up, "due_on": None, "done_on": None, "outcome": None, "next_due_on": None}
    assert rules.follow_up_problem(**broken)[0] == "due_on"


@given(valid_follow_ups(), names)
def test_an_outcome_without_done_on_names_outcome(follow_up, outcome):
    assume(follow_up["due_on"] is not None)
    broken = {**follow_up, "done_on": None, "outcome": outcome, "next_due_on": None}
    assert rules.follow_up_problem(**broken)[0] == "outcome"


@given(valid_follow_ups(), st.integers(0, 400))
def test_the_next_follow_up_comes_after_this_one_is_done(follow_up, back):
    assume(follow_up["done_on"] is not None)
    broken = {**follow_up, "next_due_on": follow_up["done_on"] - timedelta(days=back)}
    assert rules.follow_up_problem(**broken)[0] == "next_due_on"
    undone = {**follow_up, "done_on": None, "outcome": None, "due_on": follow_up["today"],
              "next_due_on": follow_up["today"] + timedelta(days=1)}
    assert rules.follow_up_problem(**undone)[0] == "next_due_on"


# -- overdue -------------------------------------------------------------------------------------


@given(days, st.integers(-1000, 1000))
def test_days_overdue_counts_whole_days_past_due(due_on, late):
    as_of = due_on + timedelta(days=late)
    assert rules.days_overdue(due_on, as_of) == late
    assert (rules.days_overdue(due_on, as_of) > 0) == (due_on < as_of)


def test_the_fallback_category_is_a_valid_code():
    assert re.match(CODE, rules.FALLBACK_CATEGORY)
