"""A failed statement's error never quotes its parameters, on either database: whoever logs
or shows the error cannot leak the names and phones a statement carried."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

CANARY = "Канарина Пеева, +359888000111"


def test_a_failed_statement_hides_its_parameters(empty_database):
    with pytest.raises(DBAPIError) as failed, empty_database.transaction() as session:
        session.execute(text("SELECT * FROM no_such_table WHERE name = :name"), {"name": CANARY})
    assert "no_such_table" in str(failed.value)
    assert CANARY not in str(failed.value)
    assert "hidden" in str(failed.value)
