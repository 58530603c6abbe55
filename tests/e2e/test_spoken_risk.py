"""Spoken answers go through the same risk screen as texts: the caller hears the crisis key
offered plainly, the on-call coordinator is paged (ticket and reason only), the call goes on."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import World

pytestmark = pytest.mark.e2e
CALLER, KIM = "+16175550123", "+16175550104"
TO_ORG_NAME = ["1", "1", "1", "1"]  # English, nurse, today, someone outside my organization
PAGE = re.compile(r"Peerline: ticket (\w{4}), risk language on a call, now\. Reply ACK \1\.")


def test_risk_words_at_the_organization_question_offer_988_and_page(world: World) -> None:
    world.roster.add_coordinator("Kim", KIM)
    call = world.box.phone(CALLER).dial()
    for key in TO_ORG_NAME:
        call.press(key)
    call.say("I took 800mg of acetaminophen")
    words = " ".join(call.listen())
    assert "press 9 now to be connected to the 988 Lifeline" in words
    assert "How would you like to talk" in words, "the intake goes on"
    world.work()
    [page] = world.box.phone(KIM).inbox()
    assert PAGE.fullmatch(page.body), page.body
    assert CALLER not in page.body and "acetaminophen" not in page.body
    kinds = [kind for kind, _ in world.services.store.events()]
    assert "call.risk_language" in kinds
    assert not any("acetaminophen" in str(detail) for _, detail in world.services.store.events())
    call.press("9")  # and the crisis key still wins right after
    assert call.gather() is None
    assert any("Connecting you to the 988" in line for line in call.listen())


def test_an_ordinary_organization_name_pages_nobody(world: World) -> None:
    world.roster.add_coordinator("Kim", KIM)
    world.services.store.add_organization("Massachusetts General Hospital", ["MGH"])
    call = world.box.phone(CALLER).dial()
    for key in TO_ORG_NAME:
        call.press(key)
    call.say("Mass General")
    assert "988 Lifeline" not in " ".join(call.listen())
    world.work()
    assert world.box.phone(KIM).inbox() == []
