"""Invariant 3 under real concurrency: threads with their own engines (as separate workers
have) race on the same supporters, on SQLite (busy_timeout) and PostgreSQL (SKIP LOCKED)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import Engine, func, select

from peerline import bootstrap
from peerline.settings import Settings
from storage.dispatch import DispatchStore
from storage.dispatch_models import ACTIVE_OFFER, Offer, OfferStatus
from storage.engine import make_engine
from storage.models import Event, HelpRequest, RequestStatus
from storage.offer_records import OfferRecord
from storage.repository import Store
from storage.roster import NewSupporter, RosterStore
from storage.roster_models import Supporter
from tests.e2e.conftest import make_settings
from tests.fakes import RecordingCarrier
from tests.request_support import waiting_request

pytestmark = pytest.mark.integration

RING = timedelta(seconds=40)
JOIN_TIMEOUT = 120  # seconds; only a deadlock would get near it
callback_request = partial(waiting_request, org_preference="any", contact_mode="callback")


class ThreadSafeRecordingCarrier(RecordingCarrier):
    """``RecordingCarrier`` for many threads at once: each SID is taken under a lock, so
    two workers never get the same one (offers.call_sid is unique)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def _place(self, **kw: Any) -> str:
        with self._lock:
            return super()._place(**kw)

    def _update(self, sid: str, **kw: Any) -> None:
        with self._lock:
            super()._update(sid, **kw)

    def send_sms(self, **kw: str) -> str:
        with self._lock:
            return super().send_sms(**kw)


def new_supporter(roster: RosterStore, n: int) -> str:
    [sid] = roster.add_supporters(
        [
            NewSupporter(
                name=f"Supporter {n:03d}",
                phone=f"+1201555{n:04d}",
                role="nurse",
                organization="Tufts Medical Center",
                on_shift=True,
            )
        ]
    )
    return sid


def run_threads(targets: list[Callable[[], None]]) -> list[BaseException]:
    """Run each target on its own thread; every exception any of them raised."""
    errors: list[BaseException] = []
    lock = threading.Lock()

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a worker thread hung (deadlock?)"
    return errors


def race(
    workers: list[DispatchStore], requests: list[str], supporter: str
) -> tuple[dict[str, OfferRecord | None], list[BaseException]]:
    """Each worker claims ``supporter`` for its own request, all at the same instant."""
    barrier = threading.Barrier(len(workers), timeout=JOIN_TIMEOUT)
    claims: dict[str, OfferRecord | None] = {}

    def claim(worker: DispatchStore, request_id: str) -> None:
        barrier.wait()
        claims[request_id] = worker.claim(request_id, supporter, RING)

    errors = run_threads([partial(claim, w, r) for w, r in zip(workers, requests, strict=True)])
    return claims, errors


@pytest.fixture
def workers_engines(database_url: str, engine: Engine) -> Iterator[list[Engine]]:
    """Two more engines on the test database: one per racing worker."""
    engines = [make_engine(database_url) for _ in range(2)]
    yield engines
    for e in engines:
        e.dispose()


def test_two_workers_racing_for_one_supporter_claim_them_exactly_once(
    store: Store, workers_engines: list[Engine]
) -> None:
    roster = RosterStore(store.engine, store.cipher)
    workers = [DispatchStore(e) for e in workers_engines]
    for round_ in range(20):
        supporter = new_supporter(roster, round_)
        requests = [
            callback_request(store, caller=f"+1617555{round_:02d}{i:02d}") for i in range(2)
        ]
        claims, errors = race(workers, requests, supporter)
        assert errors == [], f"round {round_}: {errors!r}"
        won = [offer for offer in claims.values() if offer is not None]
        assert len(won) == 1, f"round {round_}: {claims}"
        [offer] = won
        loser = next(r for r in requests if r != offer.request_id)
        with store.engine.connect() as conn:
            busy = conn.execute(
                select(Supporter.busy_offer_id).where(Supporter.id == supporter)
            ).scalar_one()
            offers = conn.execute(
                select(Offer.id, Offer.request_id).where(Offer.supporter_id == supporter)
            ).all()
        assert busy == offer.id
        assert [tuple(o) for o in offers] == [(offer.id, offer.request_id)]  # loser left none
        winner_row, loser_row = store.get_request(offer.request_id), store.get_request(loser)
        assert winner_row is not None and winner_row.status == RequestStatus.OFFERED
        assert loser_row is not None and loser_row.status == RequestStatus.WAITING


