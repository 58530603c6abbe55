"""A keyed call-back number read back to the caller, never saved in the clear.

Every turn's document is saved to answer Twilio's re-deliveries, so the read-back turn is
saved with ``SLOT`` where the digits go, and the digits are put in when it is served, from
the number kept encrypted on the session.
"""

from __future__ import annotations

from ivr.digits import spoken_digits
from ivr.numbers import readback_digits

SLOT = "PEERLINE-READBACK-DIGITS"  # letters and hyphens: survives XML escaping unchanged


def fill(document: str, number: str | None) -> str:
    """``document`` with the read-back digits in place of ``SLOT`` (a no-op without it)."""
    if SLOT not in document:
        return document
    return document.replace(SLOT, spoken_digits(readback_digits(number)) if number else "")
