"""Every request ends, whatever supporters, callers and workers do (a hypothesis property).

Random supporter behaviour (accept, decline, no answer, busy, silence, hang up), random
caller behaviour on the call back (1, 2, 9, no answer, hang up at the prompt), worker
restarts (jobs re-delivered, the worker down a while), Redis restarting empty (every job
lost: the scheduler's pass re-queues what is owed), coordinators' CLOSE, all over a
manual clock on the real database (tests/support/manual_world.py). After every step:

- no supporter holds two offers;
- no request still unanswered past its promise plus the grace (the scheduler expires it);
- no caller was called outside their window or in the quiet hours (unless "as soon as
  possible");
- no call back a supporter took is stuck (after Redis lost its jobs, the scheduler's pass
  has queued what it is owed);

and in the end every request has reached a terminal state, having been connected or ended
by its promise plus the grace.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from ivr.model import CallbackWindow, Channel, ContactMode, Language, OrgPreference, Role, Urgency
from storage.models import TERMINAL_STATUSES, HelpRequest, RequestStatus, SessionStatus
from storage.records import NewRequest
from storage.roster import NewSupporter
from storage.schema import Base
from tests.integration.conftest import Line
from tests.support.manual_world import World, start_of
from usecases.unfinished import Owed

pytestmark = [pytest.mark.integration, pytest.mark.property]

SUPPORTERS = ["+12015550101", "+12015550102", "+12015550103"]
COORDINATOR = "+12015550199"
KINDS = [
    (ContactMode.HOLD, None),
    (ContactMode.CALLBACK, CallbackWindow.ASAP),
    (ContactMode.CALLBACK, CallbackWindow.MORNING),
    (ContactMode.CALLBACK, CallbackWindow.AFTERNOON),
    (ContactMode.CALLBACK, CallbackWindow.EVENING),
]
SUPPORTER_DOES = ["accept", "accept", "decline", "no-answer", "busy", "silence"]
CALLER_DOES = ["1", "2", "9", "no-answer", "hang-up"]
STEPS = ["advance", "advance", "talk-ends", "restart", "redis-lost", "close", "hang-up-holding"]
ANSWERS = 12  # people's choices drawn per example; later calls go unanswered


@dataclass
class Story:
    world: World
    requests: list[str] = field(default_factory=list)
    reached: dict[str, datetime] = field(default_factory=dict)  # connected or ended
    offers_seen: int = 0
    callbacks_seen: int = 0
    talking: list[tuple[str, str]] = field(default_factory=list)  # (offer id, request id)

    def observe(self, after_pass: bool) -> None:
        w = self.world
        assert w.active_offers_per_supporter() <= 1, "a supporter holds two offers"
        for rid in self.requests:
            request = w.store.get_request(rid)
            assert request is not None
            with w.store.engine.connect() as db:
                row = db.execute(
                    select(HelpRequest.connected_at, HelpRequest.closed_at).where(
                        HelpRequest.id == rid
                    )
                ).one()
            moments = [m for m in (*row, self.reached.get(rid)) if m is not None]
            if moments:  # when it was first connected (a supporter took it) or ended
                self.reached[rid] = min(moments)
            if after_pass and request.status in (RequestStatus.WAITING, RequestStatus.OFFERED):
                assert w.now() <= w.expiry.deadline(request), "unanswered past its deadline"
        if after_pass:  # a supporter who took a call back is never left waiting for nothing
            for debt in w.unfinished.call_backs(older_than=timedelta(0)):
                rid, attempt = debt.request.id, debt.request.callback_attempts
                job = f"callback-{rid}-{attempt}"
                if debt.owed is Owed.CALLBACK_FAILED:
                    job = f"callback-failed-{rid}-{debt.offer_id}"
                # Owed since before the pass (not just now, by a job the pass ran): the pass
                # must have queued it, and it must have done its work or still be queued.
                if (rid, debt.owed, debt.offer_id) in w.owed:
                    assert job in w.jobs.ids, f"a connected call back is still owed {debt.owed}"
        for placed, call in w.calls_at:
            if call["kind"] == "call_back":
                request = w.store.get_request(call["request_id"])
                assert request is not None
                mode, window = request.contact_mode, request.callback_window
                assert w.calling.may_call(placed, mode, window), "called outside the window"


def new_request(
    story: Story, mode: ContactMode, window: CallbackWindow | None, urgency: Urgency
) -> None:
    w = story.world
    sid = "CA" + uuid.uuid4().hex
    caller = f"+1617555{len(story.requests):04d}"
    w.store.begin_session(sid, "voice", {}, "", caller)
    saved = w.store.save_turn(
        sid,
        0,
        {},
        SessionStatus.COMPLETED,
        "",
        new_request=NewRequest(
            channel=Channel.VOICE,
            role=Role.NURSE,
            urgency=urgency,
            language=Language.EN,
            org_preference=OrgPreference.ANY,
            organization=None,
            organization_unknown=False,
            contact_mode=mode,
            callback_window=window,
            caller=caller,
            source_sid=sid,
        ),
    )
    assert saved.request is not None
    story.requests.append(saved.request.id)
    w.jobs.dispatch(saved.request.id, urgency)


def supporter_acts(story: Story, does: str) -> None:
    w = story.world
    offers = [c for c in w.carrier.calls if c["kind"] == "offer"][story.offers_seen :]
    if not offers:
        return
    story.offers_seen += 1
    offer_id = offers[0]["offer_id"]
    if does == "accept":
        w.supporter_leg.offer(offer_id)
        w.supporter_leg.answer(offer_id, "1")
        offer = w.offers.offer(offer_id)
        if offer is not None:
            story.talking.append((offer_id, offer.request_id))
    elif does == "decline":
        w.supporter_leg.offer(offer_id)
        w.supporter_leg.answer(offer_id, "2")
    elif does in ("no-answer", "busy"):
        w.supporter_leg.status(offer_id, does, 0)
    # "silence": nothing comes back; the offer's own timer closes it


def caller_acts(story: Story, does: str) -> None:
    w = story.world
    backs = [c for c in w.carrier.calls if c["kind"] == "call_back"][story.callbacks_seen :]
    if not backs:
        return
    story.callbacks_seen += 1
    rid = backs[0]["request_id"]
    sid = f"CAback{story.callbacks_seen:026x}"
    if does in ("1", "2", "9"):
        w.caller_leg.answered(rid)
        w.caller_leg.answer(rid, sid, does)
    else:
        w.caller_leg.status(rid, "no-answer" if does == "no-answer" else "completed")


def talk_ends(story: Story, minutes: int) -> None:
    if story.talking:
        offer_id, _rid = story.talking.pop(0)
        story.world.supporter_leg.status(offer_id, "completed", minutes * 60)


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


def placed(world: World, kind: str) -> int:
    return sum(1 for c in world.carrier.calls if c["kind"] == kind)


def world_for(line: Line, start: datetime) -> World:
    engine = line.services.store.engine
    if not event.contains(engine, "connect", _no_fsync):
        # Days of events per example: don't wait for the disk on every commit (test only).
        event.listen(engine, "connect", _no_fsync)
        engine.dispose()
    with engine.begin() as conn:  # a clean database for each example
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    world = World(line.services, start)
    world.roster.add_coordinator("Coordinator Kim", COORDINATOR)
    return world


REQUEST = st.tuples(st.sampled_from(KINDS), st.sampled_from(list(Urgency)))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    hour=st.integers(min_value=0, max_value=23),
    supporters=st.integers(min_value=1, max_value=2),
    requests=st.lists(REQUEST, min_size=1, max_size=2),
)
def test_every_request_ends_in_time_whatever_anyone_does(
    line: Line,
    data: st.DataObject,
    hour: int,
    supporters: int,
    requests: list[tuple[tuple[ContactMode, CallbackWindow | None], Urgency]],
) -> None:
    if line.services.store.engine.dialect.name != "sqlite":
        pytest.skip("one backend is enough for the property (each example is days of events)")
    world = world_for(line, start_of("2026-11-24 00:00") + timedelta(hours=hour))  # a Tuesday
    world.roster.add_supporters(
        NewSupporter(name=f"Sup {i}", phone=SUPPORTERS[i], role="nurse", on_shift=True)
        for i in range(supporters)
    )
    story = Story(world)
    drawn = 0

    def people_answer() -> None:
        """Whoever a call reaches does something, decided as the call is placed."""
        nonlocal drawn
        while story.offers_seen < placed(world, "offer"):
            drawn += 1
            does = "silence"
            if drawn <= ANSWERS:
                does = data.draw(st.sampled_from(SUPPORTER_DOES), label="supporter")
            supporter_acts(story, does)
        while story.callbacks_seen < placed(world, "call_back"):
            drawn += 1
            does = "no-answer"
            if drawn <= ANSWERS:
                does = data.draw(st.sampled_from(CALLER_DOES), label="caller")
            caller_acts(story, does)

    world.autoreply = people_answer
    for (mode, window), urgency in requests:
        new_request(story, mode, window, urgency)
    world.settle()
    story.observe(after_pass=False)
    for _ in range(data.draw(st.integers(min_value=5, max_value=15), label="steps")):
        step = data.draw(st.sampled_from(STEPS), label="step")
        if step == "advance":
            minutes = data.draw(st.sampled_from([1, 5, 30, 120, 600]), label="minutes")
            world.advance(timedelta(minutes=minutes))
            story.observe(after_pass=True)
            continue
        if step == "talk-ends":
            talk_ends(story, data.draw(st.integers(min_value=1, max_value=60), label="talked"))
        elif step == "restart":
            world.jobs.redeliver_last(data.draw(st.integers(1, 3), label="re-run"))
            world.jobs.delay_due(timedelta(seconds=data.draw(st.integers(0, 60), label="down")))
        elif step == "redis-lost":
            # The next scheduler pass re-queues what is owed (a call back just accepted …).
            world.jobs.lose_everything(and_next=data.draw(st.integers(0, 2), label="lost"))
        elif step == "close":
            rid = data.draw(st.sampled_from(story.requests), label="close")
            request = world.store.get_request(rid)
            assert request is not None
            world.lifecycle.close_request(request.ticket, "coordinator_text", "kim")
        elif step == "hang-up-holding":
            rid = data.draw(st.sampled_from(story.requests), label="hang up")
            request = world.store.get_request(rid)
            assert request is not None
            if request.contact_mode is ContactMode.HOLD:
                world.withdrawals.withdraw(rid, reason="caller_hung_up_while_holding")
        world.settle()
        story.observe(after_pass=False)

    # The end: calls in progress end, nobody answers anything any more, days go by.
    def nobody_answers() -> None:
        while story.talking:
            talk_ends(story, 20)
        while story.callbacks_seen < placed(world, "call_back"):
            caller_acts(story, "no-answer")
        story.offers_seen = placed(world, "offer")  # silence: their timers close them

    world.autoreply = nobody_answers
    nobody_answers()
    world.settle()
    world.advance(timedelta(days=7))
    story.observe(after_pass=True)
    for rid in story.requests:
        request = world.store.get_request(rid)
        assert request is not None and request.status in TERMINAL_STATUSES, request
        assert story.reached[rid] <= world.expiry.deadline(request), "not in time"
