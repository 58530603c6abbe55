"""What a command checks before it starts: is the database there, with Peerline's tables?

One check for every command that needs the schema (``cli.main`` runs it), so a database
that was never migrated is one line saying what to run, never a ``no such table``
traceback from whichever query happened to come first.
"""

from __future__ import annotations

import logging
from enum import Enum

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from storage.engine import make_engine
from storage.migrate import SchemaState, schema_state

logger = logging.getLogger(__name__)

UPGRADE = "run `peerline db upgrade` first"
PROBLEMS = {
    SchemaState.EMPTY: f"the database has no Peerline tables yet: {UPGRADE}",
    SchemaState.BEHIND: f"the database schema is older than this Peerline: {UPGRADE}",
}


class Need(Enum):
    """How much of the database a command needs before it may start."""

    DATABASE = "database"  # `db upgrade` and `run`, which migrate: the database must answer
    SCHEMA = "schema"  # a one-off command: the database must answer, migrated
    # A long-running process: an unmigrated database stops it, but one that is down for a
    # moment is its own business (readiness checks, retries), as it was before this check.
    SCHEMA_WHEN_UP = "schema when up"


def schema_problem(database_url: str, need: Need) -> str | None:
    """The line to print when the database is not ready for a command, else None."""
    try:
        engine = make_engine(database_url)
    except (ArgumentError, ValueError) as exc:
        return f"PEERLINE_DATABASE_URL is not a database URL: {exc}"
    try:
        state = schema_state(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        where = make_url(database_url).render_as_string(hide_password=True)
        if need is Need.SCHEMA_WHEN_UP:
            logger.warning("database %s not reachable at start: %s", where, reason)
            return None
        return f"cannot reach the database {where}: {reason}"
    finally:
        engine.dispose()
    if need is Need.DATABASE:
        return None
    if state is SchemaState.NEWER:
        logger.warning("the database was migrated by a newer Peerline; carrying on")
    return PROBLEMS.get(state)
