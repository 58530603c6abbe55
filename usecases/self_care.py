"""After each call, the supporter: a short self-care text, and a debrief if they ask.

"Peerline: thanks for taking that call. Reply 1 if you're fine, 2 if you'd like a debrief
with a coordinator." After a call of 45 minutes or more the text also names the cool-off.
2 pages the on-call coordinator with the supporter's name only — nothing about the caller
or the call. Every text goes through the one sender (``usecases.outbound``), as a text to
someone on the roster.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ivr.catalogue import sms
from ivr.messages import Msg
from ivr.model import Language
from storage.repository import Store
from storage.roster import RosterStore
from storage.self_care import SelfCareStore
from usecases.errors import CarrierError
from usecases.escalation import paging_order
from usecases.outbound import Outbound
from usecases.outbound_policy import Purpose
from usecases.ports import Jobs

logger = logging.getLogger(__name__)

EN = Language.EN  # roster members read English (see usecases.roster_commands)
ANSWERS = {"1": "fine", "2": "debrief"}
ANSWER_WITHIN = timedelta(hours=24)  # a "2" a day later is not about that call


class SelfCare:
    def __init__(
        self,
        checks: SelfCareStore,
        roster: RosterStore,
        store: Store,
        outbound: Outbound,
        jobs: Jobs,
        cool_off: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.checks, self.roster, self.store = checks, roster, store
        self.outbound, self.jobs, self.cool_off, self.clock = outbound, jobs, cool_off, clock

    def after_call(self, offer_id: str, supporter_id: str, long_call: bool) -> None:
        """Job: the supporter's call ended; text them once (a re-run sends nothing more)."""
        check = self.checks.open_check(offer_id, supporter_id, long_call)
        phone = self.roster.supporter_phone(supporter_id)
        if check.message_sid is not None or phone is None:
            return
        minutes = int(self.cool_off.total_seconds() // 60)
        body = (
            sms(Msg.SELF_CARE_LONG, EN, cool_off=minutes)
            if check.long_call
            else sms(Msg.SELF_CARE, EN)
        )
        try:
            sid = self.outbound.sms(
                phone, body, purpose=Purpose.SUPPORTER, key=f"selfcare:{offer_id}"
            )
        except CarrierError as exc:  # opted out of texts, a bad number: nothing to retry
            logger.info("self-care text not sent offer=%s code=%s", offer_id, exc.code)
            return
        self.checks.sent(offer_id, sid)
        self.store.add_event("self_care.sent", long_call=check.long_call)

    def reply(self, supporter_id: str, body: str) -> str | None:
        """A supporter's text: their answer to the last check, or None when it is not one."""
        answer = ANSWERS.get(body.strip().rstrip(".!"))
        if answer is None:
            return None
        check = self.checks.latest_unanswered(supporter_id, self.clock() - ANSWER_WITHIN)
        if check is None or not self.checks.answer(check.offer_id, answer):
            return None
        self.store.add_event("self_care.answered", answer=answer)
        if answer == "fine":
            return sms(Msg.SELF_CARE_FINE, EN)
        self.jobs.page_debrief(supporter_id)
        return sms(Msg.SELF_CARE_DEBRIEF, EN)

    def page_debrief(self, supporter_id: str, during_call: bool = False) -> None:
        """Job: page the coordinator first in line now: who asked, nothing about the call."""
        person = self.roster.supporter(supporter_id)
        order = paging_order(self.roster.coordinators(), self.clock())
        if person is None or not order:
            logger.error("no coordinator to page for a debrief")
            return
        phone = self.roster.coordinator_phone(order[0].id)
        if phone is None:
            return
        try:
            self.outbound.sms(
                phone,
                sms(Msg.PAGE_HELP if during_call else Msg.PAGE_DEBRIEF, EN, name=person.name),
                purpose=Purpose.COORDINATOR,
            )
        except CarrierError as exc:
            logger.warning("debrief page failed code=%s", exc.code)
            return
        self.store.add_event("coordinator.paged", page="help" if during_call else "debrief")
