"""The roster CSV: text in, validated ``NewSupporter`` values out, or every problem at once.

The caller passes the lookups in: ``phone`` gives E.164 or None (``ivr.numbers.to_e164``;
storage may not import the carrier edge), ``taken`` why a number can't be used, and
``organization`` the name the IVR knows for what a row says (raising ValueError when it
can't tell). Rows are spreadsheet rows (header = row 1). See docs/roster.md.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr.model import Language, Role
from matching.model import Level
from matching.training import tier_code
from storage.roster import NewSupporter
from storage.roster_models import DEFAULT_MONTHLY_CAP_MINUTES, DEFAULT_TIMEZONE

REQUIRED = ("name", "phone", "role", "organization", "languages")
OPTIONAL = (
    "level",
    "training_tier",
    "trained_on",
    "refreshed_on",
    "monthly_cap_hours",
    "timezone",
    "schedule",
    "on_shift",
)
MAX_CAP_HOURS = 160  # a full-time month; anything above is a typo

PhoneParser = Callable[[str], str | None]
Taken = Callable[[str], str | None]
Resolver = Callable[[str], str]

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
_WINDOW = re.compile(
    r"(?P<first>[^\W\d_]+)(?:\s*-\s*(?P<last>[^\W\d_]+))?\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})"
)
_YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


class InvalidRoster(ValueError):
    """The input can't be imported; ``errors`` lists every problem, one line each."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


class _Bad(ValueError):
    """One value is wrong; the message says which and how, for a coordinator to read."""


def parse_roster(
    text: str,
    *,
    phone: PhoneParser,
    taken: Taken = lambda _number: None,
    organization: Resolver = lambda name: name,
) -> list[NewSupporter]:
    """Every supporter in ``text``; InvalidRoster with all the problems if any row is bad."""
    records = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    header = _header(records[0] if records else [])
    people: list[NewSupporter] = []
    errors: list[str] = []
    first_row: dict[str, int] = {}
    for number, values in enumerate(records[1:], start=2):
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) > len(header):
            errors.append(
                f"row {number}: {len(values)} values but the header has {len(header)} columns"
                ' (a comma inside a value needs "quotes")'
            )
            continue
        fields = dict(zip(header, values, strict=False))
        person, problems = _supporter(fields, phone, organization)
        if e164 := phone(fields.get("phone", "").strip()):
            if e164 in first_row:
                problems.append(f"phone number repeats row {first_row[e164]}")
            elif reason := taken(e164):
                problems.append(f"phone number is {reason}")
            first_row.setdefault(e164, number)
        errors += [f"row {number}: {problem}" for problem in problems]
        if person is not None and not problems:
            people.append(person)
    if not people and not errors:
        errors.append("no supporters: the file has a header but no rows")
    if errors:
        raise InvalidRoster(errors)
    return people


def parse_supporter(
    fields: Mapping[str, str],
    *,
    phone: PhoneParser,
    taken: Taken = lambda _number: None,
    organization: Resolver = lambda name: name,
) -> NewSupporter:
    """One supporter from named fields (``supporters add``), checked exactly as a CSV row."""
    person, problems = _supporter(fields, phone, organization)
    number = phone((fields.get("phone") or "").strip())
    if number and (reason := taken(number)):
        problems.append(f"phone number is {reason}")
    if person is None or problems:
        raise InvalidRoster(problems)
    return person


def parse_schedule(text: str) -> list[list[Any]]:
    """``Mon 09:00-17:00; Fri-Sun 22:00-06:00`` → ``[[0, "09:00", "17:00"], [4, …], …]``.

    Days are Monday = 0 … Sunday = 6; a range of days repeats the window on each. An end
    at or before the start runs past midnight; ``24:00`` is accepted as an end.
    """
    windows: list[list[Any]] = []
    for entry in (part.strip() for part in text.split(";")):
        if not entry:
            continue
        found = _WINDOW.fullmatch(entry)
        if found is None:
            raise _Bad(f"schedule entry {entry!r} is not like 'Mon 09:00-17:00'")
        first = _day(found["first"])
        last = _day(found["last"]) if found["last"] else first
        start, end = _clock(found["start"]), _clock(found["end"], end=True)
        windows += [[(first + i) % 7, start, end] for i in range((last - first) % 7 + 1)]
    return windows


def _header(cells: Sequence[str]) -> list[str]:
    header = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in cells]
    problems: list[str] = []
    if missing := [column for column in REQUIRED if column not in header]:
        problems.append(
            f"header: missing required column(s) {', '.join(missing)}"
            f" (the first line must name at least {','.join(REQUIRED)})"
        )
    if unknown := [column for column in header if column not in REQUIRED + OPTIONAL]:
        problems.append(
            f"header: unknown column(s) {', '.join(map(repr, unknown))}"
            f" (optional columns are {', '.join(OPTIONAL)})"
        )
    if repeated := sorted({column for column in header if header.count(column) > 1}):
        problems.append(f"header: column(s) {', '.join(repeated)} appear more than once")
    if problems:
        raise InvalidRoster(problems)
    return header


