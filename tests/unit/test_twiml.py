"""TwiML rendering: every document the flow can produce, walked; none may ever record."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import cache

import pytest

from ivr import Inbound, Language, State, Step, advance, start
from ivr.model import TERMINAL_STATES, NumberCheck
from telephony import twiml
from telephony.twiml import CLOSING_LISTEN_SECONDS, VoiceUrls

URLS = VoiceUrls(action="/twilio/voice/gather?turn=1", hold="/twilio/voice/hold?cycle=0")
CRISIS = "+18002738255"
INPUTS = [Inbound(digits=k) for k in [*"0123456789", "*", ""]] + [
    Inbound(speech="Tufts", organization="Tufts Medical Center"),
    Inbound(speech="nowhere"),
    *[Inbound(digits="6175550150", number_check=check) for check in NumberCheck],
]


def reachable_steps(limit: int = 5000) -> Iterator[Step]:
    """Breadth-first over the flow from the greeting, every input at every step."""
    seen = set()
    frontier = [start(), start(caller_known=False), start(caller_refused=True)]
    while frontier and len(seen) < limit:
        step = frontier.pop(0)
        yield step
        if step.session.state in TERMINAL_STATES:
            continue
        for inbound in INPUTS:
            nxt = advance(step.session, inbound)
            # Coarse key: what changes the document, not every answer combination.
            s = nxt.session
            key = (
                s.state,
                s.language,
                s.retries,
                s.caller_known,
                s.caller_refused,
                min(s.answered, 1),
                s.answers.contact_mode,
                s.answers.urgency,
                nxt.prompt,
            )
            if key not in seen:
                seen.add(key)
                frontier.append(nxt)


@cache
def all_documents() -> tuple[str, ...]:
    """Walked and rendered once per test process; every test below reads the same set."""
    documents = [
        twiml.render_step(step, URLS, CRISIS, hints=["Tufts Medical Center"])
        for step in reachable_steps()
    ]
    for lang in Language:
        documents.append(twiml.crisis_transfer(lang, CRISIS))
        documents.append(twiml.hold(lang, "/twilio/voice/hold?cycle=1", first=True))
    documents.append(twiml.apology("/twilio/voice/fallback?answered=1"))
    return tuple(documents)


def test_the_walk_covers_every_state() -> None:
    states = {step.session.state for step in reachable_steps()}
    assert states == set(State)


def test_no_document_can_record() -> None:
    count = 0
    for document in all_documents():
        count += 1
        assert "<Record" not in document
        assert "record=" not in document.lower()
        assert "transcribe" not in document.lower()
        root = ET.fromstring(document)
        assert all(el.tag != "Record" for el in root.iter())
    assert count > 100


def test_every_gather_keeps_the_crisis_key_reachable() -> None:
    for document in all_documents():
        root = ET.fromstring(document)
        for gather in root.iter("Gather"):
            # one key per menu; a keyed-in number ends with '#' instead
            assert gather.get("numDigits") == "1" or gather.get("finishOnKey") == "#"
            assert "dtmf" in (gather.get("input") or "dtmf")
            if gather.get("timeout") == str(CLOSING_LISTEN_SECONDS):
                continue  # closing words: no new question, the key stays live to the end
            spoken = " ".join(s.text or "" for s in gather.iter("Say")).lower()
            assert "9" in spoken, document


def test_closing_words_listen_for_the_crisis_key_to_the_end() -> None:
    """A confirmation or goodbye is said inside a one-key Gather: 9 pressed while it plays
    reaches Peerline; silence goes on to the hold loop, or to the hang-up."""
    closings = 0
    for document in all_documents():
        root = ET.fromstring(document)
        if root.find("Gather") is None or root.find("Hangup") is None:
            continue
        gather = root.find("Gather")
        assert gather is not None
        if gather.get("timeout") != str(CLOSING_LISTEN_SECONDS):
            continue
        closings += 1
        assert gather.get("numDigits") == "1"
        holding = "hold" in (gather.get("action") or "")
        assert (gather.get("actionOnEmptyResult") == "true") is holding
        assert list(root)[-1].tag == "Hangup"
    assert closings > 5


def test_every_document_ends_the_caller_somewhere() -> None:
    """A document that neither gathers, redirects, dials nor hangs up leaves dead air."""
    for document in all_documents():
        tags = {el.tag for el in ET.fromstring(document)}
        assert tags & {"Gather", "Redirect", "Dial", "Hangup"}, document


def test_speech_gather_uses_a_space_separated_input_and_hints() -> None:
    step = start()
    for key in ["1", "1", "1", "1"]:
        step = advance(step.session, Inbound(digits=key))
    root = ET.fromstring(twiml.render_step(step, URLS, CRISIS, hints=["A, B", "C"]))
    gather = root.find("Gather")
    assert gather is not None
    assert gather.get("input") == "speech dtmf"
    assert gather.get("hints") == "A  B, C"


@pytest.mark.parametrize("language", list(Language))
def test_crisis_transfer_announces_dials_and_has_a_way_out(language: Language) -> None:
    root = ET.fromstring(twiml.crisis_transfer(language, CRISIS))
    assert [el.tag for el in root] == ["Say", "Dial", "Say", "Hangup"]
    assert (root.findtext("Dial") or "").strip() == CRISIS
