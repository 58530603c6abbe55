"""The request form's guard: honeypot, CSRF cookie + signed token, time to submit, and the
per-address rate, each decided before the intake sees anything."""

from __future__ import annotations

import pytest

from tests.fakes import MemoryRateLimiter
from usecases.web_form import FormGuard, FormLimits, FormRefusal, form_key

NOW = 1_800_000_000.0
KEY = form_key(b"k" * 32)


def guard(limit: int = 2) -> FormGuard:
    return FormGuard(KEY, MemoryRateLimiter(), FormLimits(3.0, 7200.0, limit))


ISSUED = guard().issue(NOW - 10)
FORGED = ISSUED.token[:-1] + ("1" if ISSUED.token.endswith("0") else "0")


@pytest.mark.parametrize(
    ("token", "cookie", "honeypot", "now", "expected"),
    [
        (ISSUED.token, ISSUED.nonce, "", NOW, None),
        (ISSUED.token, ISSUED.nonce, "http://spam", NOW, FormRefusal.HONEYPOT),
        # CSRF: the cookie must carry the token's nonce, and the token must be ours.
        (ISSUED.token, "", "", NOW, FormRefusal.EXPIRED),
        (ISSUED.token, "another-nonce", "", NOW, FormRefusal.EXPIRED),
        (FORGED, ISSUED.nonce, "", NOW, FormRefusal.EXPIRED),
        ("", ISSUED.nonce, "", NOW, FormRefusal.EXPIRED),
        ("garbage", ISSUED.nonce, "", NOW, FormRefusal.EXPIRED),
        (
            FormGuard(form_key(b"other" * 7), MemoryRateLimiter(), FormLimits())
            .issue(NOW - 10)
            .token,
            ISSUED.nonce,
            "",
            NOW,
            FormRefusal.EXPIRED,
        ),
        # Time to submit, and the form's age.
        (ISSUED.token, ISSUED.nonce, "", NOW - 8, FormRefusal.TOO_FAST),
        (ISSUED.token, ISSUED.nonce, "", NOW - 7, None),
        (ISSUED.token, ISSUED.nonce, "", NOW + 7190, None),
        (ISSUED.token, ISSUED.nonce, "", NOW + 7191, FormRefusal.EXPIRED),
    ],
    # Tokens carry a random nonce: name the cases, so every process collects the same ids.
    ids=[
        "sent",
        "honeypot",
        "no-cookie",
        "other-cookie",
        "forged",
        "no-token",
        "garbage",
        "other-key",
        "too-fast",
        "just-in-time",
        "oldest",
        "too-old",
    ],
)
def test_check(
    token: str, cookie: str, honeypot: str, now: float, expected: FormRefusal | None
) -> None:
    assert guard().check(token, cookie, honeypot, "203.0.113.9", now) == expected


def test_rate_per_address_counts_each_form_once() -> None:
    g = guard(limit=2)
    forms = [g.issue(NOW - 10) for _ in range(3)]
    assert g.check(forms[0].token, forms[0].nonce, "", "203.0.113.9", NOW) is None
    assert g.check(forms[0].token, forms[0].nonce, "", "203.0.113.9", NOW) is None  # same form
    assert g.check(forms[1].token, forms[1].nonce, "", "203.0.113.9", NOW) is None
    assert g.check(forms[2].token, forms[2].nonce, "", "203.0.113.9", NOW) is FormRefusal.LIMITED
    assert g.check(forms[2].token, forms[2].nonce, "", "198.51.100.7", NOW) is None
    assert guard(limit=0).check(forms[2].token, forms[2].nonce, "", "x", NOW) is None


def test_tokens_are_unique_and_name_their_cookie() -> None:
    a, b = guard().issue(NOW), guard().issue(NOW)
    assert a.nonce != b.nonce and a.token.split(".")[1] == a.nonce
