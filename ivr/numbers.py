"""Phone numbers from the carrier: E.164 or nothing (withheld caller IDs are not numbers)."""

from __future__ import annotations

import phonenumbers

# Withheld caller IDs seen in Twilio's From; some of them parse as "possible" numbers.
_WITHHELD = {
    "anonymous",
    "restricted",
    "unknown",
    "unavailable",
    "private",
    "+266696687",
    "+86282452253",
    "+8656696",
    "+2562533",
    "+7378742833",
}


def to_e164(raw: str | None, region: str = "US") -> str | None:
    """``raw`` as E.164, or None when it is missing, withheld or not a valid number."""
    if not raw or raw.strip().lower() in _WITHHELD or len(raw) > 40:
        return None
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def readback_digits(e164: str) -> str:
    """The digits to read back to a caller: the 10-digit national number within NANP,
    else everything after the ``+``."""
    digits = e164.lstrip("+")
    return digits[1:] if digits.startswith("1") and len(digits) == 11 else digits


def display(e164: str) -> str:
    """A number as people write it: ``(617) 555-0100`` in the US, international elsewhere."""
    parsed = phonenumbers.parse(e164, None)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)
