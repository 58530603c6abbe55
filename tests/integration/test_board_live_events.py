"""Intake and dispatch feed the live board: a real call, a real worker, real Redis pub/sub."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from redis.client import PubSub

from console.live import board_channel
from tests.integration.conftest import Line, leg_post, supporter_leg
from tests.integration.test_dispatch import request_by_phone
from tests.keypresses import HOLD_NURSE_TODAY
from usecases.live_board import BoardEvent, BoardRelay, board_event

pytestmark = pytest.mark.integration


@pytest.fixture
def board(line: Line) -> Iterator[PubSub]:
    listener = line.services.redis.pubsub()
    listener.subscribe(board_channel(line.services.redis))
    assert listener.get_message(timeout=5)["type"] == "subscribe"  # type: ignore[index]
    yield listener
    listener.close()


def heard(board: PubSub) -> list[tuple[str, str | None]]:
    """Every board event published so far (pub/sub delivers in order)."""
    events = []
    while (message := board.get_message(timeout=0.2)) is not None:
        event = json.loads(message["data"])
        events.append((event["kind"], event["request_id"]))
    return events


def test_a_call_is_on_the_board_as_it_is_created_offered_connected_and_closed(
    line: Line, board: PubSub
) -> None:
    line.supporter("Ana Lopez", "+12015550101")
    _, rid = request_by_phone(line, HOLD_NURSE_TODAY)
    assert (BoardEvent.CREATED, rid) in heard(board)
    line.work()  # dispatch rings Ana
    assert (BoardEvent.OFFERED, rid) in heard(board)
    offer_id, sid, to = supporter_leg(line)
    leg_post(line, f"/twilio/offer?offer={offer_id}", sid, to)
    leg_post(line, f"/twilio/offer/answer?offer={offer_id}", sid, to, Digits="1")
    assert (BoardEvent.CONNECTED, rid) in heard(board)
    line.work()  # the holding caller joins the conference
    status = f"/twilio/offer/status?offer={offer_id}"
    leg_post(line, status, sid, to, CallStatus="completed", CallDuration="600")
    events = heard(board)
    assert (BoardEvent.CLOSED, rid) in events
    assert {kind for kind, _ in events} <= set(BoardEvent)


def test_nothing_personal_is_published(line: Line, board: PubSub) -> None:
    request_by_phone(line, HOLD_NURSE_TODAY)
    line.work()  # nobody on the roster: the coordinator is paged
    raw = []
    while (message := board.get_message(timeout=0.2)) is not None:
        raw.append(message["data"].decode())
    assert raw, "the request reached the board"
    for data in raw:
        assert set(json.loads(data)) == {"kind", "request_id"}
        assert "+1617" not in data


def test_the_relay_never_raises() -> None:
    class Broken:
        def publish(self, kind: str, request_id: str | None = None) -> None:
            raise RuntimeError("redis went away in a strange way")

    BoardRelay(Broken())("offer.ringing", "r1")  # logs, returns
    assert board_event("offer.ringing") is BoardEvent.OFFERED
    assert board_event("something.new") is BoardEvent.CHANGED
