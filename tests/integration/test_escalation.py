"""Escalation: PII-free pages, the ladder, ACK by SMS, the SLA timer."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.roster import CoordinatorRecord
from tests.integration.conftest import Line
from tests.integration.test_dispatch import request_by_phone
from tests.keypresses import HOLD_NURSE_TODAY
from usecases.escalation import on_call, paging_order

KIM, LEE, MOE = "+12015550191", "+12015550192", "+12015550193"


def text(line: Line, sender: str, body: str) -> str:
    response = line.twilio.signed_post(
        "/twilio/sms",
        {"MessageSid": f"SM{uuid.uuid4().hex}", "From": sender, "To": "+16175550100", "Body": body},
    )
    assert response.status_code == 200
    return " ".join(m.text or "" for m in ET.fromstring(response.text).iter("Message"))


def test_unanswered_pages_climb_the_ladder_and_an_ack_stops_them(line: Line) -> None:
    line.roster.add_coordinator("Kim", KIM, backup_order=0)
    line.roster.add_coordinator("Lee", LEE, backup_order=1)
    line.roster.add_coordinator("Moe", MOE, backup_order=2)
    _, rid = request_by_phone(line, HOLD_NURSE_TODAY)
    line.work()  # nobody on the roster: page level 0 now
    assert [m["to"] for m in line.carrier.messages] == [KIM]
    assert f"escalate-{rid}-1" in line.scheduled()
    line.deps.escalation.escalate(rid, 1)  # ten minutes later, no ACK
    assert [m["to"] for m in line.carrier.messages] == [KIM, LEE]
    ticket = line.services.store.get_request(rid).ticket  # type: ignore[union-attr]
    assert (
        text(line, LEE, f"ack {ticket.lower()}")
        == f"Peerline: ticket {ticket} is yours. Thank you."
    )
    assert "already acknowledged" in text(line, KIM, f"ACK {ticket}")
    line.deps.escalation.escalate(rid, 2)
    assert [m["to"] for m in line.carrier.messages] == [KIM, LEE], "no page after an ACK"
    for message in line.carrier.messages:
        assert "+1" not in message["body"] and "nurse" not in message["body"]


def test_the_same_level_is_never_paged_twice(line: Line) -> None:
    line.roster.add_coordinator("Kim", KIM)
    _, rid = request_by_phone(line, HOLD_NURSE_TODAY)
    line.work()
    line.deps.escalation.escalate(rid, 0)
    assert len(line.carrier.messages) == 1


def test_a_handled_request_is_not_escalated(line: Line) -> None:
    line.roster.add_coordinator("Kim", KIM)
    line.supporter("Ana", "+12015550101")
    call, rid = request_by_phone(line, HOLD_NURSE_TODAY)
    line.work()  # a supporter is ringing: no page yet
    assert line.carrier.messages == []
    call.hang_up()
    line.deps.escalation.escalate(rid, 0)
    assert line.carrier.messages == []


def test_the_sla_timer_is_set_when_dispatch_first_runs(line: Line) -> None:
    line.supporter("Ana", "+12015550101")
    _, rid = request_by_phone(line, HOLD_NURSE_TODAY)
    line.work()
    registry = line.services.queues["urgent"].scheduled_job_registry
    when = registry.get_scheduled_time(f"escalate-{rid}-0")
    assert timedelta(minutes=14) < when - datetime.now(UTC) <= timedelta(minutes=15)


def test_ack_for_an_unknown_ticket_and_from_strangers(line: Line) -> None:
    line.roster.add_coordinator("Kim", KIM)
    assert text(line, KIM, "ACK ZZZZ") == "Peerline: no ticket ZZZZ."
    assert "988" in text(line, "+16175559999", "ACK ZZZZ")
    assert "ACK" in text(line, KIM, "hello")


def test_on_call_coordinators_are_paged_first() -> None:
    weekday_nights = [[d, "18:00", "08:00"] for d in range(7)]
    day = CoordinatorRecord("a", "Day", "America/New_York", [[2, "08:00", "18:00"]], 0, True)
    night = CoordinatorRecord("b", "Night", "America/New_York", weekday_nights, 1, True)
    always = CoordinatorRecord("c", "Backup", "America/New_York", [], 2, True)
    wednesday_noon = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # 12:00 in Boston
    wednesday_night = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 22:00 in Boston
    assert [c.name for c in paging_order([day, night, always], wednesday_noon)] == [
        "Day",
        "Backup",
        "Night",
    ]
    assert [c.name for c in paging_order([day, night, always], wednesday_night)] == [
        "Night",
        "Backup",
        "Day",
    ]


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-11-27 21:59", False),  # Friday, before the shift
        ("2026-11-27 22:00", True),  # Friday night
        ("2026-11-28 02:00", True),  # Saturday morning: the same overnight shift
        ("2026-11-28 06:00", False),  # it ends at six
        ("2026-11-27 02:00", False),  # Friday morning belongs to Thursday night: not on call
    ],
)
def test_overnight_on_call_hours_run_past_midnight(local: str, expected: bool) -> None:
    """Hours are read as supporters' schedules are: 'Fri 22:00-06:00' covers Saturday 02:00."""
    friday_night = CoordinatorRecord(
        "a", "Night", "America/New_York", [[4, "22:00", "06:00"]], 0, True
    )
    moment = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("America/New_York"))
    assert on_call(friday_night, moment) is expected
