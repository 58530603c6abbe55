"""The repository against real databases (SQLite always, PostgreSQL when reachable)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.errors import StaleTurn
from storage.models import HelpRequest, RequestStatus, SessionStatus
from storage.records import NewRequest
from storage.repository import Store
from storage.request_inserts import TICKET_ALPHABET

CALLER = "+16175551234"


def new_request(sid: str, caller: str | None = CALLER) -> NewRequest:
    return NewRequest(
        channel="voice",
        role="nurse",
        urgency="urgent",
        language="en",
        org_preference="outside",
        organization="Tufts Medical Center",
        organization_unknown=False,
        contact_mode="callback",
        callback_window="evening",
        caller=caller,
        source_sid=sid,
    )


def test_begin_session_is_idempotent(store: Store) -> None:
    first = store.begin_session("CA1", "voice", {"state": "language"}, "<Response/>", CALLER)
    again = store.begin_session("CA1", "voice", {"state": "role"}, "<other/>", None)
    assert again == first
    assert again.flow == {"state": "language"}


def test_save_turn_advances_once_per_turn(store: Store) -> None:
    store.begin_session("CA1", "voice", {"state": "language"}, "<a/>", CALLER)
    store.save_turn("CA1", 0, {"state": "role"}, SessionStatus.ACTIVE, "<b/>")
    with pytest.raises(StaleTurn):
        store.save_turn("CA1", 0, {"state": "urgency"}, SessionStatus.ACTIVE, "<c/>")
    record = store.get_session("CA1")
    assert record is not None
    assert (record.turn, record.flow, record.last_response) == (1, {"state": "role"}, "<b/>")


def test_request_is_created_with_the_turn_atomically(store: Store) -> None:
    store.begin_session("CA1", "voice", {}, "<a/>", CALLER)
    saved = store.save_turn(
        "CA1", 0, {"state": "done"}, SessionStatus.COMPLETED, "<b/>", new_request("CA1")
    )
    assert saved.request is not None
    assert saved.request.status == RequestStatus.WAITING
    assert saved.request.dispatch_state == "pending"
    assert len(saved.request.ticket) == 4 and set(saved.request.ticket) <= set(TICKET_ALPHABET)
    # a stale turn that would create a second request rolls back entirely
    with pytest.raises(StaleTurn):
        store.save_turn("CA1", 0, {}, SessionStatus.COMPLETED, "<c/>", new_request("CA1"))
    assert store.count_requests() == {"waiting": 1}
    record = store.get_session("CA1")
    assert record is not None and record.request_id == saved.request.id


def test_a_second_request_for_the_same_source_is_refused(store: Store) -> None:
    store.begin_session("CA1", "voice", {}, "<a/>", CALLER)
    store.begin_session("CA2", "voice", {}, "<a/>", CALLER)
    store.save_turn("CA1", 0, {}, SessionStatus.COMPLETED, "<b/>", new_request("CA1"))
    with pytest.raises(StaleTurn):
        store.save_turn("CA2", 0, {}, SessionStatus.COMPLETED, "<b/>", new_request("CA1"))
    record = store.get_session("CA2")
    assert record is not None and record.turn == 0, "the failed turn did not half-apply"


def test_caller_number_is_only_stored_encrypted(store: Store) -> None:
    store.begin_session("CA1", "voice", {}, "<a/>", CALLER)
    saved = store.save_turn("CA1", 0, {}, SessionStatus.COMPLETED, "<b/>", new_request("CA1"))
    assert saved.request is not None
    with store.engine.connect() as conn:
        row = conn.execute(select(HelpRequest)).one()
    assert CALLER.encode() not in row.caller_enc
    assert row.caller_index == store.cipher.blind_index(CALLER)
    assert store.caller_of(saved.request.id) == CALLER


def test_concurrent_deliveries_of_one_turn_create_exactly_one_request(store: Store) -> None:
    store.begin_session("CA1", "voice", {}, "<a/>", CALLER)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def deliver() -> None:
        barrier.wait()
        try:
            store.save_turn("CA1", 0, {}, SessionStatus.COMPLETED, "<b/>", new_request("CA1"))
            outcomes.append("saved")
        except StaleTurn:
            outcomes.append("stale")

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved"] + ["stale"] * 5
    assert store.count_requests() == {"waiting": 1}


def test_close_session_only_closes_active_sessions(store: Store) -> None:
    store.begin_session("CA1", "voice", {}, "<a/>", None)
    assert store.close_session("CA1", SessionStatus.ABANDONED)
    assert not store.close_session("CA1", SessionStatus.ABANDONED)
    assert not store.close_session("CA-unknown", SessionStatus.ABANDONED)


def test_outbox_lists_pending_requests_after_the_grace_period(store: Store) -> None:
    store.begin_session("CA1", "voice", {}, "<a/>", None)
    saved = store.save_turn("CA1", 0, {}, SessionStatus.COMPLETED, "<b/>", new_request("CA1"))
    assert saved.request is not None
    assert store.awaiting_dispatch(older_than=timedelta(minutes=5)) == []
    assert [r.id for r in store.awaiting_dispatch(older_than=timedelta(0))] == [saved.request.id]
    store.mark_queued(saved.request.id)
    assert store.awaiting_dispatch(older_than=timedelta(0)) == []
    request = store.get_request(saved.request.id)
    assert request is not None and request.dispatch_attempts == 1


def test_status_changes_are_conditional(store: Store) -> None:
    store.begin_session("CA1", "voice", {}, "<a/>", None)
    saved = store.save_turn("CA1", 0, {}, SessionStatus.COMPLETED, "<b/>", new_request("CA1"))
    assert saved.request is not None
    rid = saved.request.id
    assert store.set_request_status(rid, RequestStatus.WITHDRAWN, only_from=("waiting",))
    assert not store.set_request_status(rid, RequestStatus.WITHDRAWN, only_from=("waiting",))
    assert not store.convert_to_callback(rid), "a closed request is not reopened"


def test_organizations_and_aliases(store: Store) -> None:
    store.add_organization("Tufts Medical Center", ["Tufts"])
    store.add_organization("Tufts Medical Center", ["TMC"])
    names, aliases = store.organizations()
    assert names == ["Tufts Medical Center"]
    assert aliases == {"TMC": "Tufts Medical Center", "Tufts": "Tufts Medical Center"}


def test_timestamps_come_back_timezone_aware(store: Store) -> None:
    store.begin_session("CA1", "voice", {}, "<a/>", None)
    saved = store.save_turn("CA1", 0, {}, SessionStatus.COMPLETED, "<b/>", new_request("CA1"))
    assert saved.request is not None
    request = store.get_request(saved.request.id)
    assert request is not None and request.created_at.utcoffset() == timedelta(0)


def test_the_request_created_event_is_written_with_the_request(store: Store) -> None:
    store.begin_session("CA1", "voice", {}, "<a/>", None)
    saved = store.save_turn("CA1", 0, {}, SessionStatus.COMPLETED, "<b/>", new_request("CA1"))
    assert saved.request is not None
    assert store.events(saved.request.id) == [
        ("request.created", {"channel": "voice", "urgency": "urgent"})
    ]
