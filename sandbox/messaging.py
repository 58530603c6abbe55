"""Text messages: phones texting the hotline, Peerline replying by TwiML or REST.

Twilio's built-in opt-out is imitated: a single-word STOP (or STOPALL, UNSUBSCRIBE,
CANCEL, END, QUIT) opts the phone out, with Twilio's confirmation, and the message is
still passed to Peerline; START/YES/UNSTOP opts back in; HELP/INFO gets the standard
help text. Sending to an opted-out phone fails with 21610.
"""

from __future__ import annotations

from sandbox import twiml, verbs
from sandbox.errors import ApiError, invalid_to, opted_out, too_many_requests
from sandbox.exchange import Exchange
from sandbox.phones import Message, country_of, is_phone_number, new_sid
from sandbox.program import resolve
from sandbox.ratelimit import RateLimit
from sandbox.twiml import TwimlError
from sandbox.webhooks import Delivery

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})
HELP = frozenset({"HELP", "INFO"})
OPT_OUT_REPLY = (
    "You have successfully been unsubscribed. You will not receive any more messages from "
    "this number. Reply START to resubscribe."
)
OPT_IN_REPLY = (
    "You have successfully been re-subscribed to messages from this number. Reply HELP for "
    "help. Reply STOP to unsubscribe. Msg&Data Rates May Apply."
)
HELP_REPLY = "Reply STOP to unsubscribe. Msg&Data Rates May Apply."
MAX_BODY = 1600
MAX_REDIRECTS = 10
_MAGIC_TO = {"+15005550001": 21211, "+15005550004": 21610, "+15005550009": 21614}


