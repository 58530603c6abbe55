"""API models for sign-in, accounts, tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from usecases.access import Actor, Role

Limit = Field(50, ge=1, le=200, description="items per page")
Offset = Field(0, ge=0, le=1_000_000, description="items to skip")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageQuery(BaseModel):
    limit: int = Limit
    offset: int = Offset


class PageInfo(BaseModel):
    total: int
    limit: int
    offset: int
    next: str | None = Field(description="the URL of the next page, if there is one")


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=254, description="username or email")
    password: str = Field(min_length=1, max_length=1024)
    code: str | None = Field(
        None, max_length=12, description="the TOTP code, for an admin who set one up"
    )


class Me(BaseModel):
    kind: str = Field(description="account, token or cli")
    id: str
    name: str
    role: Role
    coordinator_id: str | None

    @classmethod
    def of(cls, actor: Actor) -> Me:
        return cls(
            kind=actor.kind,
            id=actor.id,
            name=actor.name,
            role=actor.role,
            coordinator_id=actor.coordinator_id,
        )


class SignedIn(BaseModel):
    me: Me
    csrf_token: str = Field(description="send it as X-CSRF-Token with every unsafe request")
    expires_at: datetime


class AccountOut(BaseModel):
    id: str
    username: str
    email: str | None
    name: str
    role: Role
    coordinator_id: str | None
    second_factor: bool
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, a: Any) -> AccountOut:
        return cls(
            id=a.id,
            username=a.username,
            email=a.email,
            name=a.name,
            role=Role(a.role),
            coordinator_id=a.coordinator_id,
            second_factor=a.totp_enabled,
            active=a.active,
            created_at=a.created_at,
        )


class AccountPage(PageInfo):
    items: list[AccountOut]


class AccountIn(Strict):
    username: str = Field(min_length=2, max_length=120)
    name: str = Field(min_length=1, max_length=120)
    role: Role
    password: str = Field(min_length=10, max_length=1024)
    email: str | None = Field(None, max_length=254)
    coordinator_id: str | None = Field(None, max_length=32)


class AccountPatch(Strict):
    name: str | None = Field(None, min_length=1, max_length=120)
    email: str | None = Field(None, max_length=254, description='"" removes it')
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(None, min_length=10, max_length=1024)


class TokenIn(Strict):
    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    role: Role


class TokenOut(BaseModel):
    id: str
    name: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, t: Any) -> TokenOut:
        return cls(
            id=t.id,
            name=t.name,
            role=Role(t.role),
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            revoked_at=t.revoked_at,
        )


class TokenCreated(TokenOut):
    secret: str = Field(description="the bearer token: shown this once, never again")


class TokenPage(PageInfo):
    items: list[TokenOut]


class AuditQuery(PageQuery):
    action: str | None = Field(
        None, max_length=60, description='an action or its prefix, "supporter."'
    )
    target_id: str | None = Field(None, max_length=64)


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    detail: dict[str, Any]


class AuditPage(PageInfo):
    items: list[AuditOut]
