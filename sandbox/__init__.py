"""The sandbox carrier: a local process that behaves like Twilio towards Peerline.

It serves the REST API subset Peerline calls (with the real twilio SDK pointed at it),
sends signed webhooks exactly as Twilio would, runs the TwiML Peerline answers with,
and gives every E.164 number a virtual phone, driven from Python or from the softphone
page at ``/``. See ``docs/sandbox.md``.
"""

from sandbox.app import create_sandbox_app
from sandbox.call_handle import CallHandle
from sandbox.clock import ManualClock, SystemClock
from sandbox.config import SandboxConfig
from sandbox.sandbox import PhoneHandle, Sandbox, Sms
from sandbox.server import SandboxServer, run_sandbox

__all__ = [
    "CallHandle",
    "ManualClock",
    "PhoneHandle",
    "Sandbox",
    "SandboxConfig",
    "SandboxServer",
    "Sms",
    "SystemClock",
    "create_sandbox_app",
    "run_sandbox",
]
