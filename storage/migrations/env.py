"""Alembic environment: the engine comes from the caller (storage.migrate), never from a file."""

from __future__ import annotations

from alembic import context

from storage.schema import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
