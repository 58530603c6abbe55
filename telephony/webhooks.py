"""Twilio webhook endpoints. Each: verify → parse → one use-case call → TwiML.

Voice endpoints never answer 5xx to a genuine call: if the use case fails (database down,
a bug), the caller hears an apology that still offers the crisis line.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.twiml.voice_response import VoiceResponse

from ivr import Language
from ivr.model import Msg
from telephony import paths, twiml
from telephony.inbound import MissingField, VoiceCall
from telephony.intake import VoiceIntake
from telephony.security import verified_form
from telephony.twiml import TwiMLResponse

logger = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]


def _intake(request: Request) -> VoiceIntake:
    intake: VoiceIntake = request.app.state.intake
    return intake


def _int_param(request: Request, name: str) -> int:
    raw = request.query_params.get(name, "0")
    return int(raw) if raw.isdigit() and len(raw) < 6 else 0


def voice_endpoint(use: Callable[[Request, VoiceCall], str]) -> Handler:
    """Wrap a voice use case in the house order and the never-5xx rule."""

    async def endpoint(request: Request) -> Response:
        form = await verified_form(request)
        try:
            call = VoiceCall.from_form(form)
        except MissingField as exc:
            logger.warning("voice webhook missing %s path=%s", exc, request.url.path)
            return Response(f"missing {exc}", status_code=400, media_type="text/plain")
        try:
            document = await run_in_threadpool(use, request, call)
        except Exception:
            logger.exception(
                "voice webhook failed call=%s path=%s", call.call_sid, request.url.path
            )
            document = twiml.apology(paths.FALLBACK_ANSWERED)
        return TwiMLResponse(document)

    return endpoint


voice = voice_endpoint(lambda request, call: _intake(request).begin(call))
voice_gather = voice_endpoint(
    lambda request, call: _intake(request).turn(call, _int_param(request, "turn"))
)
voice_hold = voice_endpoint(
    lambda request, call: _intake(request).hold(call, _int_param(request, "cycle"))
)


async def voice_fallback(request: Request) -> Response:
    """The number's fallback URL and the apology's action: needs no database or Redis."""
    form = await verified_form(request)
    crisis_number: str = request.app.state.settings.crisis_number
    if str(form.get("Digits") or "").startswith("9"):
        return TwiMLResponse(twiml.crisis_transfer(Language.EN, crisis_number))
    if request.query_params.get("answered"):  # the apology was heard once; don't loop
        return TwiMLResponse(twiml.spoken(Language.EN, Msg.CRISIS_FAILED))
    return TwiMLResponse(twiml.apology(paths.FALLBACK_ANSWERED))


async def status(request: Request) -> Response:
    form = await verified_form(request)
    if form.get("CallSid"):
        try:
            await _call_status(request, form)
        except Exception:  # Twilio does not retry status callbacks; log and move on
            logger.exception("status callback failed call=%s", form.get("CallSid"))
    return TwiMLResponse(str(VoiceResponse()))


async def _call_status(request: Request, form: FormData) -> None:
    try:
        call = VoiceCall.from_form(form)
    except MissingField:
        return
    await run_in_threadpool(_intake(request).call_status, call)


def routes() -> list[Route]:
    return [
        Route(paths.VOICE, voice, methods=["POST"]),
        Route(paths.VOICE_GATHER, voice_gather, methods=["POST"]),
        Route(paths.VOICE_HOLD, voice_hold, methods=["POST"]),
        Route(paths.VOICE_FALLBACK, voice_fallback, methods=["POST"]),
        Route(paths.STATUS, status, methods=["POST"]),
    ]
