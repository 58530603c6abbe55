"""One roster cell at a time: each parser turns a spreadsheet value into what is stored.

Invariant: a parser returns a valid value or raises ``BadCell`` (a ``ValueError``) whose
message names the column and says how to fix it, for a coordinator to read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr.model import Language, Role
from matching.model import Level
from matching.training import tier_code

MAX_CAP_HOURS = 160  # a full-time month; anything above is a typo

_ROLES: Mapping[str, Role] = {
    **{role.value: role for role in Role if role is not Role.UNSPECIFIED},
    **dict.fromkeys(("rn", "lpn", "registered nurse"), Role.NURSE),
    **dict.fromkeys(("md", "do", "doctor", "attending"), Role.PHYSICIAN),
    **dict.fromkeys(("resident", "fellow", "intern", "student", "medical student"), Role.TRAINEE),
    **dict.fromkeys(("np", "nurse practitioner", "pa", "physician assistant"), Role.APP),
    **dict.fromkeys(("crna", "midwife"), Role.APP),
    **dict.fromkeys(("pharmacist", "pharmacy", "lab", "imaging", "therapist"), Role.ALLIED),
    **dict.fromkeys(("cna", "nursing assistant", "pct", "emt", "paramedic", "ems"), Role.TECH),
    **dict.fromkeys(("non clinical", "support staff"), Role.SUPPORT),
    **dict.fromkeys(("chaplain", "social worker", "leader", "manager"), Role.OTHER),
}
_ROLE_CODES = ", ".join(role.value for role in Role if role is not Role.UNSPECIFIED)
_LANGUAGES: Mapping[str, Language] = {
    **dict.fromkeys(("en", "english"), Language.EN),
    **dict.fromkeys(("es", "spanish", "espanol", "español"), Language.ES),
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


class BadCell(ValueError):
    """One value is wrong; the message says which and how, for a coordinator to read."""


def text_cell(column: str, raw: str, limit: int) -> str:
    text = " ".join(raw.split())
    if len(text) > limit:
        raise BadCell(f"{column} is longer than {limit} characters")
    return text


def phone_cell(raw: str, parse: Callable[[str], str | None]) -> str:
    if number := parse(raw):
        return number
    raise BadCell(f"phone {raw!r} is not a valid number")


def role_cell(raw: str) -> str:
    key = re.sub(r"[\s_-]+", " ", raw.lower().replace(".", "")).strip()
    if key not in _ROLES:
        raise BadCell(f"role {raw!r} is not one of {_ROLE_CODES} (or a title such as RN, NP, MD)")
    return _ROLES[key].value


def languages_cell(raw: str) -> tuple[str, ...]:
    words = [word for word in re.split(r"[;,/\s]+", raw.lower()) if word]
    if unknown := [word for word in words if word not in _LANGUAGES]:
        raise BadCell(f"language {unknown[0]!r} is not en or es (write them like en;es)")
    return tuple(dict.fromkeys(_LANGUAGES[word].value for word in words))


def level_cell(raw: str) -> int:
    levels = ", ".join(f"{level.value} ({level.name.lower()})" for level in Level)
    try:
        return Level(int(raw)).value
    except ValueError:
        raise BadCell(f"level {raw!r} is not one of {levels}") from None


def date_cell(column: str, raw: str) -> date:
    with suppress(ValueError):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw)
    raise BadCell(f"{column} {raw!r} is not a date like 2024-03-31")


def tier_cell(raw: str) -> str:
    try:
        return tier_code(raw)
    except ValueError as exc:
        raise BadCell(str(exc)) from None


def cap_cell(raw: str) -> int:
    with suppress(ValueError):
        if 0 < (hours := float(raw)) <= MAX_CAP_HOURS:  # never true for nan
            return round(hours * 60)
    raise BadCell(f"monthly_cap_hours {raw!r} is not a number of hours above 0, up to 160")


def parse_timezone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a directory
        raise BadCell(f"timezone {raw!r} is not an IANA zone like America/New_York") from None
    return raw


def on_shift_cell(raw: str) -> bool:
    if raw.lower() not in _YES_NO:
        raise BadCell(f"on_shift {raw!r} is not yes, no or blank")
    return _YES_NO[raw.lower()]


def weekday(name: str) -> int:
    """Monday = 0; a day is its name or any start of it from three letters ("Thu", "Thurs")."""
    key = name.lower()
    for day, full in enumerate(_WEEKDAYS):
        if len(key) >= 3 and full.startswith(key):
            return day
    raise BadCell(f"schedule day {name!r} is not a weekday like Mon or Monday")


def clock_time(text: str, *, end: bool = False) -> str:
    hour, minute = (int(part) for part in text.split(":"))
    if end and (hour, minute) == (24, 0):
        return "00:00"  # midnight at the end of the day
    if hour > 23 or minute > 59:
        raise BadCell(f"schedule time {text!r} is not a time from 00:00 to 23:59")
    return f"{hour:02d}:{minute:02d}"