# -- many dispatchers, many requests, a few supporters ---------------------------------------

REQUESTS, SUPPORTERS, THREADS = 50, 10, 8


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    settings = make_settings(database_url, redis_url, tmp_path / "var")
    settings.calls_per_second = 1000.0  # the throttle is tested on its own
    settings.sms_per_second = 1000.0
    return settings


def test_eight_dispatchers_fifty_requests_ten_supporters_one_offer_each(
    settings: Settings, store: Store, redis_conn: Redis
) -> None:
    roster = RosterStore(store.engine, store.cipher)
    supporter_ids = {new_supporter(roster, n) for n in range(SUPPORTERS)}
    request_ids = [callback_request(store, caller=f"+1617555{n:04d}") for n in range(REQUESTS)]
    carrier = ThreadSafeRecordingCarrier()
    todo: queue.Queue[str] = queue.Queue()
    for rid in request_ids:
        todo.put(rid)
    barrier = threading.Barrier(THREADS, timeout=JOIN_TIMEOUT)
    built: list[bootstrap.Services] = []
    built_lock = threading.Lock()

    def worker() -> None:
        try:
            services = bootstrap.build(settings, fast_fail_redis=True)  # own engine and Redis
            with built_lock:
                built.append(services)
            dispatcher = bootstrap.dispatch_deps(services, carrier).dispatcher
        except BaseException:
            barrier.abort()  # don't leave the others waiting for this one
            raise
        barrier.wait()  # then all dispatch at once
        while True:
            try:
                rid = todo.get_nowait()
            except queue.Empty:
                return
            dispatcher.dispatch(rid)

    try:
        errors = run_threads([worker] * THREADS)
    finally:
        for services in built:
            services.close()
    assert errors == [], errors  # e.g. "database is locked" on SQLite

    with store.engine.connect() as conn:
        active = conn.execute(
            select(Offer.request_id, Offer.supporter_id, Offer.status).where(
                Offer.status.in_(ACTIVE_OFFER)
            )
        ).all()
        all_offers = conn.execute(select(func.count()).select_from(Offer)).scalar_one()
        nobody = set(
            conn.execute(
                select(Event.request_id).where(Event.kind == "dispatch.nobody_available")
            ).scalars()
        )
        statuses = dict(conn.execute(select(HelpRequest.id, HelpRequest.status)).all())
        busy = dict(conn.execute(select(Supporter.id, Supporter.busy_offer_id)).all())

    per_supporter = [row.supporter_id for row in active]
    per_request = [row.request_id for row in active]
    assert len(per_supporter) == len(set(per_supporter)), "a supporter has two active offers"
    assert len(per_request) == len(set(per_request)), "a request has two active offers"
    assert [row.status for row in active] == [OfferStatus.RINGING] * SUPPORTERS
    assert set(per_supporter) == supporter_ids  # every supporter rung, each once
    assert all_offers == SUPPORTERS  # no claim was half-made and left behind
    assert len(nobody) == REQUESTS - SUPPORTERS
    assert nobody.isdisjoint(per_request)
    offered = {rid for rid, status in statuses.items() if status == RequestStatus.OFFERED}
    waiting = {rid for rid, status in statuses.items() if status == RequestStatus.WAITING}
    assert offered == set(per_request) and waiting == nobody
    assert all(busy[s] is not None for s in supporter_ids)
    phones = sorted(roster.supporter_phone(s) or "" for s in supporter_ids)
    assert sorted(c["to"] for c in carrier.calls) == phones  # one call each
