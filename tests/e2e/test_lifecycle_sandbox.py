"""Every request ends, end to end through the sandbox carrier: a request nobody reached
expires (the coordinator is paged, a texter gets the kind text), a coordinator's texted
``CLOSE`` ends one (a ringing phone stops), and a caller who no longer needs the call
presses 2 on the call back (the waiting supporter is let go); and Redis restarting empty
after a supporter accepted still ends in the call back. Each checks the state the request
reaches and what every sandbox phone received."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jobs.reconciler import reconcile
from peerline import bootstrap
from sandbox.call_handle import CallHandle
from sandbox.phones import CallStatus
from storage.models import RequestStatus
from storage.records import RequestRecord
from tests.conftest import lose_everything
from tests.e2e.conftest import World
from tests.e2e.test_dispatch_sandbox import CALLBACK, call_in
from tests.e2e.test_sms_sandbox import text

pytestmark = pytest.mark.e2e
CALLER, ANA, KIM = "+16175550123", "+16175550101", "+16175550104"
BEN = "+16175550102"
# hello, English, nurse, today, no preference, call me back, as soon as possible, any role,
# no follow-up text
TEXTED_CALL_BACK = ["hello", "1", "1", "1", "3", "1", "1", "1", "2"]


def the_request(world: World) -> RequestRecord:
    [request] = world.services.store.waiting_requests()
    return request


def ana_took_a_call_back(world: World) -> tuple[RequestRecord, CallHandle]:
    """A caller asked to be called back and Ana pressed 1: the waiting request, Ana's phone."""
    world.supporter("Ana Lopez", ANA)
    call_in(world, CALLBACK).listen()
    world.box.advance(2)
    request = the_request(world)
    world.work()
    supporter = world.box.phone(ANA).answer()
    supporter.press("1")
    return request, supporter


def status(world: World, rid: str) -> RequestStatus:
    request = world.services.store.get_request(rid)
    assert request is not None
    return request.status


def bodies(world: World, number: str) -> list[str]:
    return [m.body for m in world.box.phone(number).inbox()]


def expire_now(world: World, request: RequestRecord) -> None:
    """The scheduler's expiry pass, run at the request's deadline (promise plus grace)."""
    expiry = world.deps.expiry
    deadline = expiry.deadline(request)
    expiry.clock = lambda: deadline
    assert expiry.expire_overdue() == 1
    world.work()


def test_a_texted_request_nobody_reached_expires_with_a_page_and_a_kind_text(
    world: World,
) -> None:
    world.roster.add_coordinator("Kim", KIM)
    for body in TEXTED_CALL_BACK:
        text(world, CALLER, body)
    request = the_request(world)
    world.work()  # nobody on the roster: Kim is paged now, dispatch tries again later
    before = len(bodies(world, CALLER))
    expire_now(world, request)
    assert status(world, request.id) is RequestStatus.EXPIRED
    expired = [b for b in bodies(world, KIM) if "expired" in b]
    assert expired == [
        f"Peerline: ticket {request.ticket}, urgent, expired: nobody reached the caller in time."
    ]
    [farewell] = bodies(world, CALLER)[before:]
    assert "no peer supporter could reach you in time" in farewell
    assert "988" in farewell and "911" in farewell
    assert world.box.phone(CALLER).ringing() == []
    assert world.deps.expiry.expire_overdue() == 0, "once"
    assert len([b for b in bodies(world, KIM) if "expired" in b]) == 1
    assert "Para español" in text(world, CALLER, "hi again"), "a new conversation may begin"


def test_a_phoned_request_that_expires_pages_the_coordinator_and_texts_nobody(
    world: World,
) -> None:
    world.roster.add_coordinator("Kim", KIM)
    first = call_in(world, CALLBACK)
    first.listen()
    world.box.advance(2)
    request = the_request(world)
    world.work()
    expire_now(world, request)
    assert status(world, request.id) is RequestStatus.EXPIRED
    assert any("expired: nobody reached the caller in time" in b for b in bodies(world, KIM))
    assert bodies(world, CALLER) == [], "a caller who phoned is never texted"
    assert world.box.phone(CALLER).ringing() == []


