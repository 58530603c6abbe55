"""SMS commands from the roster: supporters set their availability, coordinators own pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from ivr.keywords import Command, CommandKind
from jobs.candidates import availability, month_key
from jobs.escalation import acknowledge, paging_order
from storage.alerts import AlertStore
from storage.models import RequestStatus
from storage.repository import Store
from storage.roster import CoordinatorRecord, RosterStore, SupporterRecord

SUPPORTER_HELP = "Peerline: reply AVAILABLE, AWAY or STATUS."
COORDINATOR_HELP = "Peerline: reply ACK and a ticket code (e.g. ACK K7Q2), STATUS or COVER."


class Commands:
    def __init__(
        self,
        store: Store,
        alerts: AlertStore,
        roster: RosterStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.alerts, self.roster, self.clock = store, alerts, roster, clock

    def supporter(self, person: SupporterRecord, command: Command | None) -> str:
        kind = command.kind if command else None
        if kind is CommandKind.AVAILABLE:
            self.roster.set_on_shift(person.id, True)
            self.store.add_event("supporter.available")
            return "Peerline: you're available now. Thank you! Reply AWAY to stop calls."
        if kind is CommandKind.AWAY:
            self.roster.set_on_shift(person.id, False)
            self.store.add_event("supporter.away")
            return "Peerline: you're away. No calls until you reply AVAILABLE."
        if kind is CommandKind.STATUS:
            now = self.clock()
            state = (
                "available (you said AVAILABLE)"
                if person.on_shift is True
                else "away (you said AWAY)"
                if person.on_shift is False
                else "on shift"
                if availability(person).available_at(now)
                else "off shift"
            )
            used = person.minutes_in(month_key(now))
            return (
                f"Peerline: you're {state}; {used} of {person.monthly_cap_minutes} min this month."
            )
        if kind in (CommandKind.ACCEPT, CommandKind.DECLINE):
            return "Peerline: offers come by phone call from this number; press 1 to accept."
        return SUPPORTER_HELP

    def coordinator(self, who: CoordinatorRecord, sender: str, command: Command | None) -> str:
        kind = command.kind if command else None
        if kind is CommandKind.ACK and command and command.code:
            reply = acknowledge(self.store, self.alerts, self.roster, sender, command.code)
            if reply and reply.startswith("Peerline: no ticket"):
                risk = self.alerts.acknowledge_ticket(command.code, who.id)
                if risk is not None:
                    self.store.add_event("coordinator.ack", ticket_kind="risk")
                    return f"Peerline: ticket {command.code.upper()} is yours. Thank you."
            return reply or COORDINATOR_HELP
        if kind is CommandKind.STATUS:
            open_now = Counter(
                r.urgency
                for r in self.store.waiting_requests()
                if r.status == RequestStatus.WAITING
            )
            available = self._available()
            return (
                f"Peerline: waiting: urgent {open_now['urgent']}, soon {open_now['soon']}, "
                f"routine {open_now['routine']}. Supporters available now: {len(available)}."
            )
        if kind is CommandKind.COVER:
            now = self.clock()
            names = ", ".join(p.first_name for p in self._available()[:5]) or "nobody"
            ladder = " > ".join(
                c.name.split()[0] for c in paging_order(self.roster.coordinators(), now)[:3]
            )
            return f"Peerline: available now: {names}. Pages go to: {ladder}."
        return COORDINATOR_HELP

    def _available(self) -> list[SupporterRecord]:
        now = self.clock()
        return [
            p
            for p in self.roster.supporters(active_only=True)
            if not p.busy and not p.bad_number and availability(p).available_at(now)
        ]
