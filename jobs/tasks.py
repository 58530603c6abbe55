"""RQ job functions. They take ids, never objects, and find their dependencies at run time."""

from __future__ import annotations

from jobs import context


def dispatch(request_id: str) -> None:
    """Find a supporter for a waiting request and ring them."""
    context.current().dispatcher.dispatch(request_id)


def connect_caller(request_id: str) -> None:
    """A supporter accepted: move the holding caller into the request's conference."""
    context.current().dispatcher.connect_caller(request_id)


def call_back(request_id: str) -> None:
    """A supporter accepted a call-back request: ring the caller from the hotline."""
    context.current().dispatcher.call_back(request_id)


def callback_failed(request_id: str, offer_id: str = "") -> None:
    """The caller didn't take our call back: free the supporter, retry later."""
    context.current().dispatcher.callback_failed(request_id, offer_id)


def end_leg(call_sid: str, say: str = "") -> None:
    """Stop a call leg (cancel it if ringing, end it if live), optionally saying why."""
    context.current().dispatcher.end_leg(call_sid, say)


def check_offer(offer_id: str) -> None:
    """An offer's ring time is over: if nothing reported back, give up on it."""
    context.current().dispatcher.check_offer(offer_id)


def escalate(request_id: str, level: str) -> None:
    """The request's SLA timer fired: page the next coordinator if nobody has it yet."""
    context.current().escalation.escalate(request_id, int(level))


def text_first(request_id: str) -> None:
    """A supporter took a "text me first" request: send the neutral notice, then call."""
    context.current().texts.text_first(request_id)


def page_risk(sender_key: str, ticket: str) -> None:
    """A text used risk language: page the on-call coordinator (ticket code only)."""
    context.current().escalation.page_risk(sender_key, ticket)


def close_text(session_sid: str) -> None:
    """An SMS intake went quiet for a day: close it with a kind text."""
    context.current().texts.close_conversation(session_sid)
