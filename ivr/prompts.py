"""A flow prompt as the sentences to say or text, in order, from the channel's catalogue.

The words live in ``ivr.catalogue`` (voice.toml, sms.toml). The keys spoken in menu
options are the public contract of the menus in ``ivr.menus`` — change both together.
"""

from __future__ import annotations

from ivr.catalogue import catalogue
from ivr.menus import menu_for
from ivr.messages import Msg
from ivr.model import Channel, Input, Language, Line, Prompt, State


def text(msg: Msg, language: Language, channel: Channel = Channel.VOICE) -> str:
    """The words for ``msg`` on ``channel``."""
    return catalogue(channel).say(msg, language)


def line_text(line: Line, channel: Channel, readback: str = "") -> str:
    """One line's words: ``{digits}`` from ``readback``, ``{role}``/``{a_role}`` from its role."""
    words = catalogue(channel)
    if line.msg is Msg.READ_BACK:
        return words.say(line.msg, line.language, digits=readback)
    if line.role is not None:
        lang, role = line.language, line.role.value
        return words.say(
            line.msg,
            lang,
            role=words.word(f"role_noun.{role}", lang),
            a_role=words.word(f"a_role.{role}", lang),
        )
    return words.say(line.msg, line.language)


def options(menu: State, language: Language, channel: Channel) -> list[str]:
    """The menu's options as sentences ("For a nurse, press 1.") in key order of the menu."""
    words = catalogue(channel)
    if menu is State.LANGUAGE:  # the language gate offers only its own sentence
        return []
    return [
        words.option[language].format(label=words.labels[language][o.label], key=o.key)
        for o in menu_for(menu, channel).options
    ]


def sentences(prompt: Prompt, channel: Channel, readback: str = "") -> list[tuple[str, Language]]:
    """Everything the prompt says, in order, each with the language to say it in.

    ``readback``: what a ``READ_BACK`` line says for the digits, e.g. ``spoken_digits(…)``
    (the edge has the number; the flow never does)."""
    said = [(line_text(line, channel, readback), line.language) for line in prompt.lines]
    if prompt.menu is not None:
        said += [(s, prompt.language) for s in options(prompt.menu, prompt.language, channel)]
    if (
        prompt.input is not Input.NONE
        and prompt.menu is not State.LANGUAGE
        and not prompt.crisis_said
    ):
        # The greeting already names the crisis key; every other question repeats it.
        said.append((text(Msg.CRISIS_REMINDER, prompt.language, channel), prompt.language))
    return said
