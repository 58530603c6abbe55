"""The blocklist and the inbound rate limits, through the sandbox carrier: a blocked
caller is rejected unanswered and never called back; a caller over the limit hears 911 and
988 and goodbye, while a call already under way keeps its crisis key."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from peerline import bootstrap
from peerline.settings import Settings
from sandbox.phones import CallStatus
from storage.models import CallSession
from storage.sms import SmsStore
from storage.sms_models import InboundMessage
from tests.e2e.conftest import CRISIS, World, make_settings
from usecases.access import cli_actor
from usecases.errors import ForbiddenDestination
from usecases.outbound_policy import Purpose, Refusal

pytestmark = pytest.mark.e2e
CALLER, PEST = "+16175550131", "+16175550132"
ADMIN = cli_actor("test")


@pytest.fixture
def settings(database_url: str, redis_url: str, var_dir: Path) -> Settings:
    limited = make_settings(database_url, redis_url, var_dir)
    limited.calls_per_number_per_hour = 2
    limited.texts_per_number_per_hour = 3
    return limited


def sessions(world: World) -> int:
    with world.services.store.engine.connect() as db:
        return int(db.scalar(select(func.count()).select_from(CallSession)) or 0)


def text(world: World, sender: str, body: str) -> str:
    phone = world.box.phone(sender)
    before = len(phone.inbox())
    phone.send_sms(world.hotline, body)
    world.box.settle()
    return "\n".join(m.body for m in phone.inbox()[before:])


def test_a_blocked_caller_is_rejected_and_never_called_or_texted(world: World) -> None:
    blocklist = bootstrap.blocklist(world.services.store)
    entry = blocklist.add(ADMIN, "(617) 555-0132", "abusive calls")

    call = world.box.phone(PEST).dial()
    world.box.settle()
    assert call.status is CallStatus.NO_ANSWER and call.transcript() == []  # never answered
    assert text(world, PEST, "hello?") == ""
    assert sessions(world) == 0
    with world.services.store.engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(InboundMessage)) == 0
    with pytest.raises(ForbiddenDestination) as refused:
        world.deps.outbound.sms(PEST, "hello", purpose=Purpose.TEXT)
    assert refused.value.reason is Refusal.BLOCKED
    assert ("outbound.refused", {"purpose": "text", "reason": "blocked"}) in (
        world.services.store.events()
    )

    blocklist.remove(ADMIN, entry.id)
    again = world.box.phone(PEST).dial()
    assert "not a crisis line" in " ".join(again.listen())


def test_a_caller_over_the_limit_hears_911_and_988_and_a_call_under_way_goes_on(
    world: World,
) -> None:
    first = world.box.phone(CALLER).dial()
    first.listen()
    second = world.box.phone(CALLER).dial()
    second.listen()
    second.hang_up()
    third = world.box.phone(CALLER).dial()  # the third call within the hour
    words = " ".join(third.listen())
    world.box.advance(2)
    assert "can't take your call right now" in words and "911" in words and "988" in words
    assert "no puede atender su llamada" in words  # and in Spanish: no language chosen yet
    assert third.status is CallStatus.COMPLETED and sessions(world) == 2

    first.press("1")  # the call admitted first carries on, crisis key and all
    first.press("9")
    first.listen()
    [ringing] = world.box.phone(CRISIS).ringing()
    assert ringing.caller_id == CALLER


def test_texts_over_the_limit_get_no_answer_but_stop_is_still_recorded(world: World) -> None:
    assert "988" in text(world, CALLER, "hi")
    assert text(world, CALLER, "1") and text(world, CALLER, "1")
    assert text(world, CALLER, "1") == ""  # the fourth text this hour
    text(world, CALLER, "STOP")
    ledger = SmsStore(world.services.store.engine, world.services.store.cipher)
    assert ledger.is_opted_out(CALLER)
