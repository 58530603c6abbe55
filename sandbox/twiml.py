"""TwiML documents parsed into typed verbs, with Twilio's error codes for bad documents.

Recording is refused here, once, for every document: a ``<Record>`` verb or any
``record`` attribute other than ``false``/``do-not-record`` is an error, never a call
that records.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sandbox.verbs import (
    DEFAULT_WAIT_MUSIC,
    Conference,
    Dial,
    Enqueue,
    Gather,
    Hangup,
    Leave,
    Message,
    Number,
    Pause,
    Play,
    Prompt,
    Queue,
    Redirect,
    Reject,
    Say,
    Verb,
)

RECORDING_REFUSED = "sandbox:record-refused"
_NOT_RECORDING = {"false", "do-not-record"}


class TwimlError(Exception):
    """A document Twilio would not run; ``code`` is the Twilio error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def parse_voice(text: str) -> list[Verb]:
    """Parse a voice TwiML document; raise :class:`TwimlError` as Twilio would fail it."""
    return [_voice_verb(el) for el in _response(text)]


def parse_messaging(text: str) -> list[Message | Redirect]:
    """Parse a messaging TwiML document (``<Message>`` and ``<Redirect>``)."""
    verbs: list[Message | Redirect] = []
    for el in _response(text):
        if el.tag == "Message":
            body = el.find("Body")
            verbs.append(
                Message(
                    body=_text(body if body is not None else el),
                    to=el.get("to"),
                    from_=el.get("from"),
                )
            )
        elif el.tag == "Redirect":
            verbs.append(Redirect(_required_text(el), _method(el, "method")))
        else:
            raise _unknown(el)
    return verbs


def _response(text: str) -> ET.Element:
    try:
        root = ET.fromstring(text.strip())  # noqa: S314 - TwiML from the app under test
    except ET.ParseError as exc:
        raise TwimlError("12100", f"Document parse failure: {exc}") from None
    if root.tag != "Response":
        raise TwimlError("12100", f"Document parse failure: root is <{root.tag}>")
    for el in root.iter():
        if el.tag == "Record":
            raise TwimlError(RECORDING_REFUSED, "<Record> is refused: Peerline must never record")
        record = el.get("record")
        if record is not None and record.lower() not in _NOT_RECORDING:
            raise TwimlError(
                RECORDING_REFUSED,
                f'record="{record}" on <{el.tag}> is refused: Peerline must never record',
            )
    return root


def _voice_verb(el: ET.Element) -> Verb:
    match el.tag:
        case "Say" | "Play" | "Pause":
            return _prompt(el)
        case "Gather":
            return _gather(el)
        case "Redirect":
            return Redirect(_required_text(el), _method(el, "method"))
        case "Hangup":
            return Hangup()
        case "Reject":
            return Reject(el.get("reason", "rejected"))
        case "Leave":
            return Leave()
        case "Dial":
            return _dial(el)
        case "Enqueue":
            return Enqueue(
                name=_required_text(el),
                action=el.get("action"),
                method=_method(el, "method"),
                wait_url=el.get("waitUrl", DEFAULT_WAIT_MUSIC),
                wait_method=_method(el, "waitUrlMethod"),
            )
    raise _unknown(el)


def _prompt(el: ET.Element) -> Prompt:
    if el.tag == "Say":
        return Say(
            _text(el), el.get("voice", "man"), el.get("language", "en-US"), _int(el, "loop", 1)
        )
    if el.tag == "Play":
        return Play(_text(el), _int(el, "loop", 1))
    return Pause(_number(el, "length", 1.0))


def _gather(el: ET.Element) -> Gather:
    inputs = frozenset(el.get("input", "dtmf").split())
    if not inputs or not inputs <= {"dtmf", "speech"}:
        raise TwimlError("12200", f'Schema validation warning: <Gather input="{el.get("input")}">')
    prompts = []
    for child in el:
        if child.tag not in ("Say", "Play", "Pause"):
            raise TwimlError("12200", f"Schema validation warning: <{child.tag}> in <Gather>")
        prompts.append(_prompt(child))
    return Gather(
        input=inputs,
        num_digits=_int(el, "numDigits", 0) or None,
        timeout=_number(el, "timeout", 5.0),
        finish_on_key=el.get("finishOnKey", "#"),
        action=el.get("action"),
        method=_method(el, "method"),
        action_on_empty_result=_bool(el, "actionOnEmptyResult"),
        hints=el.get("hints", ""),
        language=el.get("language", "en-US"),
        barge_in=_bool(el, "bargeIn", True),
        prompts=tuple(prompts),
    )


def _dial(el: ET.Element) -> Dial:
    target: tuple[Number, ...] | Conference | Queue
    children = list(el)
    if not children:
        target = (Number(_required_text(el)),)
    elif all(c.tag == "Number" for c in children) and len(children) <= 10:
        target = tuple(
            Number(
                number=_required_text(c),
                url=c.get("url"),
                method=_method(c, "method"),
                status_callback=c.get("statusCallback"),
                status_callback_method=_method(c, "statusCallbackMethod"),
                status_events=frozenset(c.get("statusCallbackEvent", "completed").split()),
            )
            for c in children
        )
    elif len(children) == 1 and children[0].tag == "Conference":
        c = children[0]
        target = Conference(
            name=_required_text(c),
            start_on_enter=_bool(c, "startConferenceOnEnter", True),
            end_on_exit=_bool(c, "endConferenceOnExit"),
            wait_url=c.get("waitUrl", DEFAULT_WAIT_MUSIC),
            wait_method=_method(c, "waitMethod"),
            status_callback=c.get("statusCallback"),
            status_callback_method=_method(c, "statusCallbackMethod"),
            status_events=frozenset(c.get("statusCallbackEvent", "").split()),
        )
    elif len(children) == 1 and children[0].tag == "Queue":
        c = children[0]
        target = Queue(_required_text(c), c.get("url"), _method(c, "method"))
    else:
        tags = ", ".join(f"<{c.tag}>" for c in children)
        raise TwimlError("12200", f"Schema validation warning: <Dial> with {tags}")
    return Dial(
        target=target,
        caller_id=el.get("callerId"),
        timeout=_number(el, "timeout", 30.0),
        action=el.get("action"),
        method=_method(el, "method"),
        hangup_on_star=_bool(el, "hangupOnStar"),
    )


def _unknown(el: ET.Element) -> TwimlError:
    return TwimlError("12200", f"Schema validation warning: unsupported verb <{el.tag}>")


def _text(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _required_text(el: ET.Element) -> str:
    text = _text(el)
    if not text:
        raise TwimlError("12200", f"Schema validation warning: empty <{el.tag}>")
    return text


def _method(el: ET.Element, attr: str) -> str:
    method = el.get(attr, "POST").upper()
    if method not in ("GET", "POST"):
        raise TwimlError("12200", f'Schema validation warning: {attr}="{method}"')
    return method


def _bool(el: ET.Element, attr: str, default: bool = False) -> bool:
    value = el.get(attr)
    if value is None:
        return default
    if value.lower() not in ("true", "false"):
        raise TwimlError("12200", f'Schema validation warning: {attr}="{value}"')
    return value.lower() == "true"


def _number(el: ET.Element, attr: str, default: float) -> float:
    value = el.get(attr)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise TwimlError("12200", f'Schema validation warning: {attr}="{value}"') from None
    if number < 0:
        raise TwimlError("12200", f'Schema validation warning: {attr}="{value}"')
    return number


def _int(el: ET.Element, attr: str, default: int) -> int:
    return int(_number(el, attr, default))
