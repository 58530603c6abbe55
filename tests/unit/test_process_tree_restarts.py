"""``peerline run`` restarts a child that exits, with backoff, and the others carry on: real
child processes, and a clock the test moves."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from peerline.process_tree import ProcessTree

CRASH = ["raise SystemExit(3)"]
SLEEP = ["import time; time.sleep(60)"]


def _exited(proc: subprocess.Popen[bytes]) -> None:
    proc.wait(timeout=10)


def test_a_child_that_exits_is_restarted_with_backoff_and_the_others_carry_on() -> None:
    now = [0.0]
    tree = ProcessTree({}, program=(sys.executable, "-c"), clock=lambda: now[0])
    tree.spawn("worker", CRASH)
    web = tree.spawn("web", SLEEP)

    def worker() -> subprocess.Popen[bytes]:
        [child] = [c for c in tree.children if c.name == "worker"]
        return child.proc

    try:
        delays = []
        for _ in range(4):
            _exited(worker())
            tree.restart_exited()  # notices the exit, schedules the restart
            due = tree.restarts["worker"].due
            assert due is not None
            delays.append(due - now[0])
            crashed = worker()
            now[0] = due
            tree.restart_exited()  # starts it again
            assert worker() is not crashed and tree.restarts["worker"].due is None
        assert delays == [1, 2, 4, 8]
        assert tree.restarts["worker"].count == 4
        assert web.proc.poll() is None and "web" not in tree.restarts, "web carried on"
        assert [c.proc for c in tree.children if c.name == "web"] == [web.proc]
        # A child that stayed up a minute before exiting starts its backoff afresh.
        now[0] += 61
        _exited(worker())
        tree.restart_exited()
        assert tree.restarts["worker"].due == now[0] + 1
    finally:
        tree.stop(grace=5)
    assert web.proc.poll() is not None


def test_what_an_exited_child_leaves_in_its_group_is_stopped(tmp_path: Path) -> None:
    """A SIGKILLed worker leaves RQ's scheduler process behind in its group: it must not
    outlive the worker (the new worker starts its own)."""
    pidfile = tmp_path / "grandchild"
    leave_one = [
        "import subprocess, sys; p = subprocess.Popen([sys.executable, '-c',"
        " 'import time; time.sleep(60)']);"
        f" open({str(pidfile)!r}, 'w').write(str(p.pid))"
    ]
    now = [0.0]
    tree = ProcessTree({}, program=(sys.executable, "-c"), clock=lambda: now[0])
    [child] = [tree.spawn("worker", leave_one)]
    try:
        _exited(child.proc)
        grandchild = int(pidfile.read_text())
        assert _alive(grandchild)
        tree.restart_exited()
        for _ in range(50):
            if not _alive(grandchild):
                break
            time.sleep(0.1)
        assert not _alive(grandchild)
    finally:
        tree.stop(grace=5)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}/stat").exists() else ""
    return " Z " not in stat  # a zombie waiting for its parent to reap it is gone
