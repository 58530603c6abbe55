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
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from ivr import Language
from ivr.catalogue import sms as sms_text
from ivr.messages import Msg
from matching.widening import Widening
from telephony import paths, replies, twiml
from telephony.inbound import MissingField, text_message, voice_call
from telephony.security import verified_form
from telephony.twiml import TwiMLResponse
from usecases.admission import Admission, Verdict
from usecases.caller_leg import CallerLeg
from usecases.help_key import HelpKey
from usecases.inbound import Text, VoiceCall
from usecases.ports import TextSpool
from usecases.replies import VoiceReply
from usecases.supporter_leg import SupporterLeg
from usecases.text_desk import TextDesk
from usecases.voice_intake import VoiceIntake

logger = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]


def _intake(request: Request) -> VoiceIntake:
    intake: VoiceIntake = request.app.state.intake
    return intake


def _supporter(request: Request) -> SupporterLeg:
    leg: SupporterLeg = request.app.state.supporter_leg
    return leg


def _caller(request: Request) -> CallerLeg:
    leg: CallerLeg = request.app.state.caller_leg
    return leg


def _id_param(request: Request, name: str) -> str:
    """A request/offer id from our own query string: 32 hex characters, or empty."""
    value = request.query_params.get(name, "")
    return value if len(value) == 32 and all(c in "0123456789abcdef" for c in value) else ""


