"""The two catalogues (voice.toml, sms.toml): complete in English and Spanish, and every
sentence the flow can produce is worded for the channel it is produced on."""

from __future__ import annotations

import itertools
import string

import pytest

import ivr
from ivr.catalogue import catalogue
from ivr.messages import Msg
from ivr.model import Channel, Inbound, Input, Language, NumberCheck, State

CHANNELS = [Channel.VOICE, Channel.SMS]


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_key_names_a_message_and_both_languages_agree(channel: Channel) -> None:
    words = catalogue(channel)
    en, es = words.sentences[Language.EN], words.sentences[Language.ES]
    assert set(en) == set(es), "English and Spanish carry the same sentences"
    assert set(en) <= {m.value for m in Msg}, "no sentence without a Msg naming it"
    for key in en:
        assert placeholders(en[key]) == placeholders(es[key]), key
    assert set(words.labels[Language.EN]) == set(words.labels[Language.ES])
    assert set(words.words[Language.EN]) == set(words.words[Language.ES])


def test_every_message_is_worded_somewhere() -> None:
    worded = {k for ch in CHANNELS for k in catalogue(ch).sentences[Language.EN]}
    assert {m.value for m in Msg} == worded


def said(step: ivr.Step) -> set[Msg]:
    msgs = {line.msg for line in step.prompt.lines}
    if step.prompt.input is not Input.NONE:
        msgs.add(Msg.CRISIS_REMINDER)  # ivr.prompts.sentences adds it to every question
    return msgs


def reachable_messages(channel: Channel) -> set[Msg]:
    """Every Msg the pure flow can put in a prompt on ``channel``, walking all keys."""
    keys = ["", "1", "2", "3", "4", "9", "*", "0", "5"]
    seen: set[Msg] = set()
    # A text always comes from a number; only a call can have a withheld caller ID.
    knowns = (True, False) if channel is Channel.VOICE else (True,)
    starts = [ivr.start(channel, caller_known=known) for known in knowns]
    frontier = [step.session for step in starts]
    visited: set[tuple[object, ...]] = set()
    for step in starts:
        seen |= said(step)
    while frontier:
        session = frontier.pop()
        marker = (session.state, session.language, session.retries, session.caller_known)
        if marker in visited:
            continue
        visited.add(marker)
        inbounds = [Inbound(digits=k) for k in keys]
        if session.state is State.ORG_NAME:
            inbounds += [Inbound(speech="x", organization="Org"), Inbound(speech="x")]
            inbounds += [Inbound(speech="x", risk=True)]
        if session.state is State.CALLBACK_NUMBER:
            inbounds += [Inbound(digits="6175550150", number_check=NumberCheck.OK)]
            inbounds += [Inbound(digits="x", number_check=c) for c in NumberCheck]
        if session.state is State.CALLBACK_CONFIRM:
            inbounds += [Inbound(digits="1"), Inbound(digits="2")]
        for inbound in inbounds:
            step = ivr.advance(session, inbound)
            seen |= said(step)
            frontier.append(step.session)
    return seen


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_reachable_flow_message_is_worded_for_its_channel(channel: Channel) -> None:
    words = catalogue(channel)
    missing = [m for m in reachable_messages(channel) if not words.has(m)]
    assert missing == []
    assert Msg.CRISIS_REMINDER in reachable_messages(channel)  # the walk really walks


def test_options_fill_every_menu_label() -> None:
    for channel, lang in itertools.product(CHANNELS, Language):
        words = catalogue(channel)
        assert "{label}" in words.option[lang] and "{key}" in words.option[lang]
        assert words.labels[lang], (channel, lang)
