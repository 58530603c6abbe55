"""Coordinator paging: a ticket code and urgency by SMS, ACK to own it, else the next one.

Alerts never carry personal data: "Peerline: ticket K7Q2, urgent, waiting 15 min. Reply
ACK K7Q2." Pages go to on-call coordinators first, then the rest in backup order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ivr.catalogue import catalogue, sms
from ivr.messages import Msg
from ivr.model import Channel, ContactMode, Language, Urgency
from matching.sla import PAGE_AT_SHARE, ClosedDays, alert_at
from storage.alerts import HELD, AlertStore
from storage.models import RequestStatus
from storage.records import RequestRecord
from storage.repository import Store
from storage.roster import CoordinatorRecord, RosterStore
from usecases.candidates import weekly
from usecases.errors import CarrierError
from usecases.outbound import Outbound
from usecases.outbound_policy import Purpose
from usecases.page_groups import PageGroups, grouped_page
from usecases.ports import Jobs
from usecases.risk_pages import PAGE_MESSAGE, PageReason

logger = logging.getLogger(__name__)

OPEN = (RequestStatus.WAITING, RequestStatus.OFFERED)


@dataclass(frozen=True)
class EscalationConfig:
    zone: ZoneInfo
    holidays: ClosedDays = ()
    ack_within: timedelta = timedelta(minutes=10)
    page_share: float = PAGE_AT_SHARE  # of the promise, for soon and routine requests


class Ack(StrEnum):
    """What a coordinator's ACK did."""

    YOURS = "yours"
    ALREADY = "already"  # someone acknowledged it first
    NO_TICKET = "no_ticket"


_ACK_REPLY = {
    Ack.YOURS: Msg.ACK_YOURS,
    Ack.ALREADY: Msg.ACK_ALREADY,
    Ack.NO_TICKET: Msg.ACK_NO_TICKET,
}


def ack_reply(result: Ack, ticket: str) -> str:
    return sms(_ACK_REPLY[result], Language.EN, ticket=ticket.upper())


