"""Rendering flow steps as TwiML with twilio's ``VoiceResponse``. Nothing here ever records."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.responses import Response
from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr import Channel, Completed, ContactMode, Crisis, Language, Step
from ivr.messages import Msg
from ivr.model import Input, Prompt
from ivr.prompts import sentences, text
from telephony import paths
from telephony.readback import SLOT, fill

# The "Say" of a Twilio number needs a voice that speaks the language.
SAY_LANGUAGE = {Language.EN: "en-US", Language.ES: "es-MX"}
SAY_VOICE = {Language.EN: "Polly.Joanna", Language.ES: "Polly.Mia"}
GATHER_TIMEOUT = 6  # seconds of silence before the action runs with no Digits
CLOSING_LISTEN_SECONDS = 1  # after closing words, how long 9 still counts
HOLD_PAUSE = 20


class TwiMLResponse(Response):
    media_type = "application/xml"


@dataclass(frozen=True)
class VoiceUrls:
    """Where the rendered document sends Twilio next."""

    action: str  # the Gather action for this turn
    hold: str | None = None  # where a holding caller waits


def say(node: VoiceResponse | Gather, words: str, language: Language) -> None:
    node.say(words, language=SAY_LANGUAGE[language], voice=SAY_VOICE[language])


def render_step(
    step: Step,
    urls: VoiceUrls,
    crisis_number: str,
    hints: Sequence[str] = (),
    readback: str = "",
) -> str:
    """The TwiML for one flow step; ``readback`` is said for a keyed number's digits."""
    crisis = isinstance(step.outcome, Crisis)
    return _rendered(step.prompt, crisis, _holds(step), urls, crisis_number, tuple(hints), readback)


# A document depends only on these (the prompt, not the caller's answers), and callers walk
# the same few hundred: each is built once (building one with the SDK cost ~6% of a webhook).
@functools.lru_cache(maxsize=512)
def _rendered(
    prompt: Prompt,
    crisis: bool,
    holds_caller: bool,
    urls: VoiceUrls,
    crisis_number: str,
    hints: tuple[str, ...],
    readback: str,
) -> str:
    if crisis:
        return crisis_transfer(prompt.language, crisis_number)
    lines = sentences(prompt, Channel.VOICE, readback)
    response = VoiceResponse()
    if prompt.input is not Input.NONE:
        gather = _gather(urls.action, prompt.language, prompt.input, hints)
        for words, lang in lines:
            say(gather, words, lang)
        response.append(gather)
        return str(response)
    # Closing words (a confirmation, a goodbye) still listen for the crisis key: a caller
    # who presses 9 while hearing them must not be ignored. A holding caller goes on to
    # the hold loop whatever they press (the loop acts on 9); anyone else is hung up on
    # after the words unless they press a key, which the next turn's webhook answers.
    holds = holds_caller and urls.hold
    listening = Gather(
        action=urls.hold if holds else urls.action,
        method="POST",
        num_digits=1,
        timeout=CLOSING_LISTEN_SECONDS,
        action_on_empty_result=bool(holds),
        language=SAY_LANGUAGE[prompt.language],
    )
    for words, lang in lines:
        say(listening, words, lang)
    response.append(listening)
    response.hangup()
    return str(response)


def _holds(step: Step) -> bool:
    outcome = step.outcome
    return isinstance(outcome, Completed) and outcome.answers.contact_mode is ContactMode.HOLD


def _gather(action: str, language: Language, kind: Input, hints: Sequence[str]) -> Gather:
    kwargs: dict[str, object] = {
        "action": action,
        "method": "POST",
        "num_digits": 1,
        "timeout": GATHER_TIMEOUT,
        "action_on_empty_result": True,
        "language": SAY_LANGUAGE[language],
    }
    if kind is Input.NUMBER:
        del kwargs["num_digits"]
        kwargs.update(finish_on_key="#", timeout=10)
    if kind is Input.SPEECH:
        # A space-separated string: twilio-python renders a list as its Python repr.
        kwargs.update(input="speech dtmf", speech_timeout="2")
        if hints:
            kwargs["hints"] = ", ".join(h.replace(",", " ") for h in hints[:100])
    return Gather(**kwargs)


@functools.lru_cache(maxsize=64)  # a pure function of a few values: built once
def crisis_transfer(language: Language, crisis_number: str) -> str:
    """Connect the caller to the crisis line; if that fails, tell them how to reach help.

    No ``callerId``: the crisis centre sees the caller's own number, which it needs to
    call back or route by location. Masking is for peers, not for 988.
    """
    response = VoiceResponse()
    say(response, text(Msg.CRISIS_CONNECTING, language), language)
    response.dial(crisis_number, answer_on_bridge=True, timeout=30)
    say(response, text(Msg.CRISIS_FAILED, language), language)
    response.hangup()
    return str(response)


@functools.lru_cache(maxsize=64)
def hold(language: Language, action: str, first: bool) -> str:
    """One turn of the hold loop: a kind message that keeps the crisis key live."""
    response = VoiceResponse()
    gather = Gather(
        action=action,
        method="POST",
        num_digits=1,
        timeout=5,
        action_on_empty_result=True,
        language=SAY_LANGUAGE[language],
    )
    msg = Msg.HOLD_FIRST if first else Msg.HOLD_AGAIN
    say(gather, text(msg, language), language)
    say(gather, text(Msg.CRISIS_REMINDER, language), language)
    gather.pause(length=HOLD_PAUSE)
    response.append(gather)
    return str(response)


@functools.lru_cache(maxsize=64)
def spoken(language: Language, *msgs: Msg, hang_up: bool = True) -> str:
    response = VoiceResponse()
    for msg in msgs:
        say(response, text(msg, language), language)
    if hang_up:
        response.hangup()
    return str(response)


@functools.lru_cache(maxsize=64)
def apology(action: str) -> str:
    """For when we cannot serve the call: say so, and still offer the crisis line."""
    response = VoiceResponse()
    gather = Gather(
        action=action, method="POST", num_digits=1, timeout=8, action_on_empty_result=True
    )
    for lang in (Language.EN, Language.ES):
        say(gather, text(Msg.TECHNICAL_PROBLEM, lang), lang)
    response.append(gather)
    say(response, text(Msg.CRISIS_FAILED, Language.EN), Language.EN)
    response.hangup()
    return str(response)


@functools.lru_cache(maxsize=64)
def turned_away() -> str:
    """Over a rate limit: no intake, but 911 and 988 in both languages, then goodbye."""
    response = VoiceResponse()
    for lang in (Language.EN, Language.ES):
        say(response, text(Msg.TURNED_AWAY, lang), lang)
    response.hangup()
    return str(response)


@functools.lru_cache(maxsize=64)
def reject() -> str:
    """A blocked number: the call is never answered (no minutes, no words)."""
    response = VoiceResponse()
    response.reject()
    return str(response)


class TwimlRenderer:
    """``usecases.voice_intake.VoiceRenderer``: a flow step as TwiML, with our URLs.

    A keyed call-back number being read back is saved as ``readback.SLOT`` and filled in
    only when served, so no saved document holds its digits.
    """

    def __init__(self, crisis_number: str) -> None:
        self.crisis_number = crisis_number

    def step(self, step: Step, turn: int, hints: list[str]) -> str:
        urls = VoiceUrls(action=paths.gather(turn), hold=paths.hold(0))
        return render_step(step, urls, self.crisis_number, hints, readback=SLOT)

    def served(self, document: str, number: Callable[[], str | None]) -> str:
        return fill(document, number()) if SLOT in document else document
