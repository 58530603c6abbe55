"""The Alembic chain runs down to nothing and back up on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from storage.migrate import downgrade, upgrade
from storage.schema import Base


def test_migrations_go_down_and_up_again_and_match_the_models(engine: Engine) -> None:
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables)
    for table in Base.metadata.sorted_tables:
        columns = {c["name"] for c in inspect(engine).get_columns(table.name)}
        assert columns == set(table.columns.keys()), table.name
