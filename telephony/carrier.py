"""The outbound side of Twilio, through the official SDK: calls, messages, number set-up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from ivr.model import Line
from telephony import paths
from telephony.carrier_errors import translated
from telephony.replies import farewell

REST_TIMEOUT = 10  # seconds for one REST request to Twilio
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
# Our clock and Twilio's disagree by a little, and DateCreated has whole seconds: a call
# or text is "ours" if Twilio created it no earlier than this before our attempt began.
CLOCK_SKEW = timedelta(seconds=5)
LOOKUP_LIMIT = 20  # the newest calls/messages between two numbers that a lookup reads


def twilio_client(
    account_sid: str, auth_token: str, api_url: str | None = None, timeout: float = REST_TIMEOUT
) -> Client:
    """A real ``twilio.rest.Client``; ``api_url`` points it at the sandbox or a test double."""
    # The SDK waits forever by default; a hung request would pin a worker while the
    # reconciler re-dispatches the request (two supporters rung for one caller).
    http = TwilioHttpClient(timeout=timeout)
    client = Client(account_sid, auth_token, http_client=http)
    if api_url:
        client.api.base_url = api_url.rstrip("/")
    _environment_once(http, client.api.base_url)
    return client


def _environment_once(http: TwilioHttpClient, base_url: str) -> None:
    """Read the proxy and CA-bundle variables once, for the one host this client calls.

    requests reads them again on every request (``merge_environment_settings``: ~0.4 ms
    of CPU per REST call here, most of a dispatch's Python outside the database); what it
    would find is fixed for a process, so it is kept on the session instead."""
    session = http.session
    if session is None:
        return
    found = session.merge_environment_settings(base_url, {}, None, None, None)
    session.proxies.update(found["proxies"])
    session.verify = found["verify"]
    session.trust_env = False


class TwilioCarrier:
    """``usecases.ports.Carrier`` over the twilio SDK.

    Turns intents into REST requests with our webhook URLs and TwiML, and translates
    Twilio's errors into ours in one place (``telephony.carrier_errors``).
    """

    def __init__(self, client: Client, public_base: str) -> None:
        self.client = client
        self.public_base = public_base.rstrip("/")

    def ring_supporter(self, *, to: str, from_: str, offer_id: str, ring_seconds: int) -> str:
        return self._place(
            to, from_, paths.offer(offer_id), paths.offer_status(offer_id), ring_seconds
        )

    def call_caller_back(self, *, to: str, from_: str, request_id: str, ring_seconds: int) -> str:
        return self._place(
            to, from_, paths.callback(request_id), paths.callback_status(request_id), ring_seconds
        )

    def call_into_conference(self, *, to: str, from_: str, request_id: str) -> str:
        return self._place(to, from_, paths.crisis_join(request_id), paths.STATUS, 60)

    def move_to_conference(self, call_sid: str, request_id: str) -> None:
        self._update(call_sid, url=self.public_base + paths.join(request_id), method="POST")

    def cancel_call(self, call_sid: str) -> None:
        self._update(call_sid, status="canceled")

    def hang_up(self, call_sid: str, said: Sequence[Line] = ()) -> None:
        if said:
            self._update(call_sid, twiml=farewell(said))
        else:
            self._update(call_sid, status="completed")

    def send_sms(self, *, to: str, from_: str, body: str) -> str:
        with translated():
            message = self.client.messages.create(to=to, from_=from_, body=body)
        return str(message.sid)

    def find_call(self, *, to: str, from_: str, since: datetime) -> str | None:
        """The first call from ``from_`` to ``to`` Twilio created since ``since``, if any.

        Filtered by To and From at Twilio and by DateCreated here: StartTime is empty
        while a call is still queued, and Twilio's StartTime filter takes whole days."""
        with translated():
            calls = self.client.calls.list(to=to, from_=from_, limit=LOOKUP_LIMIT)
        return _first_since([(c.date_created, c.sid) for c in calls], since)

    def find_message(self, *, to: str, from_: str, body: str, since: datetime) -> str | None:
        """The first text with this body from ``from_`` to ``to`` created since ``since``."""
        with translated():
            messages = self.client.messages.list(to=to, from_=from_, limit=LOOKUP_LIMIT)
        return _first_since([(m.date_created, m.sid) for m in messages if m.body == body], since)

    def _place(self, to: str, from_: str, url: str, status_callback: str, timeout: int) -> str:
        with translated():
            call = self.client.calls.create(
                to=to,
                from_=from_,
                url=self.public_base + url,
                method="POST",
                status_callback=self.public_base + status_callback,
                status_callback_method="POST",
                status_callback_event=STATUS_EVENTS,
                timeout=timeout,
            )
        return str(call.sid)

    def _update(self, sid: str, **kwargs: str) -> None:
        with translated():
            self.client.calls(sid).update(**kwargs)


def _first_since(created: list[tuple[datetime | None, object]], since: datetime) -> str | None:
    """The oldest SID created at or after ``since`` (less the clock skew)."""
    after = since - CLOCK_SKEW
    found = sorted((at, str(sid)) for at, sid in created if at is not None and at >= after)
    return found[0][1] if found else None


def configure_number(client: Client, hotline: str, public_base: str) -> str:
    """Point the hotline's voice, fallback, status and SMS webhooks at ``public_base``."""
    numbers = client.incoming_phone_numbers.list(phone_number=hotline, limit=2)
    if not numbers:
        raise LookupError(f"no incoming number {hotline} on this Twilio account")
    number = numbers[0]
    number.update(
        voice_url=public_base + paths.VOICE,
        voice_method="POST",
        voice_fallback_url=public_base + paths.VOICE_FALLBACK,
        voice_fallback_method="POST",
        status_callback=public_base + paths.STATUS,
        status_callback_method="POST",
        sms_url=public_base + paths.SMS,
        sms_method="POST",
    )
    return str(number.sid)
