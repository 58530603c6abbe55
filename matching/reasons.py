"""The words behind a match, for the console: how a supporter's organization and hours
stood against the request (``Ranked.reasons`` puts them in order)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ivr.model import OrgPreference

if TYPE_CHECKING:
    from matching.model import Candidate, MatchRequest


def utc_minute(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def organization_reason(c: Candidate, r: MatchRequest) -> str:
    if r.org_preference is not OrgPreference.OUTSIDE:
        same = c.org_key is not None and c.org_key == r.org_key
        return "same organization (caller allowed)" if same else "organization not restricted"
    if r.organization_unknown:
        return "caller gave no organization: not checked"
    if r.org_key is None:
        return "caller's organization not on the roster: not checked"
    return "outside the caller's organization"


def availability_reason(c: Candidate, r: MatchRequest) -> str:
    if c.availability.override:
        return "on shift (override)"
    window = r.needs_window
    return f"on shift in the {window} window" if window else "on shift now"
