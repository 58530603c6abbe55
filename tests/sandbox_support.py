"""Helpers for tests that drive the sandbox directly."""

from __future__ import annotations

from collections.abc import Callable

from sandbox import Sandbox
from sandbox.outbound import create_call
from sandbox.testing import TwimlScript

Make = Callable[..., tuple[Sandbox, TwimlScript]]
SUPPORTER = "+16175550102"
HOTLINE = "+16175550100"


def call_supporter(sandbox: Sandbox, to: str = SUPPORTER, from_: str = HOTLINE) -> None:
    """Peerline's REST call to a supporter, answered at the scripted ``/supporter`` URL."""
    create_call(
        sandbox.switchboard,
        to=to,
        from_=from_,
        url="https://peerline.example.org/supporter",
        twiml=None,
    )
    sandbox.settle()
