"""After each call the supporter gets a self-care text through the one sender; 2 pages the
on-call coordinator for a debrief with no caller detail; a long call names the cool-off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.dispatch_models import Offer
from tests.e2e.conftest import World

pytestmark = pytest.mark.e2e
CALLER, ANA, KIM = "+16175550123", "+16175550101", "+16175550104"
HOLD = ["1", "1", "1", "3", "1", "2"]  # English, nurse, today, no preference, connect now
SELF_CARE = (
    "Peerline: thanks for taking that call. Reply 1 if you're fine, 2 if you'd like a"
    " debrief with a coordinator."
)


def a_call(world: World, minutes: float) -> None:
    """Ana takes a holding caller's call and hangs up after ``minutes``."""
    world.supporter("Ana Lopez", ANA)
    world.roster.add_coordinator("Kim", KIM)
    caller = world.box.phone(CALLER).dial()
    for key in HOLD:
        caller.press(key)
    world.work()
    supporter = world.box.phone(ANA).answer()
    supporter.press("1")
    world.work()
    supporter.listen()
    caller.listen()
    assert caller.connected
    world.box.advance(minutes * 60)
    supporter.hang_up()
    world.work()  # the self-care job


def reply(world: World, body: str) -> str:
    phone = world.box.phone(ANA)
    before = len(phone.inbox())
    phone.send_sms(world.hotline, body)
    world.box.settle()
    return " ".join(m.body for m in phone.inbox()[before:])


def test_after_a_call_the_supporter_is_asked_and_2_pages_the_coordinator(world: World) -> None:
    a_call(world, 12)
    [care] = world.box.phone(ANA).inbox()
    assert care.body == SELF_CARE
    assert reply(world, "2") == (
        "Peerline: thank you for saying so. The coordinator on call will reach out to you"
        " for a debrief."
    )
    world.work()
    [page] = world.box.phone(KIM).inbox()
    assert page.body == (
        "Peerline: supporter Ana Lopez asked for a debrief after a call. Please reach out to them."
    )
    assert CALLER not in page.body and "nurse" not in page.body
    assert reply(world, "2").startswith("Peerline: reply AVAILABLE, AWAY or STATUS"), "once"


def test_1_is_fine_and_pages_nobody(world: World) -> None:
    a_call(world, 5)
    assert reply(world, "1") == (
        "Peerline: glad to hear it. Thank you for being there for a colleague."
    )
    world.work()
    assert world.box.phone(KIM).inbox() == []


def test_after_a_long_call_the_text_names_the_cool_off(world: World) -> None:
    a_call(world, 46)
    [care] = world.box.phone(ANA).inbox()
    assert "no offers come to you for the next 30 minutes" in care.body
    assert care.body.endswith(
        "Reply 1 if you're fine, 2 if you'd like a debrief with a coordinator."
    )


def test_the_self_care_job_run_twice_texts_once(world: World) -> None:
    a_call(world, 3)
    with world.services.store.engine.connect() as conn:
        [offer_id] = conn.execute(select(Offer.id)).scalars().all()
    [ana] = world.roster.supporters()
    world.deps.self_care.after_call(offer_id, ana.id, False)  # RQ re-runs the job
    world.box.settle()
    assert len(world.box.phone(ANA).inbox()) == 1
