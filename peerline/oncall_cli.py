"""``peerline coordinators set``: a coordinator's on-call hours, paging order and time zone
from a terminal, through the same use case (and the same checks and audit) as the console.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from peerline import bootstrap
from peerline.settings import Settings
from usecases.access import cli_actor
from usecases.errors import UseCaseError


def set_coordinator(
    settings: Settings,
    who: str,
    on_call: str | None,
    backup_order: int | None,
    timezone: str | None,
) -> int:
    """Change what was given for the coordinator named (or with the id) ``who``.
    ``on_call`` "" means always on call."""
    changes: dict[str, Any] = {}
    if on_call is not None:
        changes["on_call"] = on_call
    if backup_order is not None:
        changes["backup_order"] = backup_order
    if timezone is not None:
        changes["timezone"] = timezone
    if not changes:
        print(
            "peerline: nothing to change: give --on-call, --always, --backup-order or --timezone",
            file=sys.stderr,
        )
        return 1
    actor = cli_actor(os.environ.get("USER", ""))
    store = bootstrap.store(settings)
    try:
        use = bootstrap.coordinators(settings, store)
        people = use.list_all(actor)
        wanted = " ".join(who.split()).casefold()
        found = [v for v in people if wanted in (v.record.id, v.record.name.casefold())]
        if len(found) != 1:
            names = ", ".join(v.record.name for v in people) or "none yet"
            print(
                f"peerline: no single coordinator {who!r} (coordinators: {names})", file=sys.stderr
            )
            return 1
        view = use.update(actor, found[0].record.id, changes)
    except UseCaseError as exc:
        errors = getattr(exc, "errors", None) or [str(exc)]
        print("peerline: nothing changed:", *errors, sep="\n  ", file=sys.stderr)
        return 1
    finally:
        store.engine.dispose()
    record = view.record
    hours = view.on_call_text or "always"
    print(f"{record.name}: on call {hours} ({record.timezone}); backup order {record.backup_order}")
    return 0
