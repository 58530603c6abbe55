"""Phone numbers out of free text (log lines, stored exception text): phone numbers, not
every run of digits — timestamps, durations and ids survive.

Pure: ``phonenumbers``' own matcher finds what a person would read as a phone number
("+1 617 555 1234", "(617) 555-1234", "617.555.1234", "+44 20 7183 8750") and rejects
dates, times and digits inside ids; anything in E.164 form (a "+" and 8 to 15 digits) goes
whether valid or not. The matcher only runs on text that has a candidate at all (digits
with separators, not inside a word), so a line without one costs a regex search.
"""

from __future__ import annotations

import re

from phonenumbers import Leniency, PhoneNumberMatcher

NUMBER = "[number]"
_E164 = re.compile(r"\+\d{8,15}(?!\d)")
_CANDIDATE = re.compile(r"(?<!\w)[+(]?\d[\d\s().-]{5,}\d(?!\w)")
# Dates and times are never numbers: blanked before looking for candidates, so a log line
# with a timestamp doesn't pay for the matcher.
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def redact_numbers(text: str, region: str = "US") -> str:
    """``text`` with every phone number replaced by ``[number]``."""
    text = _E164.sub(NUMBER, text)
    if not _CANDIDATE.search(_DATETIME.sub(" ", text)):
        return text
    found = [(m.start, m.end) for m in PhoneNumberMatcher(text, region, Leniency.VALID)]
    for start, end in reversed(found):
        text = text[:start] + NUMBER + text[end:]
    return text
