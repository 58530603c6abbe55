"""``peerline supporters …`` and ``peerline coordinators …``: the roster from a terminal.

Output never shows a phone number: numbers go in, names, roles and states come out.
Every command returns its exit status: 0 done, 1 nothing changed (the reasons on stderr).

The rules shared with the console (organization names, reserved numbers) live in
``usecases.roster_rules``; a name that looks like a known organization is confirmed as new
with ``--new-organization``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError, ProgrammingError

from ivr.numbers import to_e164
from peerline.bootstrap import cipher_for
from peerline.settings import Settings
from storage.engine import make_engine
from storage.repository import Store
from storage.roster import DuplicatePhone, RosterStore, SupporterRecord
from storage.roster_cells import parse_timezone
from storage.roster_csv import InvalidRoster, Taken, parse_roster, parse_supporter
from storage.roster_models import DEFAULT_TIMEZONE
from usecases.candidates import availability, month_key
from usecases.roster_rules import (
    OrganizationNames,
    format_schedule,
    register_organizations,
    reserved_numbers,
    shift_warnings,
    supporter_taken,
)

Command = Callable[[Store, RosterStore], int]


def import_supporters(settings: Settings, path: Path, new_organizations: Sequence[str] = ()) -> int:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return _fail(f"{path}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return _fail(f"{path}: not UTF-8 text (from a spreadsheet, save as 'CSV UTF-8')")

    def run(store: Store, roster: RosterStore) -> int:
        try:
            people = parse_roster(
                text,
                phone=to_e164,
                taken=_supporter_taken(settings, roster),
                organization=OrganizationNames(store, new_organizations),
            )
        except InvalidRoster as exc:
            return _fail(f"{path}: nothing imported; fix these and run it again:", exc.errors)
        # Organizations first: one without supporters is harmless, supporters whose
        # organization callers can't name are not.
        new = register_organizations(store, people)
        try:
            roster.add_supporters(people)
        except DuplicatePhone:  # someone added one of these numbers since the check above
            return _fail(f"{path}: nothing imported: a number was added meanwhile; run it again")
        print(f"imported {len(people)} supporters from {path}")
        if new:
            print(f"new organizations (callers can now name them): {', '.join(new)}")
        for warning in shift_warnings(people):
            print(f"warning: {warning}", file=sys.stderr)
        return 0

    return _with_roster(settings, run)


def add_supporter(
    settings: Settings, fields: dict[str, str], new_organizations: Sequence[str] = ()
) -> int:
    def run(store: Store, roster: RosterStore) -> int:
        try:
            person = parse_supporter(
                fields,
                phone=to_e164,
                taken=_supporter_taken(settings, roster),
                organization=OrganizationNames(store, new_organizations),
            )
        except InvalidRoster as exc:
            return _fail("supporter not added:", exc.errors)
        register_organizations(store, [person])
        try:
            roster.add_supporters([person])
        except DuplicatePhone:
            return _fail("supporter not added: phone number is already on the roster")
        print(f"added {person.name} ({person.role}, {person.organization})")
        return 0

    return _with_roster(settings, run)


def list_supporters(settings: Settings) -> int:
    def run(store: Store, roster: RosterStore) -> int:
        people = roster.supporters()
        if not people:
            print("no supporters yet: add them with `peerline supporters import FILE.csv`")
            return 0
        now = datetime.now(UTC)
        rows = [_supporter_row(person, now) for person in people]
        header = ("NAME", "ROLE", "ORGANIZATION", "LANGUAGES", "ON SHIFT", "MINUTES/CAP", "STATUS")
        _table(header, rows)
        on_shift = sum(row[4].startswith("yes") for row in rows)
        print(f"\n{len(people)} supporters, {on_shift} on shift now")
        return 0

    return _with_roster(settings, run)


def add_coordinator(
    settings: Settings,
    name: str,
    phone: str,
    backup_order: int | None = None,
    timezone: str | None = None,
) -> int:
    problems: list[str] = []
    name = " ".join(name.split())
    if not name or len(name) > 120:
        problems.append("name must be 1 to 120 characters")
    number = to_e164(phone)
    if number is None:
        problems.append(f"phone {phone!r} is not a valid number")
    if backup_order is not None and backup_order < 0:
        problems.append("backup order must be 0 or more (0 is paged first)")
    zone = timezone or DEFAULT_TIMEZONE
    try:
        parse_timezone(zone)
    except ValueError as exc:
        problems.append(str(exc))
    if number is None or problems:
        return _fail("coordinator not added:", problems)
    e164: str = number

    def run(store: Store, roster: RosterStore) -> int:
        if reason := _reserved(settings).get(e164):
            return _fail(f"coordinator not added: phone number is {reason}")
        order = backup_order
        if order is None:  # next in the paging order
            order = max((c.backup_order + 1 for c in roster.coordinators()), default=0)
        try:
            roster.add_coordinator(name, e164, backup_order=order, timezone=zone)
        except DuplicatePhone:
            return _fail("coordinator not added: phone number is already a coordinator")
        print(f"added coordinator {name} (backup order {order}: lower is paged first)")
        return 0

    return _with_roster(settings, run)


def list_coordinators(settings: Settings) -> int:
    def run(store: Store, roster: RosterStore) -> int:
        people = roster.coordinators()
        if not people:
            print("no coordinators yet: add one with `peerline coordinators add`")
            return 0
        rows = [
            (str(c.backup_order), c.name, c.timezone, format_schedule(c.on_call) or "always")
            for c in people
        ]
        _table(("ORDER", "NAME", "TIMEZONE", "ON CALL"), rows)
        return 0

    return _with_roster(settings, run)


# -- helpers ---------------------------------------------------------------------------
def _with_roster(settings: Settings, command: Command) -> int:
    engine = make_engine(settings.database_url)
    try:
        cipher = cipher_for(settings)
        return command(Store(engine, cipher), RosterStore(engine, cipher))
    except (OperationalError, ProgrammingError) as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        return _fail(f"database error: {reason} (has `peerline db upgrade` been run?)")
    finally:
        engine.dispose()


def _reserved(settings: Settings) -> dict[str, str]:
    return reserved_numbers(settings.hotline_number, settings.crisis_number, to_e164)


def _supporter_taken(settings: Settings, roster: RosterStore) -> Taken:
    return supporter_taken(_reserved(settings), roster)


def _supporter_row(person: SupporterRecord, now: datetime) -> tuple[str, ...]:
    if person.on_shift is not None:
        shift = "yes (AVAILABLE)" if person.on_shift else "no (AWAY)"
    elif not person.schedule:
        shift = "no (no schedule)"
    else:
        shift = "yes" if availability(person).available_at(now) else "no"
        shift += " (schedule)"
    used = person.minutes_in(month_key(now))
    status = [
        label
        for label, flag in (
            ("inactive", not person.active),
            ("untrained", not person.trained),
            ("bad number", person.bad_number),
            ("busy", person.busy),
            ("cool-off", person.cool_off_until is not None and person.cool_off_until > now),
            ("at cap", used >= person.monthly_cap_minutes),
        )
        if flag
    ]
    return (
        person.name,
        person.role,
        person.organization or "-",
        ";".join(person.languages),
        shift,
        f"{used}/{person.monthly_cap_minutes}",
        ", ".join(status) or "active",
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _fail(message: str, details: Iterable[str] = ()) -> int:
    print(f"peerline: {message}", file=sys.stderr)
    for line in details:
        print(f"  {line}", file=sys.stderr)
    return 1
