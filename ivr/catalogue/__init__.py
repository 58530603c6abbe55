"""The words Peerline says and texts: one catalogue per channel, each in English and Spanish.

``voice.toml`` holds every sentence heard on a call (callers and supporters), ``sms.toml``
every text (callers, supporters, coordinators). Wording, translation and review happen in
those two files; code names a sentence by its ``Msg`` and never spells it out.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ivr.messages import Msg
from ivr.model import Channel, Language


@dataclass(frozen=True)
class Catalogue:
    sentences: dict[Language, dict[str, str]]
    labels: dict[Language, dict[str, str]]  # menu options, by label id ("role.nurse")
    words: dict[Language, dict[str, str]]  # phrases put into sentences
    option: dict[Language, str]  # how a menu option is read: "{label}, press {key}."

    def say(self, msg: Msg, language: Language, **values: object) -> str:
        """The sentence for ``msg``; ``values`` fill its ``{placeholders}``."""
        words = self.sentences[language][msg.value]
        return words.format(**values) if values else words

    def has(self, msg: Msg) -> bool:
        return all(msg.value in self.sentences[lang] for lang in Language)

    def word(self, key: str, language: Language) -> str:
        return self.words[language][key]


@cache
def catalogue(channel: Channel) -> Catalogue:
    """The catalogue for ``channel``, read once per process from the package's data."""
    name = "voice.toml" if channel is Channel.VOICE else "sms.toml"
    raw = tomllib.loads(resources.files(__package__).joinpath(name).read_text("utf-8"))
    by_lang = {lang: raw[lang.value] for lang in Language}
    return Catalogue(
        sentences=by_lang,
        labels={lang: raw["labels"][lang.value] for lang in Language},
        words={lang: raw.get("words", {}).get(lang.value, {}) for lang in Language},
        option={lang: raw["option"][lang.value] for lang in Language},
    )


def voice(msg: Msg, language: Language, **values: object) -> str:
    """A sentence said on a call."""
    return catalogue(Channel.VOICE).say(msg, language, **values)


def sms(msg: Msg, language: Language, **values: object) -> str:
    """A text message."""
    return catalogue(Channel.SMS).say(msg, language, **values)


@dataclass(frozen=True)
class WebWords:
    """The request form's words in one language: ``text`` by key, option ``labels`` by
    label id (as ``ivr.menus`` names them)."""

    text: dict[str, str]
    labels: dict[str, str]

    def __call__(self, key: str, **values: object) -> str:
        words = self.text[key]
        return words.format(**values) if values else words


@cache
def web(language: Language) -> WebWords:
    """The public request form's words (``web.toml``), read once per process."""
    raw = tomllib.loads(resources.files(__package__).joinpath("web.toml").read_text("utf-8"))
    return WebWords(raw[language.value], raw["labels"][language.value])
