"""The promise made to the caller is kept: a call back asked for "in the afternoon" is
dispatched in the afternoon (program time zone), never at 4 a.m. because someone is on
shift; quiet hours keep every other call to a caller out of the night."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ivr.messages import Msg
from matching.calling import CallingHours, QuietHours
from storage.models import RequestStatus
from tests.integration.conftest import Line, supporter_leg
from tests.integration.test_dispatch_outcomes import ANA, CALLER, accept, request_by_phone

pytestmark = pytest.mark.integration

BOSTON = ZoneInfo("America/New_York")
CALLBACK_AFTERNOON = ["1", "1", "1", "3", "2", "3", "1", "2"]  # ..., back, afternoon, any role
CALLBACK_ASAP = ["1", "1", "1", "3", "2", "1", "1", "2"]


def program_time(line: Line, local: str) -> datetime:
    """Run dispatch and the caller's leg as if it were ``local`` in Boston, with the
    default quiet hours (the test settings turn them off for time-of-day independence)."""
    moment = datetime.fromisoformat(local).replace(tzinfo=BOSTON)
    calling = CallingHours(BOSTON, QuietHours())
    dispatcher, leg = line.deps.dispatcher, line.deps.caller_leg
    dispatcher.config = replace(dispatcher.config, calling=calling)
    dispatcher.clock = lambda: moment
    leg.policy = replace(leg.policy, calling=calling)
    leg.clock = lambda: moment
    return moment


def deferred_dispatches(line: Line, rid: str) -> list[datetime]:
    when = []
    for queue in line.services.queues.all():
        registry = queue.scheduled_job_registry
        for job_id in registry.get_job_ids():
            if job_id.startswith(f"dispatch-{rid}-at"):
                when.append(registry.get_scheduled_time(job_id))
    return when


def test_an_afternoon_call_back_is_not_dispatched_at_4_am(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)  # on shift (AVAILABLE): she could take it right now
    rid = request_by_phone(line, CALLBACK_AFTERNOON)
    program_time(line, "2026-11-24 04:00")
    line.work()
    assert line.carrier.calls == [], "nobody is rung, and the caller is not called at 4 a.m."
    [when] = deferred_dispatches(line, rid)
    # RQ keeps whole seconds; the job waits eight hours, to noon in Boston
    assert abs(when - datetime.now(when.tzinfo) - timedelta(hours=8)) < timedelta(minutes=1)
    program_time(line, "2026-11-24 12:00")
    line.deps.dispatcher.dispatch(rid)  # what the delayed job runs at noon
    assert supporter_leg(line).to == ANA


def test_as_soon_as_possible_is_dispatched_at_any_hour(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    request_by_phone(line, CALLBACK_ASAP)
    program_time(line, "2026-11-24 03:00")
    line.work()
    assert supporter_leg(line).to == ANA


def test_a_window_that_closed_after_the_supporter_accepted_frees_them_for_later(
    line: Line,
) -> None:
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_AFTERNOON)
    program_time(line, "2026-11-24 16:59")
    line.work()
    leg = supporter_leg(line)
    accept(line, leg)
    program_time(line, "2026-11-24 17:00")  # the call back job runs a moment too late
    line.work()
    assert [c["kind"] for c in line.carrier.calls] == ["offer"], "the caller is not called"
    [told] = [u for u in line.carrier.updates if u["sid"] == leg.sid]
    assert told["said"] == (Msg.CALLER_LATER,)
    request = line.services.store.get_request(rid)
    assert request is not None
    assert (request.status, request.callback_attempts) == (RequestStatus.WAITING, 0)
    assert not any(s.busy for s in line.roster.supporters())
    assert deferred_dispatches(line, rid), "offered again in tomorrow's afternoon"
    assert CALLER not in [c["to"] for c in line.carrier.calls]
