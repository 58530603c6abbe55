"""SMS commands from the roster: supporters set their availability, coordinators own pages.

Roster members are program staff: replies are in English (the catalogue has Spanish too).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ivr.catalogue import catalogue, sms
from ivr.keywords import Command, CommandKind
from ivr.messages import Msg
from ivr.model import Channel, Language, Urgency
from matching.training import DEFAULT_POLICY, TrainingPolicy, lapsed
from storage.alerts import AlertStore
from storage.models import RequestStatus
from storage.repository import Store
from storage.roster import CoordinatorRecord, RosterStore, SupporterRecord
from usecases.candidates import availability, month_key, zone
from usecases.coverage import Coverage
from usecases.coverage_text import cover_reply
from usecases.escalation import ack_reply, acknowledge, paging_order
from usecases.lifecycle import Closed, Lifecycle

EN = Language.EN
MAX_AVAILABLE, MIN_AVAILABLE = timedelta(days=1), timedelta(hours=2)
MAX_AWAY = timedelta(days=90)
_CLOSE_REPLY = {
    Closed.CLOSED: Msg.CLOSE_DONE,
    Closed.IN_CALL: Msg.CLOSE_IN_CALL,
    Closed.NO_TICKET: Msg.ACK_NO_TICKET,
}


class Commands:
    def __init__(
        self,
        store: Store,
        alerts: AlertStore,
        roster: RosterStore,
        lifecycle: Lifecycle,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        coverage: Coverage | None = None,
        training: TrainingPolicy = DEFAULT_POLICY,
    ) -> None:
        self.store, self.alerts, self.roster, self.clock = store, alerts, roster, clock
        self.lifecycle, self.coverage, self.training = lifecycle, coverage, training

    def supporter(self, person: SupporterRecord, command: Command | None) -> str:
        """The reply to a text from a supporter."""
        kind = command.kind if command else None
        if command is not None and kind in (CommandKind.AVAILABLE, CommandKind.AWAY):
            return self._availability(person, command)
        if kind is CommandKind.STATUS:
            now = self.clock()
            state = (
                "state.available"
                if person.on_shift is True
                else "state.away"
                if person.on_shift is False
                else "state.on_shift"
                if availability(person).available_at(now)
                else "state.off_shift"
            )
            reply = sms(
                Msg.SUPPORTER_STATUS,
                EN,
                state=_word(state),
                used=person.minutes_in(month_key(now)),
                cap=person.monthly_cap_minutes,
            )
            return self._with_training(person, now, reply)
        if kind in (CommandKind.ACCEPT, CommandKind.DECLINE):
            return sms(Msg.OFFERS_BY_PHONE, EN)
        return sms(Msg.SUPPORTER_HELP, EN)

    def _availability(self, person: SupporterRecord, command: Command) -> str:
        """AVAILABLE lasts until the end of the supporter's day (or ``AVAILABLE 2h``); AWAY
        until AVAILABLE (or ``AWAY 3d``). Nobody is rung at 3 a.m. for last week's text."""
        now = self.clock()
        available = command.kind is CommandKind.AVAILABLE
        until = override_ends(now, zone(person.timezone), available, command.duration)
        self.roster.set_on_shift(person.id, available, until)
        self.store.add_event("supporter.available" if available else "supporter.away")
        if until is None:
            return sms(Msg.SUPPORTER_AWAY, EN)
        when = f"{until.astimezone(zone(person.timezone)):%a %H:%M}"
        msg = Msg.SUPPORTER_AVAILABLE if available else Msg.SUPPORTER_AWAY_UNTIL
        reply = sms(msg, EN, until=when)
        return self._with_training(person, now, reply) if available else reply

    def _lapsed_since(self, person: SupporterRecord, now: datetime) -> date | None:
        """The refresher's due date when the supporter's training has lapsed (no calls)."""
        due = self.training.refresher_due(person.trained_on, person.refreshed_on)
        return due if lapsed(due, zone(person.timezone), now) else None

    def _with_training(self, person: SupporterRecord, now: datetime, reply: str) -> str:
        """A supporter whose training lapsed is told why no call will come (matching)."""
        due = self._lapsed_since(person, now)
        if due is None:
            return reply
        return f"{reply} {sms(Msg.SUPPORTER_TRAINING_LAPSED, EN, due=f'{due:%b %d}')}"

    def coordinator(self, who: CoordinatorRecord, command: Command | None) -> str:
        """The reply to a text from a coordinator."""
        kind = command.kind if command else None
        if kind is CommandKind.ACK and command and command.code:
            result = acknowledge(self.store, self.alerts, who.id, command.code)
            return ack_reply(result, command.code)
        if kind is CommandKind.CLOSE and command and command.code:
            closed = self.lifecycle.close_request(command.code, "coordinator_text", who.id)
            return self._closed_reply(closed, command.code)
        if kind is CommandKind.STATUS:
            waiting = Counter(
                r.urgency
                for r in self.store.waiting_requests()
                if r.status == RequestStatus.WAITING
            )
            return sms(
                Msg.COORDINATOR_STATUS,
                EN,
                urgent=waiting[Urgency.URGENT],
                soon=waiting[Urgency.SOON],
                routine=waiting[Urgency.ROUTINE],
                available=len(self._available()),
            )
        if kind is CommandKind.COVER and self.coverage is not None:
            tomorrow = cover_reply(self.coverage, self.roster, self.clock())
            if tomorrow is not None:
                return tomorrow
        if kind is CommandKind.COVER:
            names = ", ".join(p.first_name for p in self._available()[:5]) or _word("nobody")
            ladder = " > ".join(
                c.name.split()[0]
                for c in paging_order(self.roster.coordinators(), self.clock())[:3]
            )
            return sms(Msg.COORDINATOR_COVER, EN, names=names, ladder=ladder)
        return sms(Msg.COORDINATOR_HELP, EN)

    def _closed_reply(self, closed: Closed, ticket: str) -> str:
        if closed is Closed.ENDED:
            request = self.store.find_by_ticket(ticket)
            status = request.status.value if request else ""
            return sms(Msg.CLOSE_ENDED, EN, ticket=ticket, status=status)
        return sms(_CLOSE_REPLY[closed], EN, ticket=ticket)

    def _available(self) -> list[SupporterRecord]:
        now = self.clock()
        return [
            p
            for p in self.roster.supporters(active_only=True)
            if not p.busy
            and not p.bad_number
            and availability(p).available_at(now)
            and self._lapsed_since(p, now) is None
        ]


def override_ends(
    now: datetime, local: ZoneInfo, available: bool, duration: timedelta | None
) -> datetime | None:
    """When a texted AVAILABLE (``available``) or AWAY lapses. AVAILABLE: after
    ``duration`` (at most a day), else at the end of the supporter's day — their next
    midnight, or two hours on if that is nearer. AWAY: after ``duration`` (at most 90
    days), else never (until AVAILABLE)."""
    if duration is not None:
        return now + min(duration, MAX_AVAILABLE if available else MAX_AWAY)
    if not available:
        return None
    today = now.astimezone(local).date()
    midnight = datetime.combine(today + timedelta(days=1), time(0), tzinfo=local)
    return max(midnight, now + MIN_AVAILABLE)


def _word(key: str) -> str:
    return catalogue(Channel.SMS).word(key, EN)
