"""``peerline serve --host/--port``: the flags win over the environment, which is the default.

uvicorn.run is replaced by a recorder, so no server starts. serve checks the schema first
(``peerline.preflight``), so the tests point it at a migrated SQLite file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from peerline.cli import main
from peerline.settings import Settings
from storage.engine import make_engine
from storage.migrate import upgrade

ORIGINAL_PORT = os.environ.get("PEERLINE_PORT")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'peerline.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, migrated: str) -> Iterator[list[dict[str, Any]]]:
    """What uvicorn.run was asked to do; the environment and logging are restored after."""
    monkeypatch.setenv("PEERLINE_DATABASE_URL", migrated)
    recorded: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: recorded.append({"app": app, **kw}))
    # serve writes PEERLINE_HOST/PORT into os.environ. setenv records the original value
    # (or its absence), so monkeypatch restores it afterwards; delenv alone would not
    # record a variable that was absent.
    for name in ("PEERLINE_HOST", "PEERLINE_PORT", "PEERLINE_PUBLIC_URL"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    # A deployment's credentials: listening beyond loopback is refused without them.
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "7" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "a-real-token")
    monkeypatch.setenv("PEERLINE_SECRET_KEY", "a2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleS0=")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield recorded
    root.handlers[:], root.level = handlers, level  # main() installs its own handler


def serve(calls: list[dict[str, Any]], *argv: str) -> dict[str, Any]:
    assert main(["serve", *argv]) == 0
    assert len(calls) == 1
    return calls[0]


def test_without_flags_serve_listens_where_the_settings_say(
    calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERLINE_PORT", "8123")
    call = serve(calls)
    assert (call["host"], call["port"], call["workers"]) == ("127.0.0.1", 8123, 1)
    assert call["app"] == "peerline.app:create_app" and call["factory"] is True
    assert call["proxy_headers"] is False  # signatures never trust proxy headers
    assert call["server_header"] is False  # no "server: uvicorn" banner


def test_flags_override_the_environment_and_reach_the_workers_settings(
    calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERLINE_HOST", "127.0.0.1")
    monkeypatch.setenv("PEERLINE_PORT", "8000")
    call = serve(calls, "--host", "0.0.0.0", "--port", "9001", "--workers", "3")
    assert (call["host"], call["port"], call["workers"]) == ("0.0.0.0", 9001, 3)
    # Each uvicorn worker runs create_app() -> Settings(): it must see the same address, or
    # the default public URL (and so every signature check) would name another port.
    assert (os.environ["PEERLINE_HOST"], os.environ["PEERLINE_PORT"]) == ("0.0.0.0", "9001")
    assert Settings().public_base == "http://0.0.0.0:9001"


def test_an_explicit_public_url_is_not_touched_by_the_flags(
    calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERLINE_PUBLIC_URL", "https://hotline.example.org")
    serve(calls, "--port", "9002")
    assert Settings().public_base == "https://hotline.example.org"


@pytest.mark.parametrize("argv", [["--port", "eighty"], ["--port"], ["--host"]])
def test_bad_flags_are_a_usage_error(
    calls: list[dict[str, Any]], argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["serve", *argv])
    assert exc.value.code == 2
    assert "usage: peerline serve" in capsys.readouterr().err
    assert calls == []


def test_help_names_the_environment_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    for text in ("--host HOST", "PEERLINE_HOST", "--port PORT", "PEERLINE_PORT", "--workers"):
        assert text in out


def test_the_environment_is_left_as_it_was() -> None:
    # Runs after the tests above in this module: nothing they did leaks into later tests.
    assert os.environ.get("PEERLINE_PORT") in (None, ORIGINAL_PORT)