def message(ticket: str, urgency: Urgency, waited: timedelta) -> str:
    """The page: ticket and urgency only, never anything about the caller."""
    minutes = max(0, int(waited.total_seconds() // 60))
    word = catalogue(Channel.SMS).word(f"urgency.{urgency.value}", Language.EN)
    return sms(Msg.PAGE_WAITING, Language.EN, ticket=ticket, urgency=word, minutes=minutes)


def paging_order(coordinators: list[CoordinatorRecord], now: datetime) -> list[CoordinatorRecord]:
    """On-call coordinators first (each in backup order), then everyone else."""
    on_call_now = [c for c in coordinators if on_call(c, now)]
    rest = [c for c in coordinators if c not in on_call_now]
    return on_call_now + rest


def on_call(c: CoordinatorRecord, now: datetime) -> bool:
    """Whether ``c`` is on call at ``now``: no hours set means always. Hours are read exactly
    as supporters' schedules are (``matching.Availability``), so "Fri 22:00-06:00" covers
    Saturday morning."""
    if not c.on_call:
        return True
    return weekly(c.on_call, c.timezone).available_at(now)


class Escalation:
    def __init__(
        self,
        store: Store,
        alerts: AlertStore,
        roster: RosterStore,
        outbound: Outbound,
        jobs: Jobs,
        config: EscalationConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        groups: PageGroups | None = None,
    ) -> None:
        self.store, self.alerts, self.roster = store, alerts, roster
        self.outbound, self.jobs, self.config, self.clock = outbound, jobs, config, clock
        self.groups = groups  # None: every page at once (usecases.page_groups)

    def watch(self, request: RequestRecord) -> None:
        """Start the request's SLA timer (idempotent: one timer per request)."""
        cfg = self.config
        window = request.callback_window if request.contact_mode is ContactMode.CALLBACK else None
        due = alert_at(
            request.created_at,
            request.urgency,
            cfg.zone,
            cfg.holidays,
            window=window,
            share=cfg.page_share,
        )
        self.jobs.escalate(request.id, 0, after=max(timedelta(0), due - self.clock()))

    def no_supporter(self, request: RequestRecord) -> None:
        self.jobs.escalate(request.id, 0)

    def callback_failed(self, request: RequestRecord) -> None:
        """Call backs keep failing: page the next coordinator not yet paged about it."""
        self.jobs.escalate(request.id, request.escalation_level)

    def escalate(self, request_id: str, level: int) -> None:
        """Page the coordinator at ``level`` unless the request is handled or owned."""
        request = self.store.get_request(request_id)
        if request is None or request.status not in OPEN or request.acked_at is not None:
            return
        now = self.clock()
        order = paging_order(self.roster.coordinators(), now)
        if not order:
            logger.error("no coordinator to page for request=%s", request_id)
            return
        if level >= len(order):
            return
        coordinator = order[level]
        if not self.alerts.already_paged(request_id, level):
            self._page(request, coordinator, level, now)
        if level + 1 < len(order):
            self.jobs.escalate(request_id, level + 1, after=self.config.ack_within)

    def page_risk(
        self,
        sender_key: str,
        ticket: str,
        reason: PageReason = PageReason.RISK_LANGUAGE,
        send_key: str = "",
    ) -> None:
        """Risk language in a text, or a texter asking for the crisis line: page whoever is
        first in line now, with the ticket and the reason only. ``send_key`` names this
        page (its job's), so a re-run job never texts twice."""
        if self.alerts.unacked_risk(sender_key):
            return  # already paged about this texter and nobody has ACKed yet
        order = paging_order(self.roster.coordinators(), self.clock())
        if not order:
            logger.error("no coordinator to page for a risk text")
            return
        who = order[0]
        request = self.store.find_by_ticket(ticket)
        body = sms(PAGE_MESSAGE[reason], Language.EN, ticket=ticket)
        sid = self._text(who.id, body, "risk", f"risk:{send_key}" if send_key else None)
        self.alerts.log_page(
            request.id if request else None, ticket, "risk", 0, who.id, sid, session_sid=sender_key
        )
        self.store.add_event(
            "coordinator.paged",
            page="risk",
            reason=reason.value,
            request_id=request.id if request else None,
        )

    def tell_on_call(self, request: RequestRecord, msg: Msg, kind: str, **values: object) -> None:
        """One text, no ACK ladder, to whoever is first in line now: e.g. that a request
        expired. Ticket and urgency (and ``values``) only, never anything about the caller."""
        order = paging_order(self.roster.coordinators(), self.clock())
        if not order:
            logger.error("no coordinator to tell about request=%s", request.id)
            return
        word = catalogue(Channel.SMS).word(f"urgency.{request.urgency.value}", Language.EN)
        body = sms(msg, Language.EN, ticket=request.ticket, urgency=word, **values)
        sid = self._text(order[0].id, body, kind, f"tell:{kind}:{request.id}")
        self.alerts.log_page(request.id, request.ticket, kind, 0, order[0].id, sid)
        self.store.add_event("coordinator.told", request_id=request.id, page=kind)

    def _text(self, coordinator_id: str, body: str, kind: str, key: str | None) -> str | None:
        """Text a coordinator; ``key`` names the logical send: a re-run job texts once."""
        phone = self.roster.coordinator_phone(coordinator_id)
        try:
            if phone:
                return self.outbound.sms(phone, body, purpose=Purpose.COORDINATOR, key=key)
        except CarrierError as exc:
            logger.warning("%s page failed code=%s", kind, exc.code)
        return None

    def _page(
        self, request: RequestRecord, who: CoordinatorRecord, level: int, now: datetime
    ) -> None:
        if self.groups is not None and not self.groups.goes_now(who.id, f"{request.id}:{level}"):
            self.alerts.log_page(request.id, request.ticket, HELD, level, who.id, None)
            self.jobs.page_group(who.id, after=self.groups.interval)
            self.store.add_event("coordinator.page_held", request_id=request.id, level=level)
            return
        body = message(request.ticket, request.urgency, now - request.created_at)
        sid = self._text(who.id, body, "sla", f"page:{request.id}:{level}")
        self.alerts.log_page(request.id, request.ticket, "sla", level, who.id, sid)
        self.store.add_event("coordinator.paged", request_id=request.id, level=level)
        logger.info("coordinator paged request=%s level=%d", request.id, level)

    def send_group(self, coordinator_id: str) -> None:
        """Job: the interval is over: one page for the coordinator's held pages whose
        requests still wait unacknowledged (a group of one is the ordinary page)."""
        held = self.alerts.held_pages(coordinator_id)
        requests = [self.store.get_request(request_id) for _, request_id in held]
        waiting = [r for r in requests if r and r.status in OPEN and r.acked_at is None]
        if not held:
            return
        sid = None
        if waiting:
            now = self.clock()
            if len(waiting) == 1:
                only = waiting[0]
                body = message(only.ticket, only.urgency, now - only.created_at)
            else:
                body = grouped_page(waiting)
            if self.groups is not None:  # this page is the next interval's first
                self.groups.goes_now(coordinator_id, f"group:{held[-1][0]}")
            key = f"group:{coordinator_id}:{held[-1][0]}"
            sid = self._text(coordinator_id, body, "grouped", key)
            self.store.add_event("coordinator.paged_grouped", requests=len(waiting))
            logger.info("grouped page sent requests=%d", len(waiting))
        self.alerts.grouped([alert_id for alert_id, _ in held], sid)


def acknowledge(store: Store, alerts: AlertStore, coordinator_id: str, ticket: str) -> Ack:
    """A coordinator acknowledged ``ticket``: a request's page, or a risk page (no request)."""
    request = store.find_by_ticket(ticket)
    if request is None:
        risk = alerts.acknowledge_ticket(ticket, coordinator_id)
        if risk is None:
            return Ack.NO_TICKET
        store.add_event("coordinator.ack", ticket_kind="risk")
        return Ack.YOURS if risk else Ack.ALREADY
    if alerts.acknowledge(request.id, coordinator_id):
        store.add_event("coordinator.ack", request_id=request.id)
        return Ack.YOURS
    return Ack.ALREADY
