"""The daily call-back count under concurrency, on both databases: the cap holds exactly."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import Engine, select

from storage.callback_models import CallbackCount
from storage.callbacks import CallbackLedger
from storage.crypto import FieldCipher

pytestmark = pytest.mark.integration

NUMBER = "+16175551234"
TODAY = date(2025, 3, 14)


def test_twenty_workers_at_once_get_exactly_the_cap(engine: Engine, cipher: FieldCipher) -> None:
    ledger = CallbackLedger(engine, cipher)
    start = threading.Barrier(20)
    results: list[bool] = []
    lock = threading.Lock()

    def reserve() -> None:
        start.wait()
        granted = ledger.reserve(NUMBER, TODAY, cap=3)
        with lock:
            results.append(granted)

    threads = [threading.Thread(target=reserve) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 17 + [True] * 3
    assert ledger.placed_on(NUMBER, TODAY) == 3


def test_days_and_numbers_are_counted_apart_and_old_days_are_dropped(
    engine: Engine, cipher: FieldCipher
) -> None:
    ledger = CallbackLedger(engine, cipher)
    assert ledger.reserve(NUMBER, TODAY, cap=1)
    assert not ledger.reserve(NUMBER, TODAY, cap=1)
    assert ledger.reserve("+16175551235", TODAY, cap=1)
    assert ledger.placed_on(NUMBER, TODAY) == 1
    later = date(2025, 3, 16)
    assert ledger.reserve(NUMBER, later, cap=1)
    with engine.connect() as conn:
        days = conn.execute(select(CallbackCount.day)).scalars().all()
        indexes = conn.execute(select(CallbackCount.number_index)).scalars().all()
    assert days == [later], "rows older than yesterday go as new ones are written"
    assert indexes == [cipher.blind_index(NUMBER)]