def _supporter(
    fields: Mapping[str, str], phone: PhoneParser, organization: Resolver
) -> tuple[NewSupporter | None, list[str]]:
    values, problems = parse_columns(
        fields, REQUIRED + OPTIONAL, phone=phone, organization=organization
    )
    return (None if problems else NewSupporter(**values)), problems


def parse_columns(
    fields: Mapping[str, str],
    columns: Sequence[str],
    *,
    phone: PhoneParser,
    organization: Resolver = lambda name: name,
) -> tuple[dict[str, Any], list[str]]:
    """Only ``columns`` of ``fields``, checked exactly as in a CSV row (for edits).

    Returns the values keyed by ``NewSupporter`` field (a blank optional column gives its
    default: no schedule, no override, …) and the problems, one line each.
    """
    table: dict[str, tuple[str, Callable[[str], Any], Any]] = {
        "name": ("name", lambda raw: _text("name", raw, 120), None),
        "phone": ("phone", lambda raw: _phone(raw, phone), None),
        "role": ("role", _role, None),
        "organization": (
            "organization",
            lambda raw: organization(_text("organization", raw, 200)),
            None,
        ),
        "languages": ("languages", _languages, ()),
        "level": ("level", _level, None),
        "training_tier": ("training_tier", _tier, None),
        "trained_on": ("trained_on", lambda raw: _date("trained_on", raw), None),
        "refreshed_on": ("refreshed_on", lambda raw: _date("refreshed_on", raw), None),
        "monthly_cap_hours": ("monthly_cap_minutes", _cap, DEFAULT_MONTHLY_CAP_MINUTES),
        "timezone": ("timezone", parse_timezone, DEFAULT_TIMEZONE),
        "schedule": ("schedule", parse_schedule, []),
        "on_shift": ("on_shift", _on_shift, None),
    }
    values: dict[str, Any] = {}
    problems: list[str] = []
    for column in columns:
        field, parse, default = table[column]
        raw = (fields.get(column) or "").strip()
        values[field] = default
        if not raw:
            if column in REQUIRED:
                problems.append(f"{column} is empty")
            continue
        try:
            values[field] = parse(raw)
        except ValueError as exc:  # the parsers' own, and the organization resolver's
            problems.append(str(exc))
    return values, problems


def _text(column: str, raw: str, limit: int) -> str:
    text = " ".join(raw.split())
    if len(text) > limit:
        raise _Bad(f"{column} is longer than {limit} characters")
    return text


def _phone(raw: str, parse: PhoneParser) -> str:
    if number := parse(raw):
        return number
    raise _Bad(f"phone {raw!r} is not a valid number")


def _role(raw: str) -> str:
    key = re.sub(r"[\s_-]+", " ", raw.lower().replace(".", "")).strip()
    if key not in _ROLES:
        raise _Bad(f"role {raw!r} is not one of {_ROLE_CODES} (or a title such as RN, NP, MD)")
    return _ROLES[key].value


def _languages(raw: str) -> tuple[str, ...]:
    words = [word for word in re.split(r"[;,/\s]+", raw.lower()) if word]
    if unknown := [word for word in words if word not in _LANGUAGES]:
        raise _Bad(f"language {unknown[0]!r} is not en or es (write them like en;es)")
    return tuple(dict.fromkeys(_LANGUAGES[word].value for word in words))


def _level(raw: str) -> int:
    levels = ", ".join(f"{level.value} ({level.name.lower()})" for level in Level)
    try:
        return Level(int(raw)).value
    except ValueError:
        raise _Bad(f"level {raw!r} is not one of {levels}") from None


def _date(column: str, raw: str) -> date:
    with suppress(ValueError):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw)
    raise _Bad(f"{column} {raw!r} is not a date like 2024-03-31")


def _tier(raw: str) -> str:
    try:
        return tier_code(raw)
    except ValueError as exc:
        raise _Bad(str(exc)) from None


def _cap(raw: str) -> int:
    with suppress(ValueError):
        if 0 < (hours := float(raw)) <= MAX_CAP_HOURS:  # never true for nan
            return round(hours * 60)
    raise _Bad(f"monthly_cap_hours {raw!r} is not a number of hours above 0, up to 160")


def parse_timezone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a directory
        raise _Bad(f"timezone {raw!r} is not an IANA zone like America/New_York") from None
    return raw


def _on_shift(raw: str) -> bool:
    if raw.lower() not in _YES_NO:
        raise _Bad(f"on_shift {raw!r} is not yes, no or blank")
    return _YES_NO[raw.lower()]


def _day(name: str) -> int:
    """Monday = 0; a day is its name or any start of it from three letters ("Thu", "Thurs")."""
    key = name.lower()
    for day, full in enumerate(_WEEKDAYS):
        if len(key) >= 3 and full.startswith(key):
            return day
    raise _Bad(f"schedule day {name!r} is not a weekday like Mon or Monday")


def _clock(text: str, *, end: bool = False) -> str:
    hour, minute = (int(part) for part in text.split(":"))
    if end and (hour, minute) == (24, 0):
        return "00:00"  # midnight at the end of the day
    if hour > 23 or minute > 59:
        raise _Bad(f"schedule time {text!r} is not a time from 00:00 to 23:59")
    return f"{hour:02d}:{minute:02d}"
