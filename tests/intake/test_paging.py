"""Every list of intake pages the same way (shared.paging): bounds on limit and
offset are a 422 naming the parameter, never a 500."""
from __future__ import annotations

import pytest

from shared.testing import assert_problem

LISTS = ["/clients", "/households", "/care-plans", "/cases", "/follow-ups/overdue"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(("parameter", "value"), [("offset", 10**12), ("offset", -1), ("limit", 0), ("limit", 201)])
def test_paging_out_of_bounds_is_a_422_naming_the_parameter(intake, admin, path, parameter, value):
    assert_problem(intake.get(path, params={parameter: value}, headers=admin), 422, f"query.{parameter}")


@pytest.mark.parametrize("path", LISTS)
def test_every_list_answers_one_page_shape(intake, admin, path):
    page = intake.get(path, params={"limit": 7, "offset": 3}, headers=admin).json()
    assert (page["items"], page["total"], page["limit"], page["offset"]) == ([], 0, 7, 3)