def test_a_coordinators_close_text_ends_the_request_and_stops_the_ringing_phone(
    world: World,
) -> None:
    world.supporter("Ana Lopez", ANA)
    world.roster.add_coordinator("Kim", KIM)
    first = call_in(world, CALLBACK)
    first.listen()
    world.box.advance(2)
    request = the_request(world)
    world.work()  # Ana's phone rings with the offer
    [ringing] = world.box.phone(ANA).ringing()
    reply = text(world, KIM, f"CLOSE {request.ticket}")
    assert reply == f"Peerline: ticket {request.ticket} is closed."
    world.work()  # the cancel job
    assert ringing.status is CallStatus.CANCELED
    assert world.box.phone(ANA).ringing() == []
    assert status(world, request.id) is RequestStatus.CLOSED
    again = text(world, KIM, f"CLOSE {request.ticket}")
    assert request.ticket in again and "already ended" in again, again
    world.work()
    assert world.box.phone(CALLER).ringing() == [] and bodies(world, CALLER) == []
    assert not any(s.busy for s in world.roster.supporters())


def test_pressing_2_on_the_call_back_withdraws_it_and_lets_the_supporter_go(
    world: World,
) -> None:
    request, supporter = ana_took_a_call_back(world)
    world.work()  # the call back
    caller = world.box.phone(CALLER).answer()
    caller.listen()  # "… Press 1 to be connected now. If you no longer need this call, press 2."
    assert caller.heard("If you no longer need this call, press 2")
    caller.press("2")
    caller.listen()
    assert caller.heard("we have closed your request")
    assert caller.heard("call or text 988")
    world.work()  # the waiting supporter is told and released
    supporter.listen()
    assert supporter.heard("the caller is no longer waiting")
    world.box.advance(5)
    assert caller.status is CallStatus.COMPLETED
    assert supporter.status is CallStatus.COMPLETED
    assert status(world, request.id) is RequestStatus.WITHDRAWN
    assert not any(s.busy for s in world.roster.supporters())
    assert world.box.conference(f"peerline-{request.id}") == []
    assert bodies(world, CALLER) == [] and bodies(world, ANA) == []


def test_redis_lost_after_the_supporter_accepted_and_the_caller_is_still_called(
    world: World,
) -> None:
    request, supporter = ana_took_a_call_back(world)  # the call back is queued …
    lose_everything(world.services.queues.connection)  # … and Redis restarts empty
    unfinished = bootstrap.unfinished(world.services)
    queues, store = world.services.queues, world.services.store
    assert reconcile(store, queues, grace=timedelta(0), unfinished=unfinished).call_backs == 1
    assert reconcile(store, queues, grace=timedelta(0), unfinished=unfinished).call_backs == 0
    world.work()
    [back] = world.box.phone(CALLER).ringing()
    assert back.caller_id == world.hotline
    caller = world.box.phone(CALLER).answer()
    caller.press("1")
    supporter.listen()
    caller.listen()
    assert {leg.sid for leg in world.box.conference(f"peerline-{request.id}")} == {
        caller.sid,
        supporter.sid,
    }
    assert status(world, request.id) is RequestStatus.CONNECTED


def test_the_supporter_hanging_up_before_the_caller_joined_offers_it_again(
    world: World,
) -> None:
    """Issue 9: not served, so not completed: the caller's ringing phone stops, the
    supporter is free, nothing counts as a call back not taken, the next peer is rung."""
    request, supporter = ana_took_a_call_back(world)
    world.work()  # the call back rings the caller
    [back] = world.box.phone(CALLER).ringing()
    world.supporter("Ben Ode", BEN)
    supporter.hang_up()
    world.work()  # the cancel, and dispatch again
    assert back.status is CallStatus.CANCELED
    assert world.box.phone(CALLER).ringing() == []
    after = world.services.store.get_request(request.id)
    assert after is not None and after.callback_attempts == 0
    assert after.status in (RequestStatus.WAITING, RequestStatus.OFFERED)
    assert "callback.supporter_left" in [k for k, _ in world.services.store.events(request.id)]
    assert [s.name for s in world.roster.supporters() if s.busy] == ["Ben Ode"]
    assert len(world.box.phone(BEN).ringing()) == 1  # Ana was just rung: Ben is next
    assert world.box.conference(f"peerline-{request.id}") == []
