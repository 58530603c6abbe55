"""The demo world ``peerline run`` builds on an empty laptop database, and its sandbox phones."""

from __future__ import annotations

from pathlib import Path

from peerline.settings import Settings
from storage.repository import Store
from storage.roster import RosterStore

DEMO_ROSTER = Path(__file__).with_name("demo_roster.csv")
DEMO_CALLER = ("+16175550150", "You (a caller)")
DEMO_COORDINATOR = ("Coordinator on call", "+16175550120")
DEMO_ORGANIZATIONS: dict[str, list[str]] = {
    "Massachusetts General Hospital": ["MGH", "Mass General"],
    "Brigham and Women's Hospital": ["BWH", "The Brigham"],
    "Boston Medical Center": ["BMC"],
    "Beth Israel Deaconess Medical Center": ["BIDMC", "Beth Israel"],
    "Tufts Medical Center": ["Tufts"],
}


def seed(settings: Settings, store: Store, roster: RosterStore) -> None:
    """Organizations, the demo roster and a coordinator, each only if there are none yet."""
    from peerline.roster_cli import import_supporters  # the CLI's validated import path

    names, _aliases = store.organizations()
    if not names:
        for name, aliases in DEMO_ORGANIZATIONS.items():
            store.add_organization(name, aliases)
    if not roster.supporters():
        import_supporters(settings, DEMO_ROSTER)
    if not roster.coordinators():
        roster.add_coordinator(DEMO_COORDINATOR[0], DEMO_COORDINATOR[1])


def sandbox_phones(roster: RosterStore) -> tuple[tuple[str, str], ...]:
    """The softphone page's phones: a caller, every supporter, the coordinators."""
    phones = [DEMO_CALLER]
    for person in roster.supporters():
        number = roster.supporter_phone(person.id)
        if number:
            phones.append((number, f"{person.name} (supporter, {person.role})"))
    for coordinator in roster.coordinators():
        number = roster.coordinator_phone(coordinator.id)
        if number:
            phones.append((number, f"{coordinator.name} (coordinator)"))
    return tuple(phones)
