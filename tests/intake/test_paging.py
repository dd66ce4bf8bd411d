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


@pytest.mark.parametrize("path", LISTS)
def test_a_cursor_from_elsewhere_is_a_422_naming_after(intake, admin, path):
    assert_problem(intake.get(path, params={"after": "WyJ4Il0"}, headers=admin), 422, "after")
    assert_problem(intake.get(path, params={"after": "WyJ4Il0", "offset": 1}, headers=admin), 422, "query.after")


def test_following_next_walks_every_client_once_as_new_ones_arrive(intake, admin, registered_municipalities,
                                                                 register_client):
    """Keyset paging: a page continues where the one before ended, even when people
    registered meanwhile sort before it (offset paging would repeat one)."""
    families = ["Андреева", "Борисова", "Василева", "Георгиева", "Димитрова", "Евтимова", "Живкова", "Захариева",
                "Илиева", "Костова"]
    for family in families:
        register_client({"municipality": "BG-RAK", "given_name": "Мария", "family_name": family,
                         "confirm_new_person": True})
    first = intake.get("/clients", params={"limit": 4}, headers=admin).json()
    register_client({"municipality": "BG-RAK", "given_name": "Анна", "family_name": "Абаджиева"})  # sorts first
    walked, after = [c["family_name"] for c in first["items"]], first["next"]
    while after:
        page = intake.get("/clients", params={"limit": 4, "after": after}, headers=admin).json()
        walked += [c["family_name"] for c in page["items"]]
        after = page["next"]
    assert walked == families
