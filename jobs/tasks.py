"""RQ job functions. They take ids, never objects, and find their dependencies at run time."""

from __future__ import annotations

from jobs import context


def dispatch(request_id: str) -> None:
    """Find a supporter for a waiting request and ring them."""
    context.current().dispatcher.dispatch(request_id)
