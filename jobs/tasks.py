"""RQ job functions. They take ids, never objects, and call one use case each."""

from __future__ import annotations

from collections.abc import Sequence

from rq import get_current_job

from ivr.messages import Msg
from ivr.model import Language, Line
from jobs import context
from usecases.risk_pages import PageReason


def dispatch(request_id: str) -> None:
    """Find a supporter for a waiting request and ring them."""
    context.current().dispatcher.dispatch(request_id)


def check_offer(offer_id: str) -> None:
    """An offer's ring time is over: if nothing reported back, give up on it."""
    context.current().dispatcher.check_offer(offer_id)


def connect_caller(request_id: str) -> None:
    """A supporter accepted: move the holding caller into the request's conference."""
    context.current().caller_leg.connect(request_id)


def call_back(request_id: str) -> None:
    """A supporter accepted a call-back request: ring the caller from the hotline."""
    context.current().caller_leg.call_back(request_id, last_try=_last_try())


def callback_failed(request_id: str, offer_id: str = "") -> None:
    """The caller didn't take our call back: free the supporter, retry later."""
    context.current().caller_leg.callback_failed(request_id, offer_id)


def end_call(call_sid: str, said: str = "") -> None:
    """Stop a call leg: cancel it if ringing, or say ``said`` and hang up if live."""
    context.current().outbound.end_call(call_sid, decode_said(said))


def escalate(request_id: str, level: str) -> None:
    """The request's SLA timer fired: page the next coordinator if nobody has it yet."""
    context.current().escalation.escalate(request_id, int(level))


def page_risk(
    sender_key: str, ticket: str, reason: str = PageReason.RISK_LANGUAGE, send_key: str = ""
) -> None:
    """A text used risk language or asked for the crisis line: page the on-call
    coordinator (ticket code and reason only)."""
    context.current().escalation.page_risk(sender_key, ticket, PageReason(reason), send_key)


def page_group(coordinator_id: str) -> None:
    """A paging interval is over: one page sums up the coordinator's held pages."""
    context.current().escalation.send_group(coordinator_id)


def text_first(request_id: str) -> None:
    """A supporter took a "text me first" request: send the neutral notice, then call."""
    context.current().notices.text_first(request_id)


def confirm_request(request_id: str) -> None:
    """A text-first request from the web form: confirm it by text."""
    context.current().notices.confirm_request(request_id)


def close_text(session_sid: str) -> None:
    """An SMS intake went quiet for a day: close it with a kind text."""
    context.current().notices.close_conversation(session_sid)


def assign(request_id: str, supporter_id: str) -> None:
    """A coordinator chose the supporter: offer them the request (the same claim)."""
    context.current().dispatcher.assign(request_id, supporter_id)


def scheduling_text(request_id: str, day: str, window: str, send_key: str = "") -> None:
    """A coordinator tells the caller by text when the call will come."""
    context.current().notices.scheduling_text(request_id, day, window, send_key)


def self_care(offer_id: str, supporter_id: str, long_call: str = "") -> None:
    """A supporter's call ended: the self-care text (once)."""
    context.current().self_care.after_call(offer_id, supporter_id, long_call == "1")


def page_debrief(supporter_id: str, during_call: str = "") -> None:
    """A supporter asked for a debrief, or pressed * and 2 during a call: page the on-call
    coordinator (their name only)."""
    context.current().self_care.page_debrief(supporter_id, during_call == "1")


def crisis_conference(request_id: str) -> None:
    """The supporter's help key 1: call the crisis line into the call's conference."""
    context.current().help_key.add_crisis_line(request_id)


def encode_said(said: Sequence[Line]) -> str:
    """Sentences as a job argument (JSON carries strings): "caller_left:en;…"."""
    return ";".join(f"{line.msg.value}:{line.language.value}" for line in said)


def decode_said(words: str) -> tuple[Line, ...]:
    pairs = (item.split(":") for item in words.split(";") if item)
    return tuple(Line(Msg(msg), Language(lang)) for msg, lang in pairs)


def _last_try() -> bool:
    """Whether the running job has no retry left (RQ counts down ``retries_left``)."""
    job = get_current_job()
    return job is None or not job.retries_left
