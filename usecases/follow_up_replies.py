"""A caller's answers to the follow-up text (``usecases.follow_up``), by text.

After *"Would you like to talk again with the same peer? Reply 1"*:

- **1** makes a follow-up request with the caller's original answers (role, urgency,
  organization rule, consents, how to reach them: a call back at their window, or a text
  first), offered first to the same peer (``previous_supporter_id``: matching ranks them
  first when they are free and eligible); when they are not, or decline, the ladder goes
  on as for any request. It is the next session of the episode.
- **2** (or "no") declines; nothing more is offered.

Either answer is followed by two optional questions, one at a time: *"did the call help?
1-5"*, then *"would you recommend Peerline to a colleague? 1 yes, 2 no"*. Each answer is
kept in ``feedback`` with the day, the caller's role group and urgency only — no request,
number or time — and moves to the next question. Anything that is not an answer (a
question, "thanks", 9) is not taken as one: the text desk handles it as any other text; and
once the caller has begun a new text intake, the desk gives their texts to it instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from ivr.catalogue import sms
from ivr.messages import Msg
from ivr.model import CallbackWindow, Channel, ContactMode
from storage.follow_up_models import FeedbackQuestion, FollowUpStep
from storage.follow_ups import FeedbackAnswer, FollowUpRecord, FollowUpStore
from storage.records import NewRequest, RequestRecord
from storage.repository import Store
from usecases.follow_up import FollowUpConfig
from usecases.ports import Jobs
from usecases.report_figures import group_of

logger = logging.getLogger(__name__)

YES = frozenset({"1", "si", "sí", "y"})  # a lone "YES" is Twilio's opt-in keyword
NO = frozenset({"2", "no", "n"})
SCORES = frozenset("12345")


def _word(body: str) -> str:
    return body.strip().strip(".!¡?¿ ").lower()


class FollowUpReplies:
    def __init__(
        self,
        store: Store,
        follow_ups: FollowUpStore,
        jobs: Jobs,
        config: FollowUpConfig,
        hotline: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.follow_ups, self.jobs = store, follow_ups, jobs
        self.config, self.hotline, self.clock = config, hotline, clock

    def reply(self, sender: str, body: str, message_sid: str) -> str | None:
        """The answer to the sender's pending follow-up question; None when the text is not
        one (no question pending, or not an answer to it)."""
        pending = self.follow_ups.pending_for(sender, self.clock() - self.config.reply_within)
        if pending is None:
            return None
        exchange, session = pending
        word = _word(body)
        if exchange.step is FollowUpStep.OFFERED:
            return self._talk_again(exchange, session, sender, word, message_sid)
        if exchange.step is FollowUpStep.HELPED and word in SCORES:
            return self._feedback(
                exchange, session, FeedbackQuestion.HELPED, word, Msg.FEEDBACK_RECOMMEND
            )
        if exchange.step is FollowUpStep.RECOMMEND and word in YES | NO:
            answer = "yes" if word in YES else "no"
            return self._feedback(
                exchange, session, FeedbackQuestion.RECOMMEND, answer, Msg.FEEDBACK_THANKS
            )
        return None

    def opted_out(self, sender: str) -> None:
        """STOP: nothing more is asked; the number is kept no longer than anyone's."""
        if self.follow_ups.opted_out(sender):
            self.store.add_event("follow_up.opted_out")

    def _talk_again(
        self,
        exchange: FollowUpRecord,
        session: RequestRecord,
        sender: str,
        word: str,
        message_sid: str,
    ) -> str | None:
        if word not in YES | NO:
            return None
        lang = session.language
        accepted = word in YES
        already = self.store.open_request_of(sender) if accepted else None
        new = next_session(session, sender, message_sid) if accepted and not already else None
        moved, created = self.follow_ups.answer_offer(exchange.request_id, new, sender)
        if not moved:
            return None
        if created is not None:
            self.store.add_event(  # tells the live board too
                "follow_up.created", request_id=created.id, session=created.session_no
            )
            self._enqueue(created)
        self.store.add_event(
            "follow_up.accepted" if accepted else "follow_up.declined",
            request_id=session.id,
            session=session.session_no,
        )
        said = Msg.FOLLOW_UP_ACCEPTED if accepted else Msg.FOLLOW_UP_DECLINED
        if already is not None:
            said = Msg.REQUEST_OPEN  # they had asked again by themselves meanwhile
        return f"{sms(said, lang)}\n{sms(Msg.FEEDBACK_HELPED, lang)}"

    def _enqueue(self, request: RequestRecord) -> None:
        """Queue the dispatch; the row is durable already (the reconciler queues it if not)."""
        try:
            self.jobs.dispatch(request.id, request.urgency)
        except Exception:  # Redis down or slow: the text is still answered
            logger.warning("enqueue failed; request=%s left for the reconciler", request.id)
            return
        self.store.mark_queued(request.id)

    def _feedback(
        self,
        exchange: FollowUpRecord,
        session: RequestRecord,
        question: FeedbackQuestion,
        answer: str,
        then: Msg,
    ) -> str | None:
        helped = question is FeedbackQuestion.HELPED
        asked = FollowUpStep.HELPED if helped else FollowUpStep.RECOMMEND
        after = FollowUpStep.RECOMMEND if helped else FollowUpStep.DONE
        kept = FeedbackAnswer(
            day=self.clock().astimezone(self.config.calling.zone).date(),  # the program's day
            role_group=group_of(session.role.value),
            urgency=session.urgency.value,
            question=question.value,
            answer=answer,
        )
        if not self.follow_ups.answer_feedback(exchange.request_id, asked, after, kept):
            return None
        self.store.add_event("feedback.answered", question=question.value)  # never the answer
        return sms(then, session.language, hotline=self.hotline)


def next_session(session: RequestRecord, sender: str, message_sid: str) -> NewRequest:
    """The caller's original answers, as the episode's next session."""
    mode = session.contact_mode
    window: CallbackWindow | None
    if mode is ContactMode.HOLD:  # they are not on the line now: call them back
        mode, window = ContactMode.CALLBACK, CallbackWindow.ASAP
    else:
        window = session.callback_window
    return NewRequest(
        channel=Channel.SMS,
        role=session.role,
        urgency=session.urgency,
        language=session.language,
        org_preference=session.org_preference,
        organization=session.organization,
        organization_unknown=session.organization_unknown,
        contact_mode=mode,
        callback_window=window,
        caller=sender,
        source_sid=f"FU{message_sid}"[:64],
        other_role_ok=session.other_role_ok,
        other_language_ok=session.other_language_ok,
        follow_up_ok=True,
        episode_id=session.episode_id or session.id,
        session_no=session.session_no + 1,
        previous_supporter_id=session.supporter_id,
    )
