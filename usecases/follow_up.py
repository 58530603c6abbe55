"""After a connected call, for a caller who said yes at intake: one follow-up text.

An **episode** is the caller's first request and the follow-ups it leads to, up to
``sessions`` (default 3) sessions. ``after`` (default 48 h) after each connected session of
the episode ends, the scheduler's pass texts the caller once: *"Would you like to talk
again with the same peer? Reply 1"* (``usecases.follow_up_replies`` takes the answer). After
the episode's last session the text only thanks them and asks the first optional feedback
question. No text during the quiet hours (``matching.calling``); none to a number that
texted STOP (the one sender's opt-out ledger) or that the outbound policy refuses.

Exactly once: the exchange's row is created before the text (a re-run pass finds it) and
the text is sent under a key of its own (``followup:<request>``), so a pass that dies
between the two never texts twice. A text not sent within ``SEND_WITHIN`` of being due
(the scheduler was down for a day) is not sent late.

The caller's number is kept for this, and no longer: the identity purge spares a consenting
caller's connected session until its exchange is settled (answered, declined, STOP, not
sent) or ``window`` after the call ends — whichever is first; then the usual
``PEERLINE_IDENTITY_GRACE_DAYS`` rule applies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ivr.catalogue import sms
from ivr.messages import Msg
from matching.calling import CallingHours
from storage.follow_up_models import FollowUpOutcome, FollowUpStep
from storage.follow_ups import FollowUpStore
from storage.records import RequestRecord
from storage.repository import Store
from usecases.errors import CarrierError, PermanentCarrierError
from usecases.outbound import Outbound
from usecases.outbound_policy import Purpose

logger = logging.getLogger(__name__)

SEND_WITHIN = timedelta(hours=24)  # after it is due: past the quiet hours, not days late
REPLY_WITHIN = timedelta(hours=72)  # an answer after this is not about that text


@dataclass(frozen=True)
class FollowUpConfig:
    calling: CallingHours  # the program's zone and quiet hours
    after: timedelta = timedelta(hours=48)  # PEERLINE_FOLLOW_UP_AFTER_HOURS
    sessions: int = 3  # PEERLINE_FOLLOW_UP_SESSIONS: sessions in an episode
    send_within: timedelta = field(default=SEND_WITHIN)
    reply_within: timedelta = field(default=REPLY_WITHIN)

    @property
    def window(self) -> timedelta:
        """From the end of a session to the last answer its exchange may get."""
        return self.after + self.send_within + self.reply_within


class FollowUpTexts:
    """The scheduler's pass: the one text after each connected session that is due."""

    def __init__(
        self,
        store: Store,
        follow_ups: FollowUpStore,
        outbound: Outbound,
        config: FollowUpConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.follow_ups, self.outbound = store, follow_ups, outbound
        self.config, self.clock = config, clock

    def send_due(self) -> int:
        """Text every consenting caller whose session ended ``after`` ago; how many."""
        now = self.clock()
        if self.config.calling.quiet.covers(now.astimezone(self.config.calling.zone)):
            return 0  # still due when the quiet hours end (SEND_WITHIN spans a night)
        due_by = now - self.config.after
        sent = 0
        for request in self.follow_ups.due(due_by - self.config.send_within, due_by):
            sent += self._send(request)
        return sent

    def _send(self, request: RequestRecord) -> int:
        last = request.session_no >= self.config.sessions
        exchange = self.follow_ups.open(
            request.id,
            FollowUpStep.HELPED if last else FollowUpStep.OFFERED,
            FollowUpOutcome.LAST if last else None,
        )
        if exchange.message_sid is not None or exchange.step is FollowUpStep.DONE:
            return 0
        number = self.store.caller_of(request.id)
        if number is None:
            self.follow_ups.not_sent(request.id)
            return 0
        lang = request.language
        body = (
            f"{sms(Msg.FOLLOW_UP_LAST, lang)} {sms(Msg.FEEDBACK_HELPED, lang)}"
            if last
            else sms(Msg.FOLLOW_UP_OFFER, lang)
        )
        try:
            sid = self.outbound.sms(
                number, body, purpose=Purpose.FOLLOW_UP, key=f"followup:{request.id}"
            )
        except PermanentCarrierError as exc:  # STOP, refused, a bad number: never
            logger.info("follow-up text not sent request=%s code=%s", request.id, exc.code)
            self.follow_ups.not_sent(request.id)
            self.store.add_event("follow_up.not_sent", request_id=request.id)
            return 0
        except CarrierError as exc:  # the carrier is away: the next pass tries again
            logger.warning("follow-up text failed request=%s code=%s", request.id, exc.code)
            return 0
        self.follow_ups.sent(request.id, sid)
        self.store.add_event(
            "follow_up.sent", request_id=request.id, session=request.session_no, last=last
        )
        return 1
