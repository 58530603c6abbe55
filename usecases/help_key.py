"""The supporter's help key: "*" during the call steps out to a short menu.

1 adds the crisis line to the call's conference — a warm transfer: the caller stays, the
supporter may stay or leave, and when the supporter leaves the caller stays with 988. This
is the one call Peerline places to the crisis line, by REST into the live conference, a
deliberate exception to the outbound policy (``Purpose.CRISIS_CONFERENCE``, see
docs/outbound-policy.md). 2 pages the on-call coordinator with the supporter's name only.
3, or silence, goes back to the call.
"""

from __future__ import annotations

import logging

from ivr.messages import Msg
from ivr.model import Language
from storage.dispatch import DispatchStore, OfferRecord
from storage.dispatch_models import OfferStatus
from storage.models import RequestStatus
from storage.repository import Store
from usecases.errors import CarrierError
from usecases.outbound import Outbound
from usecases.ports import Jobs
from usecases.replies import Conference, Farewell, HelpMenu, VoiceReply, lines

logger = logging.getLogger(__name__)

EN = Language.EN
KEY_CRISIS, KEY_PAGE = "1", "2"
CRISIS_ADDED = "help.crisis_line"  # the event that keeps a caller on with 988
CALLER_LEFT = "call.caller_left"


def crisis_line_added(store: Store, request_id: str) -> bool:
    return any(kind == CRISIS_ADDED for kind, _ in store.events(request_id))


class HelpKey:
    def __init__(self, store: Store, offers: DispatchStore, outbound: Outbound, jobs: Jobs) -> None:
        self.store, self.offers, self.outbound, self.jobs = store, offers, outbound, jobs

    def menu(self, offer_id: str) -> VoiceReply:
        """Webhook: the supporter's conference ended for them (they pressed *)."""
        offer = self._live(offer_id)
        if offer is None:
            return Farewell(lines(EN, Msg.HELP_CALL_ENDED))
        self.store.add_event("help.menu", request_id=offer.request_id)
        return HelpMenu(offer_id)

    def choose(self, offer_id: str, digits: str) -> VoiceReply:
        """Webhook: the key pressed at the menu (silence: back to the call)."""
        offer = self._live(offer_id)
        if offer is None:
            return Farewell(lines(EN, Msg.HELP_CALL_ENDED))
        request_id = offer.request_id
        if digits == KEY_CRISIS:
            self.store.add_event(CRISIS_ADDED, request_id=request_id)
            self.jobs.crisis_conference(request_id)
            said = Msg.HELP_CRISIS_ADDED
        elif digits == KEY_PAGE:
            self.store.add_event("help.coordinator", request_id=request_id)
            self.jobs.page_debrief(offer.supporter_id, during_call=True)
            said = Msg.HELP_PAGED
        else:
            said = Msg.HELP_BACK
        return Conference(request_id, lines(EN, said), help_key=offer_id, end_on_exit=False)

    def add_crisis_line(self, request_id: str) -> None:
        """Job: call the crisis line into the request's conference (once per request)."""
        request = self.store.get_request(request_id)
        if request is None or request.status is not RequestStatus.CONNECTED:
            return
        try:
            self.outbound.crisis_into_conference(request_id)
        except CarrierError as exc:
            logger.error("crisis line not added request=%s code=%s", request_id, exc.code)
            raise

    def crisis_answered(self, request_id: str) -> VoiceReply:
        """Webhook: the crisis line answered our call: into the room (it never ends it)."""
        request = self.store.get_request(request_id)
        if request is None or request.status not in (
            RequestStatus.CONNECTED,
            RequestStatus.COMPLETED,
        ):
            return Farewell(())
        return Conference(request_id, (), end_on_exit=False)

    def _live(self, offer_id: str) -> OfferRecord | None:
        """The supporter's accepted offer while their caller is still in the call."""
        offer = self.offers.offer(offer_id)
        if offer is None or offer.status is not OfferStatus.ACCEPTED:
            return None
        if any(kind == CALLER_LEFT for kind, _ in self.store.events(offer.request_id)):
            return None
        return offer
