"""Who is acting, and what their role allows.

Roles: ``coordinator`` runs the board (read it, ACK) and reads the roster; ``admin`` also
edits the roster and coordinators, manages accounts and tokens, and reads the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from usecases.errors import Forbidden


class Role(StrEnum):
    COORDINATOR = "coordinator"
    ADMIN = "admin"


_RANK = {Role.COORDINATOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Actor:
    """A signed-in account, an API token or the command line. ``label`` goes in the audit log."""

    kind: str  # "account", "token" or "cli"
    id: str
    name: str
    role: Role
    coordinator_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def require(self, role: Role) -> None:
        if _RANK[self.role] < _RANK[role]:
            raise Forbidden(f"this needs the {role} role")


def cli_actor(user: str) -> Actor:
    """The operator at the command line (who can already read the database)."""
    return Actor("cli", "cli", user or "operator", Role.ADMIN)