def _int_param(request: Request, name: str) -> int:
    raw = request.query_params.get(name, "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 0


def voice_endpoint(use: Callable[[Request, VoiceCall], str | VoiceReply]) -> Handler:
    """Wrap a voice use case in the house order and the never-5xx rule."""

    async def endpoint(request: Request) -> Response:
        form = await verified_form(request)
        try:
            call = voice_call(form)
        except MissingField as exc:
            logger.warning("voice webhook missing %s path=%s", exc, request.url.path)
            return Response(f"missing {exc}", status_code=400, media_type="text/plain")
        try:
            reply = await run_in_threadpool(use, request, call)
            crisis_number: str = request.app.state.settings.crisis_number
            document = reply if isinstance(reply, str) else replies.render(reply, crisis_number)
        except Exception:
            logger.exception(
                "voice webhook failed call=%s path=%s", call.call_sid, request.url.path
            )
            document = twiml.apology(paths.FALLBACK_ANSWERED)
        return TwiMLResponse(document)

    return endpoint


def _admission(request: Request) -> Admission:
    admission: Admission = request.app.state.admission
    return admission


def _new_call(request: Request, call: VoiceCall) -> str:
    """A new call: blocked → rejected unanswered; over a rate limit → 911/988, goodbye."""
    verdict = _admission(request).call(call.caller, call.call_sid)
    if verdict is not Verdict.ADMIT:
        logger.info("call turned away call=%s verdict=%s", call.call_sid, verdict)
        return twiml.reject() if verdict is Verdict.BLOCKED else twiml.turned_away()
    return _intake(request).begin(call)


voice = voice_endpoint(_new_call)
voice_gather = voice_endpoint(
    lambda request, call: _intake(request).turn(call, _int_param(request, "turn"))
)
voice_hold = voice_endpoint(
    lambda request, call: _intake(request).hold(call, _int_param(request, "cycle"))
)
offer = voice_endpoint(lambda r, call: _supporter(r).offer(_id_param(r, "offer"), call.call_sid))
offer_answer = voice_endpoint(
    lambda r, call: _supporter(r).answer(_id_param(r, "offer"), call.digits)
)
join = voice_endpoint(lambda r, call: _caller(r).join(_id_param(r, "request"), call.call_sid))
callback = voice_endpoint(lambda r, call: _caller(r).answered(_id_param(r, "request")))
callback_answer = voice_endpoint(
    lambda r, call: _caller(r).answer(_id_param(r, "request"), call.call_sid, call.digits)
)


def _help(request: Request) -> HelpKey:
    help_key: HelpKey = request.app.state.help_key
    return help_key


help_menu = voice_endpoint(lambda r, call: _help(r).menu(_id_param(r, "offer")))
help_answer = voice_endpoint(lambda r, call: _help(r).choose(_id_param(r, "offer"), call.digits))
crisis_join = voice_endpoint(lambda r, call: _help(r).crisis_answered(_id_param(r, "request")))

voice_consent = voice_endpoint(
    lambda r, call: _intake(r).consent.answer(
        call.call_sid,
        _id_param(r, "request"),
        _widening(r),
        call.digits,
        _int_param(r, "cycle"),
        r.query_params.get("again") == "1",
    )
)


def _widening(request: Request) -> Widening:
    raw = request.query_params.get("widening", "")
    return Widening(raw) if raw in Widening._value2member_map_ else Widening.ROLE


async def conference_wait(request: Request) -> Response:
    await verified_form(request)
    return TwiMLResponse(replies.conference_wait())


async def offer_status(request: Request) -> Response:
    return await _leg_status(
        request,
        lambda r, call, form: _supporter(r).status(
            _id_param(r, "offer"),
            call.call_status,
            _int_field(form, "CallDuration"),
            call.call_sid,
        ),
    )


async def callback_status(request: Request) -> Response:
    return await _leg_status(
        request,
        lambda r, call, form: _caller(r).status(
            _id_param(r, "request"), call.call_status, call.call_sid
        ),
    )


async def _leg_status(
    request: Request, use: Callable[[Request, VoiceCall, FormData], None]
) -> Response:
    form = await verified_form(request)
    try:
        call = voice_call(form)
        await run_in_threadpool(use, request, call, form)
    except MissingField:
        return Response("missing CallSid", status_code=400, media_type="text/plain")
    except Exception:  # Twilio does not retry status callbacks; the reconciler will
        logger.exception("leg status callback failed path=%s", request.url.path)
    return TwiMLResponse(str(VoiceResponse()))


def _int_field(form: FormData, name: str) -> int:
    raw = str(form.get(name) or "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 0


async def sms(request: Request) -> Response:
    """Never a 5xx to a genuine text: if the desk fails (the database is down), the texter
    gets an apology naming 911 and 988 and the text is kept for replay (``TextReplay``)."""
    form = await verified_form(request)
    try:
        message = text_message(form)
    except MissingField as exc:
        logger.warning("sms webhook missing %s", exc)
        return Response(f"missing {exc}", status_code=400, media_type="text/plain")
    try:
        reply = await run_in_threadpool(_text_turn, request, message)
    except Exception:
        logger.exception("sms webhook failed sms=%s", message.message_sid)
        reply = await run_in_threadpool(_keep_for_later, request, message)
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return TwiMLResponse(str(response))


def _text_turn(request: Request, message: Text) -> str:
    verdict = _admission(request).text(message.sender, message.message_sid, message.body)
    if verdict is not Verdict.ADMIT:  # blocked or over a limit: no answer at all
        logger.info("text turned away sms=%s verdict=%s", message.message_sid, verdict)
        return ""
    desk: TextDesk = request.app.state.sms
    return desk.handle(message)


def _keep_for_later(request: Request, message: Text) -> str:
    if message.sender is None or not message.message_sid:
        return ""  # nobody to answer, nothing to replay
    spool: TextSpool = request.app.state.text_spool
    try:
        spool.keep(message)
    except Exception:  # nowhere to keep it: the apology still goes out
        logger.exception("text not kept for replay sms=%s", message.message_sid)
    return sms_text(Msg.TEXT_APOLOGY, Language.EN)  # the language is in the database


async def voice_fallback(request: Request) -> Response:
    """The number's fallback URL and the apology's action: needs no database or Redis."""
    form = await verified_form(request)
    crisis_number: str = request.app.state.settings.crisis_number
    if str(form.get("Digits") or "").startswith("9"):
        await _record_crisis(request, form)
        return TwiMLResponse(twiml.crisis_transfer(Language.EN, crisis_number))
    if request.query_params.get("answered"):  # the apology was heard once; don't loop
        return TwiMLResponse(twiml.spoken(Language.EN, Msg.CRISIS_FAILED))
    return TwiMLResponse(twiml.apology(paths.FALLBACK_ANSWERED))


async def _record_crisis(request: Request, form: FormData) -> None:
    """Best effort: the database may be why the caller heard the apology."""
    try:
        call = voice_call(form)
        await run_in_threadpool(_intake(request).crisis_fallback, call)
    except Exception:
        logger.warning("crisis at the fallback not recorded in the database", exc_info=True)


async def status(request: Request) -> Response:
    form = await verified_form(request)
    if form.get("CallSid"):
        try:
            await _call_status(request, form)
        except Exception:  # Twilio does not retry status callbacks; log and move on
            logger.exception("status callback failed path=%s", request.url.path)
    return TwiMLResponse(str(VoiceResponse()))


async def _call_status(request: Request, form: FormData) -> None:
    try:
        call = voice_call(form)
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
        Route(paths.SMS, sms, methods=["POST"]),
        Route(paths.OFFER, offer, methods=["POST"]),
        Route(paths.OFFER_ANSWER, offer_answer, methods=["POST"]),
        Route(paths.OFFER_STATUS, offer_status, methods=["POST"]),
        Route(paths.JOIN, join, methods=["POST"]),
        Route(paths.CALLBACK, callback, methods=["POST"]),
        Route(paths.CALLBACK_ANSWER, callback_answer, methods=["POST"]),
        Route(paths.CALLBACK_STATUS, callback_status, methods=["POST"]),
        Route(paths.CONFERENCE_WAIT, conference_wait, methods=["POST"]),
        Route(paths.CONSENT, voice_consent, methods=["POST"]),
        Route(paths.HELP, help_menu, methods=["POST"]),
        Route(paths.HELP_ANSWER, help_answer, methods=["POST"]),
        Route(paths.CRISIS_JOIN, crisis_join, methods=["POST"]),
    ]
