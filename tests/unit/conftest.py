"""Shared fixtures for the sandbox's unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from sandbox import Sandbox
from sandbox.testing import Reply, TwimlScript, scripted_sandbox
from tests.sandbox_support import Make


@pytest.fixture
def scripted() -> Iterator[Make]:
    """``scripted(replies, **config)`` → a sandbox in front of a scripted TwiML app."""
    with ExitStack() as stack:

        def make(replies: dict[str, Reply], **overrides: object) -> tuple[Sandbox, TwimlScript]:
            return stack.enter_context(scripted_sandbox(replies, **overrides))

        yield make
