"""The demo world ``peerline run`` builds on an empty laptop database, and its sandbox phones."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from matching import Availability, WeeklyWindow
from peerline.settings import Settings
from storage.repository import Store
from storage.roster import RosterStore, SupporterRecord

DEMO_ROSTER = Path(__file__).with_name("demo_roster.csv")
DEMO_CALLER = ("+16175550150", "You (a caller)")
ROLE_WORDS = {  # the role codes, as a person on the softphone page would say them
    "nurse": "nurse",
    "physician": "physician",
    "trainee": "resident or student",
    "app": "advanced practice",
    "allied": "allied health",
    "tech": "nursing assistant or tech",
    "support": "support staff",
    "other": "other role",
    "unspecified": "role not given",
}
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


def sandbox_phones(
    roster: RosterStore, now: datetime | None = None
) -> tuple[tuple[str, str, bool], ...]:
    """The softphone page's phones: a caller, the supporters on shift ``now`` first, the rest,
    the coordinators. The page opens the caller and the first supporter on shift (the one a
    demo call is likely to ring); the third field says so."""
    moment = now or datetime.now(UTC)
    supporters: list[tuple[bool, str, str]] = []
    for person in roster.supporters():
        number = roster.supporter_phone(person.id)
        if number:
            words = ROLE_WORDS.get(person.role, person.role)
            supporters.append(
                (on_shift(person, moment), number, f"{person.name} (supporter, {words})")
            )
    supporters.sort(key=lambda s: not s[0])  # stable: roster order within each group
    phones = [(*DEMO_CALLER, True)]
    phones += [
        (number, label, i == 0 and shift) for i, (shift, number, label) in enumerate(supporters)
    ]
    for coordinator in roster.coordinators():
        number = roster.coordinator_phone(coordinator.id)
        if number:
            phones.append((number, f"{coordinator.name} (coordinator)", False))
    return tuple(phones)


def on_shift(person: SupporterRecord, moment: datetime) -> bool:
    """Whether ``person`` is on shift at ``moment``: active, and their schedule or override
    says so, read as matching reads it."""
    try:
        zone = ZoneInfo(person.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    windows = tuple(
        WeeklyWindow(int(day), time.fromisoformat(start), time.fromisoformat(end))
        for day, start, end in person.schedule
    )
    return person.active and Availability(zone, windows, person.on_shift).available_at(moment)
