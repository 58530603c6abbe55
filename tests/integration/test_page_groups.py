"""A surge pages each coordinator once per interval: the first page at once, the rest in
one grouped page ("12 requests waiting, 3 urgent") when the interval ends."""

from __future__ import annotations

import pytest

from ivr.model import Urgency
from tests import request_support
from tests.integration.conftest import Line
from usecases.escalation import acknowledge

pytestmark = pytest.mark.integration

KIM = "+12015550199"


def waiting_request(line: Line, urgency: Urgency, n: int) -> str:
    return request_support.waiting_request(
        line.services.store,
        caller=None,
        urgency=urgency,
        org_preference=None,
        contact_mode="callback",
        callback_window="asap",
    )


def pages_to_kim(line: Line) -> list[str]:
    return [m["body"] for m in line.carrier.messages if m["to"] == KIM]


def test_a_surge_of_twelve_is_one_page_then_one_grouped_page(line: Line) -> None:
    assert line.settings.page_interval_minutes == 2.0  # the default
    line.roster.add_coordinator("Coordinator Kim", KIM)
    [kim] = line.roster.coordinators()
    urgencies = [Urgency.SOON] + [Urgency.URGENT] * 3 + [Urgency.ROUTINE] * 8
    requests = [waiting_request(line, u, n) for n, u in enumerate(urgencies)]
    escalation = line.deps.escalation
    for rid in requests:
        escalation.escalate(rid, 0)  # nobody can take it: page the first coordinator now
    [first] = pages_to_kim(line)
    assert first.startswith("Peerline: ticket ") and "soon" in first
    assert any(j.startswith(f"pagegroup-{kim.id}-") for j in line.scheduled())
    assert len([j for j in line.scheduled() if j.startswith("pagegroup-")]) == 1
    # One of the held requests is acknowledged meanwhile (from the board): left out.
    ticket = line.services.store.get_request(requests[-1])
    assert ticket is not None
    acknowledge(line.services.store, escalation.alerts, kim.id, ticket.ticket)
    escalation.send_group(kim.id)  # what the job runs when the interval ends
    grouped = pages_to_kim(line)[1:]
    oldest_urgent = line.services.store.get_request(requests[1])
    assert oldest_urgent is not None
    assert grouped == [
        f"Peerline: 10 requests waiting, 3 urgent. Oldest: ticket {oldest_urgent.ticket}. "
        f"Reply ACK {oldest_urgent.ticket}; the rest are on the board."
    ]
    escalation.send_group(kim.id)  # a re-run sends nothing more
    assert len(pages_to_kim(line)) == 2
    # The surge goes on: the grouped page was this interval's page, so the next is held.
    escalation.escalate(waiting_request(line, Urgency.URGENT, 99), 0)
    assert len(pages_to_kim(line)) == 2
    for body in pages_to_kim(line):
        assert "+1617" not in body


def test_a_group_of_one_is_the_ordinary_page(line: Line) -> None:
    line.roster.add_coordinator("Coordinator Kim", KIM)
    [kim] = line.roster.coordinators()
    first, second = (waiting_request(line, Urgency.URGENT, n) for n in range(2))
    line.deps.escalation.escalate(first, 0)
    line.deps.escalation.escalate(second, 0)
    line.deps.escalation.send_group(kim.id)
    request = line.services.store.get_request(second)
    assert request is not None
    [_, page] = pages_to_kim(line)
    assert page.startswith(f"Peerline: ticket {request.ticket}, urgent, waiting")
    assert line.deps.escalation.alerts.already_paged(second, 0)
