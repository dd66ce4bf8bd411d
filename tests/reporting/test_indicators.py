"""Reporting's indicators through its HTTP API."""
from __future__ import annotations

from shared.testing import assert_problem


def test_the_indicators_of_a_municipality_outside_your_scope_are_403(reporting, auth):
    answer = reporting.get("/indicators?municipality=BG-RAK&month=2021-07", headers=auth("coordinator", "BG-PER"))
    assert_problem(answer, 403)
