"""A leg's running TwiML document, and the rules every verb shares for reading it.

The primitives here know no switchboard and no interpreter: they are what the verb modules
and the interpreter both stand on. A URL in a document is always resolved against the
document's own URL, as Twilio does, and must come out absolute http(s).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin

from sandbox import verbs
from sandbox.phones import Call
from sandbox.twiml import TwimlError

Params = Iterable[tuple[str, str]]


class Activity(Protocol):
    """What a leg is busy with while its document is paused on a verb."""

    def on_hangup(self, call: Call) -> None: ...

    def on_interrupt(self, call: Call) -> None: ...


@dataclass(eq=False)
class Program:
    verbs: list[verbs.Verb]
    doc_url: str | None
    screening: bool = False  # TwiML of a <Number url>, run on the called leg
    hops: int = 0
    pc: int = 0
    activity: Activity | None = None
    said: set[tuple[str, str]] = field(default_factory=set)  # prompts played, for "repeated"


def resolve(doc_url: str | None, url: str) -> str:
    """An action/url attribute resolved against the document's URL, as Twilio does."""
    resolved = urljoin(doc_url or "", url)
    if not resolved.startswith(("http://", "https://")):
        raise TwimlError("11100", f"Invalid URL format: {url!r}")
    return resolved
