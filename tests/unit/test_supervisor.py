"""``peerline run``'s supervisor, with real child processes and a clock the test moves."""

from __future__ import annotations

import subprocess
import sys

from peerline.supervisor import Supervisor

CRASH = [sys.executable, "-c", "raise SystemExit(3)"]
SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]


def _exited(proc: subprocess.Popen[bytes] | None) -> None:
    assert proc is not None
    proc.wait(timeout=10)


def test_a_child_that_exits_is_restarted_with_backoff_and_the_others_carry_on() -> None:
    now = [0.0]
    supervisor = Supervisor({}, clock=lambda: now[0], stable_after=60)
    crasher = supervisor.start("worker", CRASH)
    sleeper = supervisor.start("web", SLEEP)
    web_pid = sleeper.proc.pid if sleeper.proc else 0
    try:
        delays = []
        for _ in range(4):
            _exited(crasher.proc)
            supervisor.tend()  # notices the exit, schedules the restart
            assert crasher.restart_at is not None
            delays.append(crasher.restart_at - now[0])
            now[0] = crasher.restart_at
            supervisor.tend()  # restarts it
            assert crasher.restart_at is None and crasher.proc is not None
        assert delays == [1, 2, 4, 8]
        assert crasher.restarts == 4
        assert sleeper.proc is not None and sleeper.proc.poll() is None
        assert sleeper.proc.pid == web_pid and sleeper.restarts == 0
        # A child that ran a while before exiting starts its backoff afresh.
        _exited(crasher.proc)
        now[0] += 61
        supervisor.tend()
        assert crasher.restart_at == now[0] + 1
    finally:
        supervisor.stop(timeout=5)
    assert sleeper.proc.poll() is not None


def test_stop_kills_a_child_that_ignores_sigterm() -> None:
    stubborn = [
        sys.executable,
        "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        " print('ready', flush=True); time.sleep(60)",
    ]
    supervisor = Supervisor(
        {}, spawn=lambda argv, env: subprocess.Popen(argv, stdout=subprocess.PIPE)
    )
    child = supervisor.start("stubborn", stubborn)
    assert child.proc is not None and child.proc.stdout is not None
    child.proc.stdout.readline()  # its SIGTERM handler is in place
    supervisor.stop(timeout=0.5)
    assert child.proc.returncode == -9
    child.proc.stdout.close()
