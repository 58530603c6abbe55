"""The words behind a match, for the console: how a supporter's organization and hours
stood against the request (``Ranked.reasons`` puts them in order). Plain values in, so
this module needs nothing of the model's."""

from __future__ import annotations

from datetime import UTC, datetime

from ivr.model import CallbackWindow, OrgPreference


def utc_minute(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def organization_reason(
    preference: OrgPreference, same: bool, caller_unknown: bool, on_roster: bool
) -> str:
    """``same``: the supporter works where the caller does; ``on_roster``: the caller's
    organization is one the roster knows."""
    if preference is not OrgPreference.OUTSIDE:
        return "same organization (caller allowed)" if same else "organization not restricted"
    if caller_unknown:
        return "caller gave no organization: not checked"
    if not on_roster:
        return "caller's organization not on the roster: not checked"
    return "outside the caller's organization"


def availability_reason(override: bool, window: CallbackWindow | None) -> str:
    if override:
        return "on shift (override)"
    return f"on shift in the {window} window" if window else "on shift now"
