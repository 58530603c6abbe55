"""What a verb needs of the exchange: the switchboard and the interpreter, seen as protocols.

The verb modules (prompts, gathers, dials, queues, rooms, messages) depend on these faces,
never on the concrete ``Switchboard`` or ``Interpreter`` that sit above them; so the
package reads top-down. Every method here is called with the switchboard's lock held,
except where it says it takes the lock itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Protocol

from sandbox.clock import Clock, Timer
from sandbox.config import SandboxConfig
from sandbox.events import EventLog
from sandbox.phones import Call, CallStatus, Direction, Heard, Phone
from sandbox.program import Params
from sandbox.runner import TaskRunner
from sandbox.webhooks import WebhookSender


class Documents(Protocol):
    """What a verb needs of the interpreter: fetch, go on, carry on after, or fail."""

    def fetch(
        self,
        call: Call,
        url: str,
        method: str,
        extra: Params = (),
        *,
        screening: bool = False,
        hops: int = 0,
    ) -> None: ...

    def run(self, call: Call) -> None: ...

    def finish_verb(self, call: Call, action: str | None, method: str, params: Params) -> None: ...

    def fail(self, call: Call, code: str, message: str) -> None: ...


class Exchange(Protocol):
    """What a verb needs of the switchboard: its plumbing, its phones and its legs."""

    @property
    def config(self) -> SandboxConfig: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def lock(self) -> AbstractContextManager[object]: ...

    @property
    def runner(self) -> TaskRunner: ...

    @property
    def webhooks(self) -> WebhookSender: ...

    @property
    def events(self) -> EventLog: ...

    @property
    def interpreter(self) -> Documents: ...

    def now(self) -> float: ...

    def locked(self, fn: Callable[[], None]) -> Callable[[], None]: ...

    def later(self, call: Call, delay: float, fn: Callable[[], None]) -> Timer: ...

    def post(self, url: str, params: Iterable[tuple[str, str]], method: str = "POST") -> None: ...

    def hear(
        self, call: Call, kind: Heard, text: str, language: str = "", *, repeat: bool = False
    ) -> None: ...

    def silence(self, call: Call) -> None: ...

    def notice(self, code: str, message: str, call: Call | None = None) -> None: ...

    def phone(self, number: str, label: str = "") -> Phone: ...

    def name_of(self, number: str) -> str: ...

    def new_call(
        self,
        *,
        from_: str,
        to: str,
        direction: Direction,
        status: CallStatus = CallStatus.QUEUED,
        parent: Call | None = None,
        status_callback: str | None = None,
        status_events: Iterable[str] = (),
        status_method: str = "POST",
    ) -> Call: ...

    def ring(self, call: Call, timeout: float | None) -> None: ...

    def mark_answered(self, call: Call) -> None: ...

    def end_call(self, call: Call, status: CallStatus) -> None: ...

    def status_callback(self, call: Call, event: str) -> None: ...
