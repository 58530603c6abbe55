"""Every command that needs the schema says, in one line, to run `peerline db upgrade`
when the database has never been migrated (a SQLite file here), instead of a traceback."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from peerline import processes, sandbox_carrier
from peerline.cli import NEEDS, main
from peerline.preflight import Need
from storage.engine import make_engine
from storage.migrate import SchemaState, schema_state, upgrade

EMPTY = "peerline: the database has no Peerline tables yet: run `peerline db upgrade` first"
COMMANDS = [
    argv.split()
    for argv in (
        "sandbox",
        "supporters list",
        "supporters import roster.csv",
        "training import training.csv",
        "supporters add --name Ana --phone 6175550111 --role nurse --organization Tufts"
        " --languages en",
        "coordinators list",
        "coordinators add --name Cy --phone 6175550112",
        "coordinators set Cy --always",
        "tokens list",
        "tokens create --name reports --role admin",
        "tokens revoke reports",
        "accounts add --name Ada --role admin --username ada --password-stdin",
        "serve",
        "worker --burst",
        "scheduler",
        "keys rotate",
        "blocklist add 6175550113",
        "blocklist remove 1",
        "blocklist list",
    )
]


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[str]]:
    """What would have started (nothing, when the check works); an empty database."""
    seen: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.append("serve"))
    monkeypatch.setattr(processes, "run_worker", lambda *a, **kw: seen.append("worker"))
    monkeypatch.setattr(processes, "run_scheduler", lambda *a, **kw: seen.append("scheduler"))
    monkeypatch.setattr(
        sandbox_carrier, "run_sandbox_carrier", lambda *a, **kw: seen.append("sandbox")
    )
    monkeypatch.setattr(processes, "run_everything", lambda *a, **kw: seen.append("run") or 0)
    for name in ("PEERLINE_HOST", "PEERLINE_PORT"):  # serve writes them; monkeypatch restores
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("PEERLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'peerline.db'}")
    monkeypatch.setenv("PEERLINE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PEERLINE_REDIS_URL", "redis://127.0.0.1:1/0")  # never reached
    monkeypatch.chdir(tmp_path)
    (tmp_path / "roster.csv").write_text("name,phone,role,organization,languages\n")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield seen
    root.handlers[:], root.level = handlers, level


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_an_unmigrated_database_is_one_line_and_exit_1(
    started: list[str], argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", EMPTY + "\n")
    assert started == []


def test_every_command_but_the_migrating_ones_is_checked() -> None:
    from peerline.cli import _parser

    handlers = set()
    parsers = [_parser()]
    while parsers:
        parser = parsers.pop()
        if (func := parser.get_default("func")) is not None:
            handlers.add(func.__name__)
        for action in parser._subparsers._group_actions if parser._subparsers else []:
            parsers.extend(action.choices.values())  # type: ignore[union-attr]
    unchecked = handlers - {handler.__name__ for handler in NEEDS}
    assert unchecked == {"_twilio_configure"}  # no database at all
    migrating = {handler.__name__ for handler, need in NEEDS.items() if need is Need.DATABASE}
    assert migrating == {"_run", "_db_upgrade"}  # they create the tables themselves
    assert len(COMMANDS) == len(NEEDS) - len(migrating)  # the table covers the others


def test_a_database_behind_this_code_is_told_to_upgrade(
    started: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'peerline.db'}")
    upgrade(engine, "0003")
    assert schema_state(engine) is SchemaState.BEHIND
    engine.dispose()
    assert main(["supporters", "list"]) == 1
    assert capsys.readouterr().err == (
        "peerline: the database schema is older than this Peerline:"
        " run `peerline db upgrade` first\n"
    )


def test_after_db_upgrade_the_commands_run(
    started: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run"]) == 0  # an empty database is what `run` starts from
    assert main(["db", "upgrade"]) == 0
    assert "database is at the latest schema" in capsys.readouterr().out
    assert main(["supporters", "list"]) == 0
    assert main(["worker", "--burst"]) == 0
    out, err = capsys.readouterr()
    assert "no supporters yet" in out and err == ""
    assert started == ["run", "worker"]


def test_an_unreachable_database_stops_a_one_off_command_but_not_a_service(
    started: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql://peerline:secret@127.0.0.1:{port}/peerline?connect_timeout=2"
    monkeypatch.setenv("PEERLINE_DATABASE_URL", url)
    assert main(["coordinators", "list"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(
        f"peerline: cannot reach the database postgresql://peerline:***@127.0.0.1:{port}/"
    )
    assert "secret" not in line
    assert main(["worker", "--burst"]) == 0  # its own retries and readiness check apply
    assert started == ["worker"]
    assert "not reachable at start" in capsys.readouterr().err  # said, in the log
    for argv in (["db", "upgrade"], ["run"]):  # they migrate, but need the database to
        assert main(argv) == 1
        [line] = capsys.readouterr().err.splitlines()
        assert line.startswith("peerline: cannot reach the database postgresql://")
    assert started == ["worker"]
    assert Need.SCHEMA_WHEN_UP is NEEDS[next(h for h in NEEDS if h.__name__ == "_worker")]
