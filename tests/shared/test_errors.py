"""Problems of one entry of a request's list name the entry's fields from the request."""
from __future__ import annotations

from shared.errors import Conflict, Invalid, within


def test_a_conflict_of_an_entry_names_its_field_within_the_list():
    problem = within("visits.2", Conflict("booked then", field="staff_id", reason="double_booked"))
    assert (problem.status, problem.extra) == (409, {"field": "visits.2.staff_id", "reason": "double_booked"})


def test_an_invalid_entry_names_each_field_within_the_list():
    problem = within("visits.0", Invalid.fields([("staff_id", "unknown"), ("starts_at", "in the past")]))
    assert problem.status == 422 and problem.extra["field"] == "visits.0.staff_id"
    assert [e["field"] for e in problem.extra["errors"]] == ["visits.0.staff_id", "visits.0.starts_at"]
