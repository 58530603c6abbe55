"""`peerline --help` and every command's help read as plain sentences, and `serve --help`
promises only what the web app serves."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerline.app import create_app
from peerline.cli import _parser
from peerline.settings import Settings


def parsers(
    parser: argparse.ArgumentParser, path: str = "peerline"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from parsers(child, f"{path} {name}")


ALL = list(parsers(_parser()))


def test_the_walk_reaches_every_command() -> None:
    names = {path for path, _parser in ALL}
    assert {
        "peerline",
        "peerline serve",
        "peerline supporters import",
        "peerline tokens revoke",
    } <= names
    assert len(names) == 32


@pytest.mark.parametrize(("path", "parser"), ALL, ids=[path for path, _ in ALL])
def test_every_command_and_option_explains_itself(
    path: str, parser: argparse.ArgumentParser
) -> None:
    assert parser.description and parser.description.endswith("."), path
    for action in parser._actions:
        assert action.help and action.help.strip(), (
            f"{path}: {action.option_strings or action.dest}"
        )
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert choice.help and choice.help.strip(), f"{path} {choice.dest}"
    text = parser.format_help()
    assert "``" not in text, path
    assert "==SUPPRESS==" not in text


def test_the_top_level_help_is_a_sentence_about_peerline() -> None:
    description = _parser().description or ""
    assert description.startswith("Peerline answers a peer-support hotline")
    assert "``" not in description


def test_serve_promises_only_what_the_app_serves(tmp_path: Path) -> None:
    serve = dict(ALL)["peerline serve"]
    promises = {  # words in `serve --help` -> a route the app really has
        "Twilio webhooks": "/twilio/voice",
        "coordinator console": "/console",
        "JSON API": "/api",
        "public request form": "/request",
        "health checks": "/healthz",
    }
    help_text = " ".join((serve.description or "").split())
    for words in promises:
        assert words in help_text
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'peerline.db'}",
        redis_url="redis://127.0.0.1:1/0",  # built, never connected
        var_dir=tmp_path,
    )
    app = create_app(settings)
    paths = {getattr(route, "path", "") for route in app.routes}
    for words, path in promises.items():
        assert path in paths, words
    # Nothing else the app serves goes unmentioned (the redirect to the console aside).
    served = {p.split("/")[1] for p in paths if p and p != "/"}
    assert served == {"twilio", "console", "api", "request", "healthz", "readyz"}
