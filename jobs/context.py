"""How a job finds its dependencies: a factory the worker entry point installs.

RQ forks a work horse per job; dependencies (engine, Redis, carrier) are built lazily in
the process that runs the job, once per process, so no connection crosses a fork.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol


class Dispatcher(Protocol):
    def dispatch(self, request_id: str) -> None: ...
    def connect_caller(self, request_id: str) -> None: ...
    def call_back(self, request_id: str) -> None: ...
    def end_leg(self, call_sid: str, say: str) -> None: ...
    def check_offer(self, offer_id: str) -> None: ...
    def callback_failed(self, request_id: str, offer_id: str = "") -> None: ...


class Escalation(Protocol):
    def escalate(self, request_id: str, level: int) -> None: ...
    def page_risk(self, sender_key: str, ticket: str) -> None: ...


class Texts(Protocol):
    def text_first(self, request_id: str) -> None: ...
    def close_conversation(self, session_sid: str) -> None: ...


class WorkerDeps(Protocol):
    @property
    def dispatcher(self) -> Dispatcher: ...
    @property
    def escalation(self) -> Escalation: ...
    @property
    def texts(self) -> Texts: ...


_factory: Callable[[], WorkerDeps] | None = None
_built: tuple[int, WorkerDeps] | None = None


def install(factory: Callable[[], WorkerDeps]) -> None:
    global _factory, _built
    _factory, _built = factory, None


def current() -> WorkerDeps:
    global _built
    if _factory is None:
        raise RuntimeError("no worker dependencies installed; start workers with `peerline worker`")
    if _built is None or _built[0] != os.getpid():
        _built = (os.getpid(), _factory())
    return _built[1]