class Messaging:
    def __init__(self, switchboard: Exchange) -> None:
        self.sb = switchboard
        self.messages: dict[str, Message] = {}
        self.rate = RateLimit(switchboard.clock, switchboard.config.sms_per_second)

    def from_phone(self, number: str, to: str, body: str) -> Message:
        """A phone texts ``to`` (the hotline); Peerline's SMS webhook hears about it."""
        hotline = self.sb.config.hotline_number
        if to != hotline:
            raise ValueError("sandbox phones can only text the hotline")
        with self.sb.lock:
            phone = self.sb.phone(number)
            message = self._new(number, hotline, body, "inbound", "received")
            keyword = body.strip().upper()
            if keyword in OPT_OUT:
                phone.opted_out = True
                self._reply(number, OPT_OUT_REPLY, bypass_opt_out=True)
            elif keyword in OPT_IN:
                phone.opted_out = False
                self._reply(number, OPT_IN_REPLY)
            elif keyword in HELP:
                self._reply(number, HELP_REPLY)
            self._request(message, self.sb.config.sms_url, "POST", hops=0)
            return message

    def create(
        self, *, to: str, from_: str, body: str, status_callback: str | None = None
    ) -> Message:
        """``POST /Messages.json``: validate as Twilio does, then deliver (async)."""
        if not to:
            raise ApiError(400, 21604, "A 'To' phone number is required.")
        if (to in _MAGIC_TO and _MAGIC_TO[to] == 21211) or not is_phone_number(to):
            raise invalid_to(to)
        if not from_:
            raise ApiError(400, 21603, "A 'From' phone number is required.")
        if from_ != self.sb.config.hotline_number:
            raise ApiError(
                400, 21606, f"The From phone number {from_} is not a valid, SMS-capable number"
            )
        if to == from_:
            raise ApiError(400, 21266, "'To' and 'From' number cannot be the same")
        if not body:
            raise ApiError(400, 21602, "Message body is required.")
        if len(body) > MAX_BODY:
            raise ApiError(400, 21617, "The concatenated message body exceeds the 1600 limit")
        if _MAGIC_TO.get(to) == 21614:
            raise ApiError(400, 21614, f"'To' number {to} is not a valid mobile number")
        with self.sb.lock:
            if _MAGIC_TO.get(to) == 21610 or self.sb.phone(to).opted_out:
                raise opted_out()
            if not self.rate.take():
                raise too_many_requests()
            message = self._new(from_, to, body, "outbound-api", "queued")
            message.status_callback = status_callback
            self.sb.runner.submit(self.sb.locked(lambda: self._deliver(message)))
            return message

    def _new(self, from_: str, to: str, body: str, direction: str, status: str) -> Message:
        now = self.sb.now()
        message = Message(
            sid=new_sid("SM"),
            account_sid=self.sb.config.account_sid,
            from_=from_,
            to=to,
            body=body,
            direction=direction,
            created_at=now,
            updated_at=now,
            status=status,
        )
        self.messages[message.sid] = message
        for number in (from_, to):
            if number != self.sb.config.hotline_number:
                self.sb.phone(number).messages.append(message.sid)
                self.sb.events.emit("sms", phone=number, message=message.sid)
        return message

    def _deliver(self, message: Message) -> None:
        for status in ("sent", "delivered"):
            message.status = status
            message.updated_at = self.sb.now()
            message.sent_at = message.sent_at or message.updated_at
            self.sb.events.emit("sms", phone=message.to, message=message.sid)
            if message.status_callback:
                self.sb.post(message.status_callback, self._status_params(message))

    def _reply(self, to: str, body: str, *, bypass_opt_out: bool = False) -> None:
        if self.sb.phone(to).opted_out and not bypass_opt_out:
            self.sb.notice("21610", "<Message> reply blocked: the recipient replied STOP")
            return
        message = self._new(self.sb.config.hotline_number, to, body, "outbound-reply", "delivered")
        message.sent_at = message.created_at

    def _request(self, message: Message, url: str, method: str, hops: int) -> None:
        params = self._inbound_params(message)

        def request() -> None:
            delivery = self.sb.webhooks.send(url, params, method)
            with self.sb.lock:
                self._answer(message, url, delivery, hops)

        self.sb.runner.submit(request)

    def _answer(self, message: Message, url: str, delivery: Delivery, hops: int) -> None:
        if not delivery.ok:
            why = delivery.error or f"HTTP {delivery.status_code}"
            self.sb.notice("11200", f"HTTP retrieval failure: {url} ({why})")
            return
        if not delivery.body.strip():
            return
        try:
            document = twiml.parse_messaging(delivery.body)
        except TwimlError as exc:
            self.sb.notice(exc.code, exc.message)
            return
        for verb in document:
            if isinstance(verb, verbs.Redirect):
                if hops >= MAX_REDIRECTS:
                    self.sb.notice("sandbox:loop", f"{hops} SMS redirects in a row")
                    return
                self._request(message, resolve(url, verb.url), verb.method, hops + 1)
                return
            to = verb.to or message.from_
            if not is_phone_number(to) or to == self.sb.config.hotline_number:
                self.sb.notice("21211", "<Message to> is not a phone number")
            else:
                self._reply(to, verb.body)

    def _inbound_params(self, message: Message) -> list[tuple[str, str]]:
        return [
            ("AccountSid", message.account_sid),
            ("ApiVersion", "2010-04-01"),
            ("MessageSid", message.sid),
            ("SmsMessageSid", message.sid),
            ("SmsSid", message.sid),
            ("SmsStatus", "received"),
            ("From", message.from_),
            ("To", message.to),
            ("Body", message.body),
            ("NumMedia", "0"),
            ("NumSegments", str(message.num_segments)),
            ("FromCity", ""),
            ("FromState", ""),
            ("FromZip", ""),
            ("FromCountry", country_of(message.from_)),
            ("ToCity", ""),
            ("ToState", ""),
            ("ToZip", ""),
            ("ToCountry", country_of(message.to)),
        ]

    def _status_params(self, message: Message) -> list[tuple[str, str]]:
        return [
            ("AccountSid", message.account_sid),
            ("ApiVersion", "2010-04-01"),
            ("MessageSid", message.sid),
            ("SmsSid", message.sid),
            ("MessageStatus", message.status),
            ("SmsStatus", message.status),
            ("From", message.from_),
            ("To", message.to),
        ]
