"""TwiML for the masked bridge: the supporter's offer, the conference, the call back.

Supporters hear role and urgency only. Both parties meet in a per-request conference whose
name is the request id, so neither leg ever carries the other's number.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from ivr import Language
from ivr.model import Msg
from ivr.prompts import text
from telephony import paths
from telephony.twiml import say

EN, ES = Language.EN, Language.ES

ROLE_WORDS = {
    "nurse": "a nurse",
    "physician": "a physician",
    "trainee": "a resident or student",
    "app": "an advanced practice provider",
    "allied": "an allied health professional",
    "tech": "a nursing assistant or tech",
    "support": "a hospital staff member",
    "other": "a healthcare leader or staff member",
    "unspecified": "a healthcare worker",
}
URGENCY_WORDS = {"urgent": "today", "soon": "in the next day or two", "routine": "with no rush"}

SUPPORTER = {
    "accepted_hold": "Thank you. Connecting you with the caller now.",
    "accepted_callback": "Thank you. We're calling them now from the Peerline number. "
    "Please stay on the line.",
    "accepted_text_first": "Thank you. We've texted them that we'll call in about two "
    "minutes. Please stay on the line.",
    "declined": "Thank you. We'll offer it to someone else.",
    "gone": "Thank you. This request has already been taken care of, so there's nothing "
    "more to do.",
    "caller_left": "Sorry, the caller is no longer on the line. Thank you for answering.",
    "not_reached": "We couldn't reach the caller. Thank you for being available. We'll try "
    "them again later.",
    "cannot_call": "We're sorry: Peerline can't call this caller's number, so a coordinator "
    "will follow up with them. Thank you for being available.",
    "wait": "Please hold while we connect you.",
}
CALLER = {
    EN: {
        "join": "A peer supporter is on the line. Connecting you now.",
        "callback": "Hello, this is Peerline calling back with the peer supporter you asked "
        "for. Press 1 to be connected now.",
        "not_now": "All right. We'll try you again later. Take care.",
        "nobody": "We're sorry: no peer supporter is available right now. We have kept your "
        "request, and a peer supporter will call you back from this Peerline number.",
    },
    ES: {
        "join": "Un colega de apoyo está en la línea. Le comunicamos ahora.",
        "callback": "Hola, le llama Peerline con el colega de apoyo que usted pidió. Oprima 1 "
        "para comunicarse ahora.",
        "not_now": "De acuerdo. Le volveremos a llamar más tarde. Cuídese.",
        "nobody": "Lo sentimos: ahora no hay ningún colega de apoyo disponible. Guardamos su "
        "solicitud, y un colega de apoyo le llamará desde este número de Peerline.",
    },
}
_ETA = {"urgent": Msg.ETA_URGENT, "soon": Msg.ETA_SOON, "routine": Msg.ETA_ROUTINE}


def _lang(code: str) -> Language:
    return Language(code) if code in Language._value2member_map_ else EN


def conference_name(request_id: str) -> str:
    return f"peerline-{request_id}"


def whisper(role: str, urgency: str, caller_language: str, action: str) -> str:
    """The offer: who needs support and how soon, then press 1 to accept, 2 to pass."""
    response = VoiceResponse()
    gather = Gather(
        action=action, method="POST", num_digits=1, timeout=10, action_on_empty_result=True
    )
    who = ROLE_WORDS.get(role, ROLE_WORDS["unspecified"])
    when = URGENCY_WORDS.get(urgency, "soon")
    words = f"This is Peerline. {who.capitalize()} needs peer support {when}."
    if caller_language == ES:
        words += " They would like to talk in Spanish."
    for _ in range(2):
        say(gather, f"{words} Press 1 to accept, or 2 to pass.", EN)
    response.append(gather)
    return str(response)


def supporter_joins(request_id: str, contact_mode: str) -> str:
    response = VoiceResponse()
    key = {"callback": "accepted_callback", "text_first": "accepted_text_first"}.get(
        contact_mode, "accepted_hold"
    )
    say(response, SUPPORTER[key], EN)
    response.append(_conference(request_id))
    return str(response)


def caller_joins(request_id: str, language: str) -> str:
    lang = _lang(language)
    response = VoiceResponse()
    say(response, CALLER[lang]["join"], lang)
    response.append(_conference(request_id))
    return str(response)


def callback_offer(language: str, action: str) -> str:
    lang = _lang(language)
    response = VoiceResponse()
    gather = Gather(
        action=action, method="POST", num_digits=1, timeout=8, action_on_empty_result=True
    )
    for _ in range(2):
        say(gather, CALLER[lang]["callback"], lang)
        say(gather, text(Msg.CRISIS_REMINDER, lang), lang)
    response.append(gather)
    return str(response)


def to_supporter(key: str) -> str:
    """A short message to the supporter, then hang up."""
    response = VoiceResponse()
    say(response, SUPPORTER[key], EN)
    response.hangup()
    return str(response)


def caller_not_reached(_language: str = "en") -> str:
    return to_supporter("not_reached")


def cannot_call_caller(_language: str = "en") -> str:
    return to_supporter("cannot_call")


def caller_left(_language: str = "en") -> str:
    return to_supporter("caller_left")


def to_caller(language: str, key: str) -> str:
    lang = _lang(language)
    response = VoiceResponse()
    say(response, CALLER[lang][key], lang)
    response.hangup()
    return str(response)


def nobody_now(language: str, urgency: str) -> str:
    """The truth for a holding caller when nobody can take the call now."""
    lang = _lang(language)
    response = VoiceResponse()
    say(response, CALLER[lang]["nobody"], lang)
    say(response, text(_ETA.get(urgency, Msg.ETA_SOON), lang), lang)
    say(response, text(Msg.CRISIS_FAILED, lang), lang)
    response.hangup()
    return str(response)


def conference_wait() -> str:
    response = VoiceResponse()
    say(response, SUPPORTER["wait"], EN)
    response.pause(length=15)
    return str(response)


def _conference(request_id: str) -> Dial:
    dial = Dial()
    dial.conference(
        conference_name(request_id),
        start_conference_on_enter=True,
        end_conference_on_exit=True,
        beep=False,
        wait_url=paths.CONFERENCE_WAIT,
        wait_method="POST",
    )
    return dial
