"""How long prompts take: ``<Say>`` at a words-per-minute rate, ``<Play>`` and ``<Pause>``.

Twilio publishes no speaking rate (Amazon says none exists for Polly: voices differ), so
the sandbox uses round figures for connected speech, pauses at punctuation included:

- English 160 words a minute, the middle of the 150-170 that Polly's US voices
  (Joanna, Matthew) are commonly measured at over a paragraph;
- Spanish 145: Spanish words carry about two syllables to English's 1.4, and speakers
  say them only a little faster, so about a tenth fewer words fit in a minute.

Other languages use the English rate. ``<Play>`` audio is never fetched, so it counts
as :data:`PLAY_SECONDS`. ``loop="0"`` repeats until the call ends, at most 1000 times
(Twilio's cap).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sandbox import verbs
from sandbox.phones import Heard

WORDS_PER_MINUTE = {"en": 160.0, "es": 145.0}
DEFAULT_WORDS_PER_MINUTE = WORDS_PER_MINUTE["en"]
PLAY_SECONDS = 10.0
LOOP_FOREVER = 1000


def say_seconds(text: str, language: str = "en-US") -> float:
    """Seconds a voice takes to say ``text`` in ``language`` (a tag such as ``es-MX``)."""
    rate = WORDS_PER_MINUTE.get(language.split("-")[0].lower(), DEFAULT_WORDS_PER_MINUTE)
    return len(text.split()) * 60.0 / rate


@dataclass(frozen=True)
class Segment:
    """One stretch of what a leg hears: a sentence said once, one play of a file, a pause.

    ``repeat`` marks words already played earlier in the same document (a ``loop``, or
    the same sentences said twice in one ``<Gather>``).
    """

    kind: Heard
    text: str
    seconds: float
    language: str = ""
    repeat: bool = False


def segments(prompts: Sequence[verbs.Prompt], said: set[tuple[str, str]]) -> Iterator[Segment]:
    """The segments of ``prompts`` in order; ``said`` collects what was played (per document)."""
    for prompt in prompts:
        if isinstance(prompt, verbs.Pause):
            yield Segment(Heard.PAUSE, f"{prompt.length:g} s of silence", prompt.length)
            continue
        if isinstance(prompt, verbs.Say):
            kind, text, language = Heard.SAY, prompt.text, prompt.language
            seconds = say_seconds(text, language)
        else:
            kind, text, language, seconds = Heard.PLAY, prompt.url, "", PLAY_SECONDS
        for _ in range(prompt.loop or LOOP_FOREVER):
            key = (kind.value, text)
            yield Segment(kind, text, seconds, language, repeat=key in said)
            said.add(key)
