"""Alembic, driven from code: each service has its own ``migrations/`` folder
and its own database, so ``alembic_version`` never mixes services."""
from __future__ import annotations

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData

from shared.db import Database, UtcDateTime


def _config(script_location: str, database: Database, metadata: MetaData) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location)
    config.attributes["engine"] = database.engine
    config.attributes["metadata"] = metadata
    return config


def upgrade(script_location: str, database: Database, metadata: MetaData, revision: str = "heads") -> None:
    """To every head: features developed side by side may each add a migration before a merge revision joins them."""
    command.upgrade(_config(script_location, database, metadata), revision)


def autogenerate(script_location: str, database: Database, metadata: MetaData, message: str) -> None:
    command.revision(_config(script_location, database, metadata), message=message, autogenerate=True)


def _render_item(type_: str, obj, _autogen_context):
    """Migrations stay plain SQLAlchemy: UtcDateTime is a DateTime with a time zone in the database."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_env() -> None:
    """The body of every service's ``migrations/env.py``."""
    config = context.config
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=config.attributes["metadata"],
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
