"""The demo world ``peerline run`` builds on an empty laptop database, and its sandbox phones."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from peerline.deployment import is_local
from peerline.settings import Settings
from storage.repository import Store
from storage.roster import RosterStore, SupporterRecord
from storage.training import TrainingStore
from usecases.candidates import availability

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
        # The fictional volunteers did their refresher a month ago, so the demo's training
        # is current (docs/training.md) whenever it is seeded.
        refreshed = datetime.now(UTC).date() - timedelta(days=30)
        TrainingStore(store.engine).record_refresher([p.id for p in roster.supporters()], refreshed)
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
    """Whether ``person`` is on shift at ``moment``, as matching reads it."""
    return person.active and availability(person).available_at(moment)


DEMO_ADMIN = ("admin", "peerline-demo")  # only ever set when the public URL is loopback


def seed_console(settings: Settings, store: Store, roster: RosterStore) -> tuple[str, str] | None:
    """A demo admin account (linked to the demo coordinator) when there is no account yet.

    Returns the credentials to print: the fixed demo password on a loopback public URL
    (a laptop), else a random one shown this once. None when accounts already exist and
    the password can't be known, except the loopback demo's own.
    """
    from storage.accounts import AccountStore
    from storage.audit import AuditStore
    from storage.console_sessions import SessionStore
    from usecases.access import Role, cli_actor
    from usecases.accounts import Accounts, NewAccount
    from usecases.audit import AuditTrail

    accounts = AccountStore(store.engine, store.cipher)
    loopback = is_local(settings)
    if accounts.page(1, 0)[1]:
        existing = accounts.by_login(DEMO_ADMIN[0])
        return DEMO_ADMIN if loopback and existing is not None else None
    username, password = DEMO_ADMIN if loopback else (DEMO_ADMIN[0], secrets.token_urlsafe(12))
    coordinators = roster.coordinators()
    use = Accounts(accounts, SessionStore(store.engine), AuditTrail(AuditStore(store.engine)))
    use.create(
        cli_actor("demo"),
        NewAccount(
            username,
            "Demo admin",
            Role.ADMIN,
            password,
            coordinator_id=coordinators[0].id if coordinators else None,
        ),
    )
    return username, password
