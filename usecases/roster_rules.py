"""Rules every way onto the roster shares (CLI, console, API): organization names, numbers
nobody may have, and whether an imported roster can ever be offered a call.

Organizations are stored under the name the IVR knows, because the organization rule
compares the supporter's organization with the one the caller's answer was matched to:
"MGH" becomes "Massachusetts General Hospital". A new name that is probably a typo or
another spelling of a known organization ("Brigam and Women's", "Mass General Hosp") is
refused unless confirmed as new: stored as typed, it would never equal the caller's
organization, and a caller could be offered a peer from their own workplace. Names that
differ in a distinguishing word ("St. Mary's North", "St. Mary's South") are different
places and pass (``ivr.lookalikes`` has the rule).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ivr.lookalikes import look_alike
from ivr.organizations import normalize
from storage.repository import Store
from storage.roster import NewSupporter, RosterStore
from storage.roster_csv import Taken
from usecases.ports import PhoneParser

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NEVER_ON_SHIFT = (
    "nobody in this file can ever be on shift: no row has a schedule or on_shift=yes, so no"
    " call will be offered to them until each texts AVAILABLE"
)


class OrganizationNames:
    """Resolves what a row names to the organization's known name (see the module doc)."""

    def __init__(self, store: Store, confirmed_new: Iterable[str] = ()) -> None:
        self._names, self._aliases = store.organizations()
        self._index = {normalize(alias): name for alias, name in self._aliases.items()}
        self._index.update({normalize(name): name for name in self._names})
        self._confirmed = {normalize(name) for name in confirmed_new}

    def __call__(self, name: str) -> str:
        key = normalize(name) or name
        if key in self._index:
            return self._index[key]
        if key not in self._confirmed and (like := look_alike(name, self._names, self._aliases)):
            raise ValueError(
                f"organization {name!r} is new but looks like {like!r}: write {like!r},"
                f' or confirm a different organization with --new-organization "{name}"'
            )
        self._index[key] = name  # the file's later spellings of it get this one
        self._names.append(name)
        return name


def reserved_numbers(hotline_number: str, crisis_number: str, phone: PhoneParser) -> dict[str, str]:
    """Numbers no one on the roster may have: calls to them would loop or mis-route."""
    reserved = {
        phone(crisis_number): "the crisis line's number",
        phone(hotline_number): "the hotline's own number",
    }
    return {number: reason for number, reason in reserved.items() if number}


def supporter_taken(reserved: Mapping[str, str], roster: RosterStore) -> Taken:
    def taken(number: str) -> str | None:
        if number in reserved:
            return reserved[number]
        return "already on the roster" if roster.supporter_by_phone(number) else None

    return taken


def register_organizations(store: Store, people: Iterable[NewSupporter]) -> list[str]:
    """Make every supporter's organization one the IVR knows; returns the new names."""
    return register_organization_names(store, (p.organization for p in people))


def register_organization_names(store: Store, organizations: Iterable[str | None]) -> list[str]:
    known, _aliases = store.organizations()
    names = sorted({name for name in organizations if name})
    for name in names:
        store.add_organization(name, aliases=[])
    return [name for name in names if name not in known]


def can_be_on_shift(person: NewSupporter) -> bool:
    """Whether anything but an AVAILABLE text could ever put them on shift."""
    return person.on_shift is True or (bool(person.schedule) and person.on_shift is None)


def shift_warnings(people: Iterable[NewSupporter]) -> list[str]:
    people = list(people)
    if people and not any(can_be_on_shift(p) for p in people):
        return [NEVER_ON_SHIFT]
    return []


def format_schedule(windows: Iterable[Sequence[Any]]) -> str:
    """``[[0, "09:00", "17:00"]]`` → ``Mon 09:00-17:00`` (the schedule column's own syntax)."""
    return "; ".join(f"{DAY_NAMES[int(day) % 7]} {start}-{end}" for day, start, end in windows)
