"""TwiML for the replies the use cases decide (``usecases.replies``): the masked bridge.

Both parties meet in a per-request conference named after the request id, so neither leg
ever carries the other's number. Supporters hear role and urgency only.
"""

from __future__ import annotations

from collections.abc import Sequence

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from ivr.catalogue import catalogue, voice
from ivr.messages import Msg
from ivr.model import Channel, Language, Line
from ivr.prompts import line_text
from telephony import paths, twiml
from telephony.twiml import say
from usecases.replies import (
    CallBackLater,
    CallBackOffer,
    Conference,
    ConsentQuestion,
    CrisisTransfer,
    Farewell,
    HelpMenu,
    Hold,
    VoiceReply,
    Whisper,
)

OFFER_SECONDS = 10  # to press 1 after the offer
CALLBACK_SECONDS = 8  # to press 1 after "Peerline calling back"
HELP_SECONDS = 8  # to choose at the supporter's help menu (silence: back to the call)
CONSENT_SECONDS = 8  # to answer "may another healthcare worker talk with you now?"


def render(reply: VoiceReply, crisis_number: str) -> str:
    """The TwiML document for ``reply``."""
    if isinstance(reply, Farewell):
        return farewell(reply.said)
    if isinstance(reply, CrisisTransfer):
        return twiml.crisis_transfer(reply.language, crisis_number)
    if isinstance(reply, Conference):
        response = VoiceResponse()
        _say_all(response, reply.said)
        response.append(_conference(reply.request_id, reply.help_key, reply.end_on_exit))
        return str(response)
    if isinstance(reply, Whisper):
        return _whisper(reply)
    if isinstance(reply, CallBackOffer):
        return _callback_offer(reply)
    if isinstance(reply, CallBackLater):
        return _callback_later(reply)
    if isinstance(reply, Hold):
        return twiml.hold(reply.language, paths.hold(reply.next_cycle), first=reply.first)
    if isinstance(reply, ConsentQuestion):
        return _consent_question(reply)
    if isinstance(reply, HelpMenu):
        return _help_menu(reply)
    raise TypeError(f"not a voice reply: {reply!r}")  # pragma: no cover - the union is closed


def farewell(said: Sequence[Line]) -> str:
    """Say ``said``, then hang up."""
    response = VoiceResponse()
    _say_all(response, said)
    response.hangup()
    return str(response)


def conference_name(request_id: str) -> str:
    return f"peerline-{request_id}"


def conference_wait() -> str:
    response = VoiceResponse()
    say(response, voice(Msg.CONFERENCE_WAIT, Language.EN), Language.EN)
    response.pause(length=15)
    return str(response)


def _whisper(reply: Whisper) -> str:
    """The offer: who needs support and how soon, then press 1 to accept, 2 to pass."""
    en = Language.EN
    words = catalogue(Channel.VOICE)
    sentence = voice(
        Msg.OFFER_WHISPER,
        en,
        who=words.word(f"role.{reply.role.value}", en),
        when=words.word(f"urgency.{reply.urgency.value}", en),
    )
    if reply.caller_language is Language.ES:
        spanish = Msg.OFFER_ENGLISH_OK if reply.english_ok else Msg.OFFER_IN_SPANISH
        sentence += " " + voice(spanish, en)
    sentence += " " + voice(Msg.OFFER_KEYS, en)
    response = VoiceResponse()
    gather = _one_key(paths.offer_answer(reply.offer_id), OFFER_SECONDS)
    for _ in range(2):
        say(gather, sentence, en)
    response.append(gather)
    return str(response)


def _callback_offer(reply: CallBackOffer) -> str:
    lang = reply.language
    response = VoiceResponse()
    gather = _one_key(paths.callback_answer(reply.request_id), CALLBACK_SECONDS)
    for _ in range(2):
        say(gather, voice(Msg.CALLBACK_HELLO, lang), lang)
        say(gather, voice(Msg.CALLBACK_DECLINE_KEY, lang), lang)
        say(gather, voice(Msg.CRISIS_REMINDER, lang), lang)
    response.append(gather)
    return str(response)


def _consent_question(reply: ConsentQuestion) -> str:
    """May the match widen? 1 yes, 2 no; the crisis key stays live (the answer handles 9)."""
    response = VoiceResponse()
    gather = _one_key(
        paths.consent(reply.request_id, reply.widening, reply.cycle, reply.again), CONSENT_SECONDS
    )
    _say_all(gather, reply.said)
    lang = reply.said[0].language if reply.said else Language.EN
    say(gather, voice(Msg.CRISIS_REMINDER, lang), lang)
    response.append(gather)
    return str(response)


def _callback_later(reply: CallBackLater) -> str:
    """A peer will call back; 9 (or any key) goes to the call-back answer, silence hangs up."""
    lang = reply.language
    response = VoiceResponse()
    gather = _one_key(
        paths.callback_answer(reply.request_id), CALLBACK_SECONDS, silence_posts=False
    )
    say(gather, voice(Msg.CALLBACK_PEER_LEFT, lang), lang)
    response.append(gather)
    response.hangup()
    return str(response)


def _say_all(node: VoiceResponse | Gather, said: Sequence[Line]) -> None:
    for line in said:
        say(node, line_text(line, Channel.VOICE), line.language)


def _help_menu(reply: HelpMenu) -> str:
    """The supporter's help key: 1 the crisis line into the call, 2 page, 3 back."""
    response = VoiceResponse()
    gather = _one_key(paths.help_answer(reply.offer_id), HELP_SECONDS)
    say(gather, voice(Msg.HELP_MENU, Language.EN), Language.EN)
    response.append(gather)
    return str(response)


def _conference(request_id: str, help_key: str = "", end_on_exit: bool = True) -> Dial:
    # The supporter's leg: "*" leaves the room for their help menu (hangupOnStar and the
    # Dial's action); the room lives on while they are out (endConferenceOnExit false).
    dial = Dial(hangup_on_star=True, action=paths.help_menu(help_key)) if help_key else Dial()
    dial.conference(
        conference_name(request_id),
        start_conference_on_enter=True,
        end_conference_on_exit=end_on_exit,
        beep=False,
        wait_url=paths.CONFERENCE_WAIT,
        wait_method="POST",
    )
    return dial


def _one_key(action: str, timeout: int, *, silence_posts: bool = True) -> Gather:
    """A one-key question answered at ``action``; silence posts there too unless it
    should fall through to what follows the Gather."""
    return Gather(
        action=action,
        method="POST",
        num_digits=1,
        timeout=timeout,
        action_on_empty_result=True if silence_posts else None,
    )
