"""Run Alembic migrations from code (``peerline db upgrade``) on SQLite or PostgreSQL."""

from __future__ import annotations

import ast
import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# Alembic (with Mako and Pygments, ~7 MB resident) is imported only to migrate: every
# process checks the schema at start (``schema_state``), and reads the revision ids as text.
_ASSIGNED = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

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
    heads, known = revisions(engine)
    if current == heads:
        return SchemaState.CURRENT
    return SchemaState.BEHIND if current <= known else SchemaState.NEWER


def revisions(engine: Engine) -> tuple[set[str], set[str]]:
    """(heads, every revision) of this code's migrations, read from the files as text.
    Anything but a plain ``revision = "id"`` / ``down_revision = "id" | None`` pair is left
    to Alembic's own reading."""
    ids: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = dict((name, _literal(value)) for name, value in _ASSIGNED.findall(path.read_text()))
        revision, parent = found.get("revision"), found.get("down_revision", ...)
        if not isinstance(revision, str) or not (parent is None or isinstance(parent, str)):
            return _alembic_revisions(engine)
        ids.add(revision)
        if parent is not None:
            parents.add(parent)
    return ids - parents, ids


def _literal(source: str) -> object:
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return ...


def _alembic_revisions(engine: Engine) -> tuple[set[str], set[str]]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(engine))
    return set(script.get_heads()), {r.revision for r in script.walk_revisions()}
