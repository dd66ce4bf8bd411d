"""Each service's migrations build exactly the tables its models declare,
on SQLite (embedded) and PostgreSQL (distributed)."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.registry import all_specs
from shared.db import Database
from shared.migrations import upgrade

SPECS = {spec.name: spec for spec in all_specs()}


def _differences(database: Database, metadata) -> list:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def _migrate_and_compare(database: Database, name: str) -> list:
    spec = SPECS[name]
    upgrade(str(spec.migrations), database, spec.metadata)
    upgrade(str(spec.migrations), database, spec.metadata)  # a second run is a no-op
    return _differences(database, spec.metadata)


@pytest.mark.parametrize("name", SPECS)
def test_migrations_match_models_on_sqlite(tmp_path, name):
    assert _migrate_and_compare(Database(f"sqlite:///{tmp_path}/{name}.db"), name) == []


@pytest.mark.servers
@pytest.mark.parametrize("name", SPECS)
def test_migrations_match_models_on_postgresql(postgres_database, name):
    database = Database(postgres_database(name))
    try:
        assert _migrate_and_compare(database, name) == []
    finally:
        database.dispose()
