"""What a coordinator can do to a request from the board besides ACK: assign a supporter
they choose, re-queue it, send the caller a scheduling text, close it with a reason.

None of them touches the carrier from the web process: assigning goes through the
dispatcher's own exactly-once claim (``Dispatcher.assign``, a job), the text through the
one outbound sender (``Notices.scheduling_text``, a job). Each is written to the request's
event log (so the live board hears of it) and to the audit log. Closing is
``usecases.lifecycle.Lifecycle.close_request``, the same ending as a texted ``CLOSE``.
"""

from __future__ import annotations

from enum import StrEnum

from storage.dispatch import DispatchStore
from storage.dispatch_models import OfferStatus
from storage.models import OPEN_REQUEST_STATUSES, DispatchState, RequestStatus
from storage.records import RequestRecord
from storage.repository import Store
from storage.roster import RosterStore, SupporterRecord
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.errors import Conflict, Invalid, NotFound
from usecases.explain import ASSIGNABLE, MatchExplainer
from usecases.lifecycle import Closed, Lifecycle
from usecases.notices import SCHEDULE_WINDOWS, ScheduleDay
from usecases.ports import Jobs
from usecases.promise import Promises


class CloseReason(StrEnum):
    """Why a coordinator closed a request nobody had taken (never free text: the event log
    holds no personal data)."""

    NO_LONGER_NEEDED = "no_longer_needed"  # the caller said so, or got support elsewhere
    UNREACHABLE = "unreachable"  # every way to reach the caller failed
    DUPLICATE = "duplicate"  # the same caller has another open request
    NOT_FOR_PEERLINE = "not_for_peerline"  # a misdial, or not a healthcare worker
    TEST = "test"  # a test call


class BoardActions:
    def __init__(
        self,
        store: Store,
        offers: DispatchStore,
        roster: RosterStore,
        explainer: MatchExplainer,
        jobs: Jobs,
        lifecycle: Lifecycle,
        audit: AuditTrail,
        promises: Promises,
    ) -> None:
        self.store, self.offers, self.roster, self.explainer = store, offers, roster, explainer
        self.jobs, self.lifecycle, self.audit = jobs, lifecycle, audit
        self.promises = promises

    def assign(self, actor: Actor, request_id: str, supporter_id: str) -> SupporterRecord:
        """Offer the request to this supporter next, through the same claim dispatch uses.

        A phone still ringing for someone else stops ringing. Refused (``Conflict``) when
        the request is connected or its offer is being heard, when matching's reason to
        leave the supporter out is one a coordinator may not overrule (see ``ASSIGNABLE``),
        or when the caller may not be called now (their call-back window, the quiet hours):
        an accepted offer is a call to the caller at once, and they asked for later.
        """
        actor.require(Role.COORDINATOR)
        request = self._open(request_id)
        promise = self.promises.of(request)
        if promise.calls_from is not None:
            raise Conflict(
                f"The caller may not be called yet: {promise.text}. Assign it then; dispatch "
                "offers it by itself when that time comes."
            )
        supporter = self.roster.supporter(supporter_id)
        if supporter is None:
            raise NotFound("no such supporter")
        rejected = self.explainer.screen(request, supporter)
        if rejected is not None and rejected.reason not in ASSIGNABLE:
            why = str(rejected.reason) + (f" ({rejected.detail})" if rejected.detail else "")
            raise Conflict(f"{supporter.name} can't take this request: {why}")
        self._stop_offer(request, "reassigned")
        self.jobs.assign(request.id, supporter.id)
        self.store.add_event(
            "coordinator.assign", request_id=request.id, supporter_id=supporter.id, via="console"
        )
        self.audit.write(
            actor,
            "request.assign",
            "request",
            request.id,
            ticket=request.ticket,
            supporter_id=supporter.id,
        )
        return supporter

    def requeue(self, actor: Actor, request_id: str) -> None:
        """Start matching again now: a ringing offer stops, a request held for a
        coordinator (its call-back number was refused) goes back to dispatch."""
        actor.require(Role.COORDINATOR)
        request = self._open(request_id)
        self._stop_offer(request, "requeued")
        if request.dispatch_state is DispatchState.HELD:
            self.store.mark_queued(request.id)
        self.jobs.dispatch(request.id, request.urgency)
        self.store.add_event("coordinator.requeue", request_id=request.id, via="console")
        self.audit.write(actor, "request.requeue", "request", request.id, ticket=request.ticket)

    def scheduling_text(self, actor: Actor, request_id: str, day: str, window: str) -> None:
        """Text the caller when to expect the call: ``day`` today or tomorrow, ``window``
        morning, afternoon or evening (the intake's own windows). Sent by a job through
        the one sender; the request's history says whether it went."""
        actor.require(Role.COORDINATOR)
        errors = []
        if day not in set(ScheduleDay):
            errors.append("day: choose today or tomorrow")
        if window not in SCHEDULE_WINDOWS:
            errors.append("window: choose morning, afternoon or evening")
        if errors:
            raise Invalid(errors)
        request = self.store.get_request(request_id)
        if request is None:
            raise NotFound("no such request")
        if request.status not in OPEN_REQUEST_STATUSES:
            raise Conflict(f"the request is {request.status}; the caller is not texted any more")
        self.jobs.scheduling_text(request.id, day, window)
        self.store.add_event(
            "coordinator.scheduling_text", request_id=request.id, day=day, window=window
        )
        self.audit.write(
            actor,
            "request.scheduling_text",
            "request",
            request.id,
            ticket=request.ticket,
            day=day,
            window=window,
        )

    def close(self, actor: Actor, request_id: str, reason: str) -> None:
        """Close a request nobody has taken yet (a ringing phone stops); its caller's
        identity is purged on the closed requests' schedule. A connected request closes
        when its call ends (``Conflict``), as with a texted ``CLOSE``."""
        actor.require(Role.COORDINATOR)
        if reason not in set(CloseReason):
            choices = ", ".join(CloseReason)
            raise Invalid([f"reason: choose one of {choices}"])
        request = self.store.get_request(request_id)
        if request is None:
            raise NotFound("no such request")
        by = actor.coordinator_id or actor.label
        closed = self.lifecycle.close_request(request.ticket, reason, by)
        if closed is Closed.IN_CALL:
            raise Conflict("a supporter and the caller are connected; it closes when they hang up")
        if closed is not Closed.CLOSED:
            ended = self.store.get_request(request_id) or request
            raise Conflict(f"the request has already ended ({ended.status})")
        self.audit.write(
            actor, "request.close", "request", request.id, ticket=request.ticket, reason=reason
        )

    def _open(self, request_id: str) -> RequestRecord:
        request = self.store.get_request(request_id)
        if request is None:
            raise NotFound("no such request")
        if request.status is RequestStatus.CONNECTED:
            raise Conflict("the caller and a supporter are connected; nothing to change")
        if request.status not in OPEN_REQUEST_STATUSES:
            raise Conflict(f"the request is {request.status}")
        return request

    def _stop_offer(self, request: RequestRecord, reason: str) -> None:
        """End a ringing offer (its phone stops); refuse when one is being heard."""
        offer = self.offers.active_offer(request.id)
        if offer is None:
            return
        if offer.picked_up:
            raise Conflict("a supporter is hearing the offer right now; try again in a minute")
        if not self.offers.end_offer(offer.id, OfferStatus.CANCELED, reason=reason):
            raise Conflict("the offer changed a moment ago; reload and try again")
        if offer.call_sid:
            self.jobs.end_call(offer.call_sid)
