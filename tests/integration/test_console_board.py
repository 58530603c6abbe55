"""The board through the API: order, time left, state, flags, match reasons, offers, ACK;
and the live feed over real Redis pub/sub."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from console.live import RedisBoardFeed
from storage.dispatch import DispatchStore
from storage.dispatch_models import OfferStatus
from storage.models import RequestStatus
from storage.roster import NewSupporter
from tests.integration.conftest import Console
from tests.request_support import waiting_request

pytestmark = pytest.mark.integration


def _supporter(console: Console, name: str, phone: str, **kw: object) -> str:
    person = NewSupporter(name=name, phone=phone, role="nurse", organization="Tufts", on_shift=True)
    [sid] = console.roster.add_supporters([replace(person, **kw)])  # type: ignore[arg-type]
    return sid


def test_the_board_lists_open_requests_most_urgent_first_with_time_left(console: Console) -> None:
    store = console.services.store
    routine = waiting_request(store, urgency="routine")
    urgent = waiting_request(store, urgency="urgent", organization_unknown=True)
    soon = waiting_request(store, urgency="soon", contact_mode="callback")
    closed = waiting_request(store, urgency="urgent")
    store.set_request_status(closed, RequestStatus.WITHDRAWN)
    page = console.client.get("/api/v1/board", headers=console.bearer(admin=False)).json()
    assert [r["id"] for r in page["items"]] == [urgent, soon, routine]
    first = page["items"][0]
    assert first["state"] == "waiting" and first["flags"] == ["organization_unknown"]
    assert 7000 < first["seconds_left"] <= 7200, "urgent: two hours promised"
    assert page["items"][1]["state"] == "needs_callback"
    assert page["items"][2]["seconds_left"] > 86400, "routine: two business days"
    assert page["total"] == 3
    one = console.client.get(f"/api/v1/requests/{urgent}", headers=console.bearer()).json()
    assert one == first | {"age_seconds": one["age_seconds"], "seconds_left": one["seconds_left"]}


def test_offers_show_who_is_ringing_and_repeated_no_answer(console: Console) -> None:
    store = console.services.store
    ana = _supporter(console, "Ana Lopez", "+12015550101")
    ben = _supporter(console, "Ben Ode", "+12015550102")
    rid = waiting_request(store)
    offers = DispatchStore(store.engine)
    for who in (ana, ben):
        offer = offers.claim(rid, who, timedelta(seconds=40))
        assert offer is not None
        offers.attach_call(offer.id, f"CA{who}")
        offers.end_offer(offer.id, OfferStatus.NO_ANSWER, reason="no-answer")
    assert offers.claim(rid, ana, timedelta(seconds=40)) is not None
    [row] = console.client.get("/api/v1/board", headers=console.bearer()).json()["items"]
    assert row["state"] == "offering" and row["offered_to"] == "Ana Lopez"
    assert row["flags"] == ["repeated_no_answer"] and row["unanswered_offers"] == 2
    match = console.client.get(f"/api/v1/requests/{rid}/match", headers=console.bearer()).json()
    assert [(o["name"], o["status"]) for o in match["offers"]] == [
        ("Ana Lopez", "no_answer"),
        ("Ben Ode", "no_answer"),
        ("Ana Lopez", "ringing"),
    ]


def test_match_reasons_name_who_would_be_offered_and_why_others_are_not(console: Console) -> None:
    store = console.services.store
    _supporter(console, "Ana Lopez", "+12015550101")
    _supporter(console, "Ben Ode", "+12015550102", role="physician", organization="Other Place")
    _supporter(console, "Cy Far", "+12015550103", on_shift=False)
    _supporter(console, "Di Mass", "+12015550104", organization="Massachusetts General Hospital")
    rid = waiting_request(store, organization="Massachusetts General Hospital")
    match = console.client.get(f"/api/v1/requests/{rid}/match", headers=console.bearer(admin=False))
    assert match.status_code == 200
    body = match.json()
    assert body["widened"] is False
    [ana] = body["considered"]
    assert ana["name"] == "Ana Lopez" and ana["position"] == 1
    assert (
        "same role (nurse)" in ana["reasons"]
        and "outside the caller's organization" in ana["reasons"]
    )
    why = {x["name"]: (x["reason"], x["detail"]) for x in body["left_out"]}
    assert why == {
        "Ben Ode": ("role outside the ladder (not widened)", "physician for a nurse caller"),
        "Cy Far": ("not available", "away (override)"),
        "Di Mass": ("in the caller's organization", "Massachusetts General Hospital"),
    }
    missing = console.client.get("/api/v1/requests/nothing/match", headers=console.bearer())
    assert missing.status_code == 404


def test_ack_owns_the_request_once_and_stops_its_escalation(console: Console) -> None:
    store = console.services.store
    rid = waiting_request(store)
    csrf = console.login("cory")
    first = console.client.post(f"/api/v1/requests/{rid}/ack", headers={"X-CSRF-Token": csrf})
    assert first.status_code == 200 and first.json()["acknowledged"] is True
    assert first.json()["request"]["acked_at"] is not None
    again = console.client.post(f"/api/v1/requests/{rid}/ack", headers={"X-CSRF-Token": csrf})
    assert again.json()["acknowledged"] is False
    assert ("coordinator.ack", {"via": "console"}) in store.events(rid)
    assert store.get_request(rid).acked_at is not None  # type: ignore[union-attr]
    store.set_request_status(rid, RequestStatus.COMPLETED)
    closed = console.client.post(f"/api/v1/requests/{rid}/ack", headers={"X-CSRF-Token": csrf})
    assert closed.status_code == 409
    log = console.client.get("/api/v1/audit?action=request.ack", headers=console.bearer()).json()
    assert [(e["actor"], e["target_id"]) for e in log["items"]] == [("account:cory", rid)]


def test_the_feed_carries_ack_and_roster_events_between_processes(console: Console) -> None:
    """Two feeds on one Redis stand for two web processes: one publishes, one listens."""
    publisher = RedisBoardFeed(console.services.redis, console.services.redis_url)
    listener = RedisBoardFeed(console.services.redis, console.services.redis_url)

    async def listen() -> list[dict[str, object]]:
        got: list[dict[str, object]] = []
        stream = listener.listen(seconds=10)
        subscribed = asyncio.Event()

        async def read() -> None:
            async for event in stream:
                if event is None:
                    continue
                got.append(event)
                if len(got) == 2:
                    return

        task = asyncio.create_task(read())
        while not subscribed.is_set():  # wait until the subscription is live on the server
            await asyncio.sleep(0.05)
            if console.services.redis.pubsub_numsub(listener.channel)[0][1]:
                subscribed.set()
        await asyncio.to_thread(publisher.publish, "request.acked", "r1")
        await asyncio.to_thread(publisher.publish, "roster.changed")
        await asyncio.wait_for(task, timeout=10)
        await stream.aclose()  # type: ignore[attr-defined]
        return got

    assert asyncio.run(listen()) == [
        {"kind": "request.acked", "request_id": "r1"},
        {"kind": "roster.changed", "request_id": None},
    ]


def test_the_events_stream_needs_a_session(console: Console) -> None:
    response = console.client.get("/console/board/events")
    assert response.status_code == 401
