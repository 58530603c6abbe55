"""Who may start a call or a text: the global rate, the blocklist, the rate per number —
in that order, per channel, keyed by blind index, re-deliveries counted once."""

from __future__ import annotations

import pytest

from tests.fakes import MemoryRateLimiter
from usecases.admission import Admission, Limits, Verdict

CALLER, OTHER, BLOCKED = "+16175550121", "+16175550122", "+16175550123"


class Blocklist:
    def __init__(self, *numbers: str) -> None:
        self.numbers = set(numbers)
        self.asked = 0

    def is_blocked(self, number: str) -> bool:
        self.asked += 1
        return number in self.numbers


def fingerprint(number: str) -> str:
    return "idx" + number[::-1].replace("+", "")  # stands in for the blind index


def gate(limits: Limits, *blocked: str) -> tuple[Admission, MemoryRateLimiter, Blocklist]:
    limiter, blocklist = MemoryRateLimiter(), Blocklist(*blocked)
    return Admission(blocklist, limiter, fingerprint, limits), limiter, blocklist


def test_a_number_gets_its_hourly_calls_then_is_turned_away_until_the_hour_slides() -> None:
    admission, limiter, _ = gate(Limits(calls_per_number_per_hour=3, calls_per_second=0))
    verdicts = [admission.call(CALLER, f"CA{i}") for i in range(4)]
    assert verdicts == [Verdict.ADMIT] * 3 + [Verdict.LIMITED]
    assert admission.call(OTHER, "CAx") is Verdict.ADMIT  # another number is not touched
    limiter.now += 3599
    assert admission.call(CALLER, "CA5") is Verdict.LIMITED
    limiter.now += 1
    assert admission.call(CALLER, "CA6") is Verdict.ADMIT


def test_a_redelivered_first_webhook_counts_once_and_gets_the_same_answer() -> None:
    admission, _, _ = gate(Limits(calls_per_number_per_hour=1, calls_per_second=0))
    assert [admission.call(CALLER, "CA1") for _ in range(5)] == [Verdict.ADMIT] * 5
    assert admission.call(CALLER, "CA2") is Verdict.LIMITED


def test_the_global_rate_comes_first_and_spares_the_database() -> None:
    admission, limiter, blocklist = gate(Limits(calls_per_second=2), BLOCKED)
    assert admission.call(CALLER, "CA1") is Verdict.ADMIT
    assert admission.call(None, "CA2") is Verdict.ADMIT  # withheld: the global rate only
    for i in range(18):  # 2 a second over 10 seconds: a burst of 20 at once is let in
        assert admission.call(f"+1617555{i:04d}", f"CB{i}") is Verdict.ADMIT
    asked = blocklist.asked
    assert admission.call(BLOCKED, "CA3") is Verdict.LIMITED  # over, before any lookup
    assert blocklist.asked == asked
    limiter.now += 10.0
    assert admission.call(BLOCKED, "CA4") is Verdict.BLOCKED


def test_blocked_numbers_are_blocked_whatever_their_count_and_by_text_too() -> None:
    admission, _, _ = gate(Limits(), BLOCKED)
    assert admission.call(BLOCKED, "CA1") is Verdict.BLOCKED
    assert admission.text(BLOCKED, "SM1", "hello") is Verdict.BLOCKED
    assert admission.text(CALLER, "SM2", "hello") is Verdict.ADMIT


@pytest.mark.parametrize("word", ["STOP", "stop", "UNSUBSCRIBE", "START"])
def test_stop_and_start_pass_the_numbers_own_checks(word: str) -> None:
    admission, _, _ = gate(Limits(texts_per_number_per_hour=1, texts_per_second=0), BLOCKED)
    assert admission.text(CALLER, "SM1", "hi") is Verdict.ADMIT
    assert admission.text(CALLER, "SM2", "hi again") is Verdict.LIMITED
    assert admission.text(CALLER, "SM3", word) is Verdict.ADMIT
    assert admission.text(BLOCKED, "SM4", word) is Verdict.ADMIT


def test_a_text_flood_is_limited_even_for_stop() -> None:
    admission, _, _ = gate(Limits(texts_per_second=1))
    for i in range(10):
        assert admission.text(f"+1617555{i:04d}", f"SM{i}", "hi") is Verdict.ADMIT
    assert admission.text(OTHER, "SMx", "STOP") is Verdict.LIMITED


def test_calls_and_texts_count_apart_and_keys_hold_no_number() -> None:
    admission, limiter, _ = gate(Limits(calls_per_number_per_hour=1, texts_per_number_per_hour=1))
    assert admission.call(CALLER, "CA1") is Verdict.ADMIT
    assert admission.text(CALLER, "SM1", "hi") is Verdict.ADMIT
    assert set(limiter.log) == {"call:all", "text:all", f"call:{fingerprint(CALLER)}",
                                f"text:{fingerprint(CALLER)}"}  # fmt: skip
    assert not any(CALLER[1:] in key for key in limiter.log)


def test_zero_means_no_limit() -> None:
    admission, limiter, _ = gate(
        Limits(calls_per_number_per_hour=0, calls_per_second=0, texts_per_second=0)
    )
    assert all(admission.call(CALLER, f"CA{i}") is Verdict.ADMIT for i in range(100))
    assert limiter.log == {}
