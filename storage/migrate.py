"""Run Alembic migrations from code (``peerline db upgrade``) on SQLite or PostgreSQL."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


class SchemaState(StrEnum):
    """Where a database stands against this code's migrations."""

    EMPTY = "empty"  # never migrated: no Peerline tables
    BEHIND = "behind"  # migrated, but not to the latest revision
    CURRENT = "current"
    NEWER = "newer"  # a revision this code does not know: a newer Peerline migrated it


def schema_state(engine: Engine) -> SchemaState:
    """Compare the database's Alembic revision with this code's heads (raises if unreachable)."""
    with engine.connect() as connection:  # read directly: MigrationContext logs at INFO
        current: set[str] = set()
        if inspect(connection).has_table("alembic_version"):  # Alembic's default name
            current = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    if not current:
        return SchemaState.EMPTY
    script = ScriptDirectory.from_config(alembic_config(engine))
    if current == set(script.get_heads()):
        return SchemaState.CURRENT
    known = {revision.revision for revision in script.walk_revisions()}
    return SchemaState.BEHIND if current <= known else SchemaState.NEWER
