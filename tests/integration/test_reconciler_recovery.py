"""Redis loses everything (a restart without persistence) and every open request still ends
well: the reconciler re-creates, from the database alone, the job each one was waiting for
— its dispatch round (a windowed one re-scheduled for its window), the call back a
supporter accepted, the text-first text, ``callback_failed`` — and running it twice queues
nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ivr.messages import Msg
from jobs.reconciler import Reconciled, reconcile
from peerline import bootstrap
from storage.models import RequestStatus
from tests.conftest import lose_everything
from tests.integration.conftest import Line, leg_post, sid_of, supporter_leg
from tests.integration.test_calling_hours import (
    CALLBACK_AFTERNOON,
    deferred_dispatches,
    program_time,
)
from tests.integration.test_dispatch_outcomes import (
    ANA,
    CALLBACK_NURSE_TODAY,
    CALLER,
    accept,
    request_by_phone,
)
from tests.integration.test_lifecycle import text

pytestmark = pytest.mark.integration

TEXTER = "+16175550123"
# …, text me first, wait for a nurse, no follow-up text
TEXT_FIRST = ["hello", "1", "1", "1", "3", "2", "no", "2"]


def recover(line: Line, later: timedelta = timedelta(0)) -> Reconciled:
    """One reconciler pass, as the scheduler runs it (``later``: as if that much later)."""
    unfinished = bootstrap.unfinished(line.services)
    unfinished.clock = lambda: datetime.now(UTC) + later
    return reconcile(
        line.services.store, line.services.queues, grace=timedelta(0), unfinished=unfinished
    )


def twice(line: Line, later: timedelta = timedelta(0)) -> Reconciled:
    """Recover, then recover again at once: the second pass must queue nothing."""
    first = recover(line, later)
    second = recover(line, later)
    assert (second.enqueued, second.call_backs) == (0, 0), "nothing twice"
    return first


def calls_to(line: Line, number: str) -> int:
    return len([c for c in line.carrier.calls if c["to"] == number])


def test_a_waiting_request_whose_dispatch_was_lost_is_dispatched(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    lose_everything(line.services.queues.connection)
    assert twice(line).enqueued == 1
    line.work()
    assert supporter_leg(line).to == ANA
    assert line.status(rid) is RequestStatus.OFFERED


def test_an_accepted_call_back_whose_job_was_lost_still_calls_the_caller(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    accept(line, supporter_leg(line))  # call_back queued …
    lose_everything(line.services.queues.connection)  # … and lost
    assert twice(line).call_backs == 1
    line.work()
    assert calls_to(line, CALLER) == 1, "the caller is called back"
    lose_everything(line.services.queues.connection)
    assert twice(line).call_backs == 0, "a call back placed is never placed again"
    line.work()
    assert calls_to(line, CALLER) == 1
    assert line.status(rid) is RequestStatus.CONNECTED


def test_a_missed_call_back_whose_callback_failed_was_lost_frees_the_supporter(
    line: Line,
) -> None:
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    leg = supporter_leg(line)
    accept(line, leg)
    line.work()
    path = f"/twilio/callback/status?request={rid}"
    leg_post(line, path, sid_of(line, -1), CALLER, CallStatus="no-answer")
    lose_everything(line.services.queues.connection)  # callback_failed went with it
    assert twice(line).call_backs == 1
    line.work()
    [told] = [u for u in line.carrier.updates if u["sid"] == leg.sid]
    assert Msg.CALLER_NOT_REACHED in told["said"]
    request = line.services.store.get_request(rid)
    assert request is not None
    assert (request.status, request.callback_attempts) == (RequestStatus.WAITING, 1)
    assert not any(s.busy for s in line.roster.supporters())
    assert recover(line).enqueued == 0, "its next round is scheduled"
    lose_everything(line.services.queues.connection)
    assert twice(line).enqueued == 1, "and re-queued when that is lost too"


def test_a_windowed_request_whose_scheduled_dispatch_was_lost_keeps_its_window(
    line: Line,
) -> None:
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_AFTERNOON)
    program_time(line, "2026-11-24 04:00")
    line.work()
    assert len(deferred_dispatches(line, rid)) == 1
    lose_everything(line.services.queues.connection)
    assert deferred_dispatches(line, rid) == []
    assert twice(line).enqueued == 1
    line.work()  # dispatch at 4 a.m. again: scheduled for the afternoon, nobody rung
    assert line.carrier.calls == []
    assert len(deferred_dispatches(line, rid)) == 1
    assert twice(line).enqueued == 0, "a scheduled round is a live one"
    program_time(line, "2026-11-24 12:00")
    line.deps.dispatcher.dispatch(rid)  # what the scheduled round runs at noon
    assert supporter_leg(line).to == ANA


def test_a_text_first_request_gets_its_text_then_its_call_after_redis_lost_both(
    line: Line,
) -> None:
    line.supporter("Ana Lopez", ANA)
    for body in TEXT_FIRST:
        text(line, TEXTER, body)
    request = line.services.store.open_request_of(TEXTER)
    assert request is not None
    line.work()
    accept(line, supporter_leg(line))
    lose_everything(line.services.queues.connection)  # the text-first job
    assert twice(line).call_backs == 1
    line.work()
    texts = [m["body"] for m in line.carrier.messages if m["to"] == TEXTER]
    assert len(texts) == 1 and calls_to(line, TEXTER) == 0, "the text first, no call yet"
    assert twice(line).call_backs == 0, "its call back is scheduled; the text went"
    lose_everything(line.services.queues.connection)  # the scheduled call back
    assert twice(line).call_backs == 0, "not before the two minutes the text promised"
    assert twice(line, later=timedelta(minutes=3)).call_backs == 1
    line.work()
    assert calls_to(line, TEXTER) == 1
    assert len([m for m in line.carrier.messages if m["to"] == TEXTER]) == 1, "one text"
