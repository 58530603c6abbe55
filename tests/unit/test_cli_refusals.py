"""The long-running commands and ``twilio configure`` refuse laptop-only settings in a
deployment, and ``run`` refuses the sandbox beside a web process off loopback. Nothing
starts: the functions that would are replaced by recorders that fail the test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from peerline import processes
from peerline.cli import main

PUBLIC = "https://hotline.example.org"


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (
        "PEERLINE_HOST",
        "PEERLINE_PUBLIC_URL",
        "PEERLINE_SECRET_KEY",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
    ):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)

    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError("a refused command started anyway")

    for name in ("run_worker", "run_scheduler", "run_everything"):
        monkeypatch.setattr(processes, name, started)
    monkeypatch.setattr("uvicorn.run", started)
    monkeypatch.setattr("telephony.carrier.configure_number", started)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


@pytest.mark.parametrize(
    "argv", [["serve"], ["worker"], ["scheduler"], ["run"], ["twilio", "configure"]]
)
def test_placeholder_credentials_and_a_generated_key_are_refused_in_a_deployment(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PEERLINE_PUBLIC_URL", PUBLIC)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("peerline: refusing to start:")
    assert "placeholders" in err and "PEERLINE_SECRET_KEY is not set" in err


def test_serve_judges_the_address_it_is_told_to_listen_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "PEERLINE_PUBLIC_URL http://0.0.0.0:8000 is not loopback" in capsys.readouterr().err


def test_run_refuses_the_sandbox_beside_a_web_process_off_loopback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PEERLINE_HOST", "0.0.0.0")
    monkeypatch.setenv("PEERLINE_PUBLIC_URL", "http://127.0.0.1:8000")  # e.g. behind a tunnel
    monkeypatch.setattr(processes, "run_everything", REAL_RUN_EVERYTHING)
    assert main(["run"]) == 2
    assert main(["sandbox"]) == 2
    err = capsys.readouterr().err
    assert err.count("refusing to start the sandbox carrier with PEERLINE_HOST=0.0.0.0") == 2


REAL_RUN_EVERYTHING = processes.run_everything  # refuses before it builds anything
