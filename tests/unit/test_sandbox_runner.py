"""The task runner: one worker, FIFO, and crashes surfaced to whoever waits."""

import pytest

from sandbox.runner import SandboxCrash, TaskRunner


def test_tasks_run_in_order_and_wait_idle_waits_for_all_of_them() -> None:
    runner = TaskRunner()
    done: list[int] = []
    try:
        for i in range(20):
            runner.submit(lambda i=i: done.append(i))
        runner.wait_idle(timeout=5)
        assert done == list(range(20))
    finally:
        runner.close()


def test_a_crashing_task_is_reported_once_and_the_runner_carries_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runner = TaskRunner()
    done: list[str] = []

    def boom() -> None:
        raise ValueError("bug")

    try:
        runner.submit(boom)
        runner.submit(lambda: done.append("after"))
        with pytest.raises(SandboxCrash):
            runner.wait_idle(timeout=5)
        runner.wait_idle(timeout=5)
        assert done == ["after"]
        assert "sandbox task failed" in caplog.text
    finally:
        runner.close()


def test_wait_idle_from_inside_a_task_does_not_deadlock() -> None:
    runner = TaskRunner()
    seen: list[str] = []
    try:
        runner.submit(lambda: (runner.wait_idle(), seen.append("ok")))
        runner.wait_idle(timeout=5)
        assert seen == ["ok"]
    finally:
        runner.close()


def test_a_closed_runner_ignores_new_work() -> None:
    runner = TaskRunner()
    runner.close()
    runner.submit(lambda: None)
    runner.wait_idle(timeout=1)
