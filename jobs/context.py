"""How a job finds its dependencies: a factory the worker entry point installs.

RQ forks a work horse per job; dependencies (engine, Redis, carrier) are built lazily in
the process that runs the job, once per process, so no connection crosses a fork.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

from usecases.caller_leg import CallerLeg
from usecases.dispatch import Dispatcher
from usecases.escalation import Escalation
from usecases.help_key import HelpKey
from usecases.notices import Notices
from usecases.outbound import Outbound
from usecases.self_care import SelfCare


class WorkerDeps(Protocol):
    """The use cases jobs call (built by ``peerline.bootstrap.worker_deps``)."""

    @property
    def dispatcher(self) -> Dispatcher: ...
    @property
    def caller_leg(self) -> CallerLeg: ...
    @property
    def escalation(self) -> Escalation: ...
    @property
    def notices(self) -> Notices: ...
    @property
    def outbound(self) -> Outbound: ...
    @property
    def self_care(self) -> SelfCare: ...
    @property
    def help_key(self) -> HelpKey: ...


_factory: Callable[[], WorkerDeps] | None = None
_built: tuple[int, WorkerDeps] | None = None


def install(factory: Callable[[], WorkerDeps]) -> None:
    global _factory, _built
    _factory, _built = factory, None


def clear() -> None:
    """Forget the installed factory and what it built (a test that installed its own)."""
    global _factory, _built
    _factory, _built = None, None


def current() -> WorkerDeps:
    global _built
    if _factory is None:
        raise RuntimeError("no worker dependencies installed; start workers with `peerline worker`")
    if _built is None or _built[0] != os.getpid():
        _built = (os.getpid(), _factory())
    return _built[1]
