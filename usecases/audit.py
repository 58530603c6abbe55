"""The audit trail: every change and every read of a phone number, who, what, when, which.

An entry names records by id and never holds a phone number: ``write`` drops any detail
value that looks like one, whatever the caller passed.
"""

from __future__ import annotations

import re
from typing import Any

from storage.audit import AuditRecord, AuditStore
from usecases.access import Actor, Role
from usecases.paging import Page, bounded

_NUMBERISH = re.compile(r"\+?\d[\d\s().-]{5,}\d")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class AuditTrail:
    def __init__(self, store: AuditStore) -> None:
        self.store = store

    def write(
        self,
        actor: Actor | str,
        action: str,
        target_type: str | None = None,
        target_id: str | None = None,
        **detail: Any,
    ) -> None:
        label = actor.label if isinstance(actor, Actor) else actor
        self.store.append(label, action, target_type, target_id, _scrubbed(detail))

    def page(
        self,
        actor: Actor,
        limit: int = 50,
        offset: int = 0,
        *,
        action: str | None = None,
        target_id: str | None = None,
    ) -> Page[AuditRecord]:
        actor.require(Role.ADMIN)
        limit, offset = bounded(limit, offset)
        items, total = self.store.page(limit, offset, action=action, target_id=target_id)
        return Page(items, total, limit, offset)


def _scrubbed(detail: dict[str, Any]) -> dict[str, Any]:
    def clean(value: Any) -> Any:
        if isinstance(value, str) and _has_number(value):
            return "[removed]"
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    return {key: clean(value) for key, value in detail.items()}


def _has_number(text: str) -> bool:
    """Seven digits or more in a run such as +1 (617) 555-0101; ISO dates are not numbers."""
    for run in _NUMBERISH.findall(text):
        digits = sum(ch.isdigit() for ch in run)
        if digits >= 7 and not _DATE.fullmatch(run.strip()):
            return True
    return False
