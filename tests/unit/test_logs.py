from __future__ import annotations

import io
import logging
import sys

import pytest

from peerline.logs import RedactingFilter, configure, redact


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("call from +16175551234 done", "call from [number] done"),
        (
            "From=%2B16175551234&To=%2B16175550100&Digits=1",
            "From=[redacted]&To=[redacted]&Digits=[redacted]",
        ),
        ("Body=I need help", "Body=[redacted] need help"),
        ("FromCity=BOSTON FromZip=02114", "FromCity=[redacted] FromZip=[redacted]"),
        ("(617) 555-1234 called", "[number] called"),
        ("request=5f0c2d9a8b7e4f01 turn=3", "request=5f0c2d9a8b7e4f01 turn=3"),
        (
            "call=CA00000000000000000000000000000001 turn=2",
            "call=CA00000000000000000000000000000001 turn=2",
        ),
        # Phone numbers, not every run of digits: timestamps, durations and ids survive.
        ("retry at 2026-12-03 14:21:54", "retry at 2026-12-03 14:21:54"),
        ("scheduled for 14:21:54.123456", "scheduled for 14:21:54.123456"),
        ("at 1767600000.25 took 1234567 ms", "at 1767600000.25 took 1234567 ms"),
        ("offer=0123456789abcdef0123456789abcdef", "offer=0123456789abcdef0123456789abcdef"),
        ("617.555.1234 or 6175551234", "[number] or [number]"),
        ("Key (phone)=(+12015550101) already exists", "Key (phone)=([number]) already exists"),
        ("[parameters: ('+12015550101', 5)]", "[parameters: ('[number]', 5)]"),
        ("satellite +882 16 5432 1234 refused", "satellite [number] refused"),
        ("uk +44 20 7183 8750", "uk [number]"),
        ("not valid but E.164 +19995550100", "not valid but E.164 [number]"),
    ],
)
def test_redact(raw: str, expected: str) -> None:
    assert redact(raw) == expected


def test_filter_rewrites_formatted_messages_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("test.redaction")
    caplog.handler.addFilter(RedactingFilter())
    logger.warning("caller %s pressed %s", "+16175551234", "Digits=4")
    try:
        raise ValueError("bad number +16175551234")
    except ValueError:
        logger.exception("failed")
    text = caplog.text
    assert "6175551234" not in text
    assert "[number]" in text


def test_the_handler_writes_to_stderr_as_it_is_now_not_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure("INFO")  # the root handlers come back after the test (tests/conftest.py)
    first.close()  # what a test's capture does when the test ends
    monkeypatch.setattr(sys, "stderr", second)
    logging.getLogger("peerline.test").info("after the swap")
    assert second.getvalue().endswith("peerline.test after the swap\n")
