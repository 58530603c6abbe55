"""The dispatcher's SQL prefilter (``RosterStore.free_supporters``) leaves out only who
matching would reject in every round, and a changed row is never served from its cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, update

from storage.crypto import FieldCipher
from storage.dispatch import DispatchStore
from storage.dispatch_models import UNCONFIRMED, Offer, OfferStatus
from storage.repository import Store
from storage.roster import NewSupporter, RosterStore
from storage.roster_models import Supporter
from tests.request_support import waiting_request

NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)


def _roster(engine: Engine, cipher: FieldCipher, names: list[str]) -> dict[str, str]:
    roster = RosterStore(engine, cipher, clock=lambda: NOW)
    people = [
        NewSupporter(name=n, phone=f"+1201555{i:04d}", role="nurse", on_shift=True)
        for i, n in enumerate(names)
    ]
    return dict(zip(names, roster.add_supporters(people), strict=True))


def _set(engine: Engine, supporter_id: str, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(update(Supporter).where(Supporter.id == supporter_id).values(**values))


def _request(store: Store) -> str:
    return waiting_request(
        store, sid="CAfree", caller="+16175550000", org_preference="any", contact_mode="hold"
    )


def test_only_who_no_round_could_offer_is_left_out(
    engine: Engine, cipher: FieldCipher, store: Store
) -> None:
    names = [
        "Ann Free",
        "Bo Inactive",
        "Cy Untrained",
        "Di BadNumber",
        "Ed Cooling",
        "Fay Cooled",
        "Gus Capped",
        "Hal CappedLastMonth",
        "Ivy Away",
        "Jo AwayLapsed",
        "Kim Trainee",
        "Lou Rung",
        "Max Refused",
        "Ned Unconfirmed",
        "Oz Declined",
        "Pia Busy",
    ]
    ids = _roster(engine, cipher, names)
    _set(engine, ids["Bo Inactive"], active=False)
    _set(engine, ids["Cy Untrained"], trained=False)
    _set(engine, ids["Di BadNumber"], bad_number=True)
    _set(engine, ids["Ed Cooling"], cool_off_until=NOW + timedelta(minutes=5))
    _set(engine, ids["Fay Cooled"], cool_off_until=NOW - timedelta(minutes=5))
    _set(engine, ids["Gus Capped"], month_key="2026-11", month_minutes=240)
    _set(engine, ids["Hal CappedLastMonth"], month_key="2026-10", month_minutes=240)
    _set(engine, ids["Ivy Away"], on_shift=False, on_shift_until=NOW + timedelta(hours=1))
    _set(engine, ids["Jo AwayLapsed"], on_shift=False, on_shift_until=NOW - timedelta(hours=1))
    _set(engine, ids["Kim Trainee"], training_tier="trainee")
    request_id = _request(store)
    offers = DispatchStore(engine, clock=lambda: NOW)
    declined = offers.claim(request_id, ids["Oz Declined"], timedelta(seconds=40))
    assert declined is not None
    offers.attach_call(declined.id, "CAoz")
    offers.end_offer(declined.id, OfferStatus.DECLINED)  # rung for this request, then free
    taken = offers.claim(request_id, ids["Pia Busy"], timedelta(seconds=40))
    assert taken is not None  # Pia is busy with it now
    with engine.begin() as conn:
        for name, status, sid, reason in (
            ("Lou Rung", OfferStatus.NO_ANSWER, "CAlou", None),
            ("Max Refused", OfferStatus.FAILED, None, "permanent:21211"),
            ("Ned Unconfirmed", OfferStatus.FAILED, None, UNCONFIRMED),
        ):
            conn.execute(
                Offer.__table__.insert().values(
                    id=f"offer{name.split()[0]}",
                    request_id=request_id,
                    supporter_id=ids[name],
                    status=status,
                    call_sid=sid,
                    reason=reason,
                    created_at=NOW - timedelta(minutes=1),
                    expires_at=NOW,
                    duration_seconds=0,
                )
            )
    roster = RosterStore(engine, cipher, clock=lambda: NOW)

    def free(**kwargs: object) -> set[str]:
        return {r.name for r in roster.free_supporters(NOW, **kwargs)}  # type: ignore[arg-type]

    everyone_free = {"Ann Free", "Fay Cooled", "Hal CappedLastMonth", "Jo AwayLapsed"}
    rung = {"Lou Rung", "Ned Unconfirmed", "Oz Declined"}
    assert free() == everyone_free | {"Kim Trainee", "Max Refused"} | rung
    since = NOW - timedelta(minutes=30)
    assert free(not_rung_for=(request_id, since), trainees=False) == everyone_free | {"Max Refused"}
    # A lapsed override reads as none, as everywhere else on the roster.
    [jo] = [r for r in roster.free_supporters(NOW) if r.name == "Jo AwayLapsed"]
    assert jo.on_shift is None and jo.on_shift_until is None


def test_a_changed_row_is_read_anew(engine: Engine, cipher: FieldCipher) -> None:
    ids = _roster(engine, cipher, ["Ann Free"])
    roster = RosterStore(engine, cipher, clock=lambda: NOW)
    [first] = roster.free_supporters(NOW)
    [again] = roster.free_supporters(NOW)
    assert again is first  # unchanged: converted once
    _set(engine, ids["Ann Free"], schedule=[[1, "09:00", "17:00"]], languages="en;es")
    [changed] = roster.free_supporters(NOW)
    assert changed.schedule == [[1, "09:00", "17:00"]] and changed.languages == ("en", "es")
    # The same row with an override that lapses between two reads.
    _set(engine, ids["Ann Free"], on_shift_until=NOW + timedelta(minutes=1))
    [before] = roster.free_supporters(NOW)
    [after] = roster.free_supporters(NOW + timedelta(minutes=2))
    assert before.on_shift is True and after.on_shift is None
