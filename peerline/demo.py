"""The demo roster ``peerline run`` seeds into an empty laptop database."""

from __future__ import annotations

from storage.repository import Store

DEMO_ORGANIZATIONS: dict[str, list[str]] = {
    "Massachusetts General Hospital": ["MGH", "Mass General"],
    "Brigham and Women's Hospital": ["BWH", "The Brigham"],
    "Boston Medical Center": ["BMC"],
    "Beth Israel Deaconess Medical Center": ["BIDMC", "Beth Israel"],
    "Tufts Medical Center": ["Tufts"],
}


def seed(store: Store) -> None:
    """Add the demo organizations (idempotent: aliases merge, nothing duplicates)."""
    names, _aliases = store.organizations()
    if names:
        return
    for name, aliases in DEMO_ORGANIZATIONS.items():
        store.add_organization(name, aliases)
