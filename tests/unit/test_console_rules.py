"""Pure pieces of the console and its use cases: no number reaches the audit log, on-call
the import's shift warning, TOTP steps, paging, durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from console.views import duration
from storage.roster import NewSupporter
from usecases import credentials
from usecases.access import Actor, Role, cli_actor
from usecases.audit import _scrubbed
from usecases.errors import Forbidden, Invalid
from usecases.paging import Page, bounded
from usecases.roster_rules import NEVER_ON_SHIFT, format_schedule, shift_warnings


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("+16175550101", False),
        ("(617) 555-0101", False),
        ("call 617.555.0101 now", False),
        ("2026-03-31", True),
        ("Mon 09:00-17:00", True),
        (["name", "schedule"], True),
        ("12345", True),
    ],
)
def test_the_audit_log_drops_anything_that_looks_like_a_phone_number(
    value: object, kept: bool
) -> None:
    out = _scrubbed({"detail": value, "nested": {"x": value}})
    expected = value if kept else "[removed]"
    if isinstance(value, list):
        expected = list(value)
    assert out == {"detail": expected, "nested": {"x": expected}}


def test_a_roster_nobody_can_be_on_shift_in_gets_a_warning() -> None:
    def person(**kw: object) -> NewSupporter:
        return NewSupporter("A", "+16175550101", "nurse", **kw)  # type: ignore[arg-type]

    assert shift_warnings([person(), person(on_shift=False, schedule=[[0, "09:00", "17:00"]])]) == [
        NEVER_ON_SHIFT
    ]
    assert shift_warnings([person(), person(schedule=[[0, "09:00", "17:00"]])]) == []
    assert shift_warnings([person(on_shift=True)]) == []
    assert shift_warnings([]) == []


def test_schedules_print_in_the_csv_syntax() -> None:
    assert format_schedule([[0, "09:00", "17:00"], [6, "22:00", "06:00"]]) == (
        "Mon 09:00-17:00; Sun 22:00-06:00"
    )


def test_a_totp_code_names_its_step_and_wrong_codes_none() -> None:
    secret = pyotp.random_base32()
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    assert credentials.totp_step(secret, totp.at(now), now) == step
    assert credentials.totp_step(secret, totp.at(now - timedelta(seconds=30)), now) == step - 1
    assert credentials.totp_step(secret, totp.at(now - timedelta(seconds=90)), now) is None
    assert credentials.totp_step(secret, "12345", now) is None
    assert credentials.totp_step(secret, "abcdef", now) is None


def test_roles_rank_and_pages_know_what_comes_next() -> None:
    coordinator = Actor("account", "a1", "cory", Role.COORDINATOR)
    coordinator.require(Role.COORDINATOR)
    with pytest.raises(Forbidden):
        coordinator.require(Role.ADMIN)
    cli_actor("ops").require(Role.ADMIN)
    assert Page([1, 2], total=5, limit=2, offset=0).next_offset == 2
    assert Page([5], total=5, limit=2, offset=4).next_offset is None
    assert bounded(10_000, -3) == (200, 0)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(59, "0 min"), (3725, "1 h 2 min"), (-300, "overdue 5 min"), (3 * 86400, "3 d 0 h")],
)
def test_durations_read_like_a_board(seconds: int, text: str) -> None:
    assert duration(seconds) == text


def test_passwords_hash_and_verify_and_too_short_is_refused() -> None:
    stored = credentials.hash_password("a-long-password")
    assert credentials.password_matches(stored, "a-long-password")
    assert not credentials.password_matches(stored, "a-long-passwore")
    assert not credentials.password_matches(None, "a-long-password")
    with pytest.raises(Invalid, match="at least 10"):
        credentials.hash_password("short")


def test_the_close_form_words_every_reason_and_assignable_reasons_are_soft() -> None:
    from console.pages_board import CLOSE_REASONS
    from matching import Rejection
    from usecases.board_actions import CloseReason
    from usecases.explain import ASSIGNABLE

    assert set(CLOSE_REASONS) == set(CloseReason)
    never = {Rejection.SAME_ORGANIZATION, Rejection.LANGUAGE, Rejection.BUSY, Rejection.INACTIVE}
    assert not never & ASSIGNABLE and Rejection.UNAVAILABLE in ASSIGNABLE
