"""One lifecycle helper: moves only through the table, a refusal is a 409 naming status."""
from __future__ import annotations

import pytest

from shared.errors import Conflict
from shared.lifecycle import Lifecycle

DOOR = Lifecycle({("closed", "open"): "open", ("open", "close"): "closed", ("closed", "lock"): "locked"},
                 initial="closed", refusal=lambda status, action, allowed: f"cannot {action} a {status} door")


def test_a_move_in_the_table_gives_the_next_status():
    assert DOOR.next("closed", "lock") == "locked"
    assert DOOR.may("open", "close") and not DOOR.may("open", "lock")


def test_statuses_allowed_actions_and_final_statuses_come_from_the_table():
    assert DOOR.statuses == ("closed", "open", "locked")
    assert DOOR.allowed("closed") == ["open", "lock"]
    assert DOOR.is_final("locked") and not DOOR.is_final("open")


def test_a_move_not_in_the_table_is_a_conflict_naming_status():
    with pytest.raises(Conflict) as refused:
        DOOR.next("locked", "open")
    problem = refused.value
    assert (problem.status, problem.detail) == (409, "cannot open a locked door")
    assert problem.extra == {"field": "status", "current_status": "locked", "allowed_actions": []}
