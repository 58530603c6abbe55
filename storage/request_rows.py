"""Reading a help-request row into its plain record.

Invariant: every enum column is read back strictly; an unknown stored value is an error,
never a default.
"""

from __future__ import annotations

from ivr.model import CallbackWindow, Channel, ContactMode, Language, OrgPreference, Role, Urgency
from storage.models import DispatchState, HelpRequest, RequestStatus
from storage.records import RequestRecord


def request_record(row: HelpRequest) -> RequestRecord:
    """The row as a record; an unknown stored value is an error, never a default."""
    return RequestRecord(
        id=row.id,
        ticket=row.ticket,
        status=RequestStatus(row.status),
        channel=Channel(row.channel),
        role=Role(row.role),
        urgency=Urgency(row.urgency),
        language=Language(row.language),
        org_preference=OrgPreference(row.org_preference) if row.org_preference else None,
        organization=row.organization,
        organization_unknown=row.organization_unknown,
        contact_mode=ContactMode(row.contact_mode),
        callback_window=CallbackWindow(row.callback_window) if row.callback_window else None,
        dispatch_state=DispatchState(row.dispatch_state),
        dispatch_attempts=row.dispatch_attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
        supporter_id=row.supporter_id,
        previous_supporter_id=row.previous_supporter_id,
        callback_attempts=row.callback_attempts or 0,
        escalation_level=row.escalation_level or 0,
        acked_at=row.acked_at,
        source_sid=row.source_sid,
        other_role_ok=row.other_role_ok,
        other_language_ok=row.other_language_ok,
        consent_asked=row.consent_asked,
        follow_up_ok=row.follow_up_ok,
        episode_id=row.episode_id,
        session_no=row.session_no or 1,
        closed_at=row.closed_at,
    )
