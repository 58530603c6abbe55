"""Recording the supporter's call after ``Calls.create`` returned: only an ended offer's
leg is cancelled; an offer the supporter already accepted is kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from storage.crypto import FieldCipher
from storage.dispatch import DispatchStore
from storage.dispatch_models import OfferStatus
from storage.repository import Store
from tests.integration.test_free_supporters import NOW, _request, _roster

RINGING = ("offer.ringing", {"step": "same"})


def test_an_offer_accepted_before_its_call_is_recorded_stays_live(
    engine: Engine, cipher: FieldCipher, store: Store
) -> None:
    ids = _roster(engine, cipher, ["Ann Quick"])
    request_id = _request(store)
    offers = DispatchStore(engine, clock=lambda: NOW)
    offer = offers.claim(request_id, ids["Ann Quick"], timedelta(seconds=40))
    assert offer is not None
    # The worker stalled after Calls.create: the offer webhook attached the call, the
    # supporter pressed 1, and only then does the dispatcher record the call.
    offers.attach_call(offer.id, "CAann")
    assert offers.accept(offer.id)
    assert offers.attach_call(offer.id, "CAann", event=RINGING)
    assert [kind for kind, _ in store.events(request_id)].count("offer.ringing") == 0


def test_a_ringing_offer_records_its_event_and_an_ended_one_is_refused(
    engine: Engine, cipher: FieldCipher, store: Store
) -> None:
    ids = _roster(engine, cipher, ["Ann Quick", "Bo Late"])
    request_id = _request(store)
    offers = DispatchStore(engine, clock=lambda: NOW)
    offer = offers.claim(request_id, ids["Ann Quick"], timedelta(seconds=40))
    assert offer is not None
    assert offers.attach_call(offer.id, "CAann", event=RINGING)
    assert ("offer.ringing", {"step": "same"}) in store.events(request_id)
    assert offers.end_offer(offer.id, OfferStatus.CANCELED, reason="caller_left")
    late = offers.claim(request_id, ids["Bo Late"], timedelta(seconds=40))
    assert late is not None
    offers.withdraw(request_id)  # the caller left while Bo's call was being placed
    assert not offers.attach_call(late.id, "CAbo", event=RINGING)
