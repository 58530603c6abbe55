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
from typing import Any

from storage.roster import NewSupporter
from storage.roster_cells import (
    BadCell,
    cap_cell,
    clock_time,
    date_cell,
    languages_cell,
    level_cell,
    on_shift_cell,
    parse_timezone,
    phone_cell,
    role_cell,
    text_cell,
    tier_cell,
    weekday,
)
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

PhoneParser = Callable[[str], str | None]
Taken = Callable[[str], str | None]
Resolver = Callable[[str], str]

_WINDOW = re.compile(
    r"(?P<first>[^\W\d_]+)(?:\s*-\s*(?P<last>[^\W\d_]+))?\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})"
)


class InvalidRoster(ValueError):
    """The input can't be imported; ``errors`` lists every problem, one line each."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


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
            raise BadCell(f"schedule entry {entry!r} is not like 'Mon 09:00-17:00'")
        first = weekday(found["first"])
        last = weekday(found["last"]) if found["last"] else first
        start, end = clock_time(found["start"]), clock_time(found["end"], end=True)
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
        "name": ("name", lambda raw: text_cell("name", raw, 120), None),
        "phone": ("phone", lambda raw: phone_cell(raw, phone), None),
        "role": ("role", role_cell, None),
        "organization": (
            "organization",
            lambda raw: organization(text_cell("organization", raw, 200)),
            None,
        ),
        "languages": ("languages", languages_cell, ()),
        "level": ("level", level_cell, None),
        "training_tier": ("training_tier", tier_cell, None),
        "trained_on": ("trained_on", lambda raw: date_cell("trained_on", raw), None),
        "refreshed_on": ("refreshed_on", lambda raw: date_cell("refreshed_on", raw), None),
        "monthly_cap_hours": ("monthly_cap_minutes", cap_cell, DEFAULT_MONTHLY_CAP_MINUTES),
        "timezone": ("timezone", parse_timezone, DEFAULT_TIMEZONE),
        "schedule": ("schedule", parse_schedule, []),
        "on_shift": ("on_shift", on_shift_cell, None),
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
