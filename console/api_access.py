"""Endpoints: sign in and out, who am I, accounts, tokens, the audit log."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from console.api import Call, Operation
from console.auth import clear_session_cookie, client_address, set_session_cookie
from console.problems import ProblemError
from console.schemas_access import (
    AccountIn,
    AccountOut,
    AccountPage,
    AccountPatch,
    AuditOut,
    AuditPage,
    AuditQuery,
    LoginIn,
    Me,
    PageQuery,
    SignedIn,
    TokenCreated,
    TokenIn,
    TokenOut,
    TokenPage,
)
from usecases.access import Role
from usecases.accounts import AccountChanges, NewAccount


def page_info(call: Call, total: int, limit: int, offset: int, count: int) -> dict[str, Any]:
    following = offset + count
    more = count and following < total
    url = str(call.request.url.include_query_params(offset=following)) if more else None
    return {"total": total, "limit": limit, "offset": offset, "next": url}


def _login(call: Call) -> Response:
    body: LoginIn = call.body
    grant = call.console.signin.login(
        body.username, body.password, client_address(call.request), body.code
    )
    if grant.second_factor_due:
        call.console.signin.logout(grant.token)  # the API takes the code in the same call
        raise ProblemError(
            401,
            "this account needs its authenticator code: send it as code",
            kind="second-factor-required",
        )
    signed = call.console.signin.session(grant.token)
    assert signed is not None
    out = SignedIn(me=Me.of(signed.actor), csrf_token=grant.csrf_token, expires_at=grant.expires_at)
    response = JSONResponse(out.model_dump(mode="json"))
    set_session_cookie(response, call.request, grant)
    return response


def _logout(call: Call) -> Response:
    cookie = call.request.cookies.get(call.console.config.session_cookie)
    if cookie and call.caller and call.caller.csrf_token is not None:
        call.console.signin.logout(cookie)
    response = Response(status_code=204)
    clear_session_cookie(response, call.request)
    return response


def _me(call: Call) -> Me:
    return Me.of(call.actor)


def _accounts(call: Call) -> AccountPage:
    q: PageQuery = call.query
    page = call.console.accounts.page(call.actor, q.limit, q.offset)
    items = [AccountOut.of(a) for a in page.items]
    return AccountPage(
        items=items, **page_info(call, page.total, page.limit, page.offset, len(items))
    )


def _create_account(call: Call) -> AccountOut:
    b: AccountIn = call.body
    new = NewAccount(b.username, b.name, b.role, b.password, b.email, b.coordinator_id)
    return AccountOut.of(call.console.accounts.create(call.actor, new))


def _account(call: Call) -> AccountOut:
    return AccountOut.of(call.console.accounts.get(call.actor, call.params["account_id"]))


def _update_account(call: Call) -> AccountOut:
    b: AccountPatch = call.body
    changes = AccountChanges(b.name, b.email, b.role, b.active, b.password)
    return AccountOut.of(
        call.console.accounts.update(call.actor, call.params["account_id"], changes)
    )


def _tokens(call: Call) -> TokenPage:
    q: PageQuery = call.query
    everything = call.console.tokens.list_all(call.actor)
    items = [TokenOut.of(t) for t in everything[q.offset : q.offset + q.limit]]
    return TokenPage(items=items, **page_info(call, len(everything), q.limit, q.offset, len(items)))


def _create_token(call: Call) -> TokenCreated:
    b: TokenIn = call.body
    record, secret = call.console.tokens.create(call.actor, b.name, b.role)
    return TokenCreated(**TokenOut.of(record).model_dump(), secret=secret)


def _revoke_token(call: Call) -> None:
    call.console.tokens.revoke(call.actor, call.params["name"])


def _audit(call: Call) -> AuditPage:
    q: AuditQuery = call.query
    page = call.console.audit.page(
        call.actor, q.limit, q.offset, action=q.action, target_id=q.target_id
    )
    items = [AuditOut(**vars(e)) for e in page.items]
    return AuditPage(
        items=items, **page_info(call, page.total, page.limit, page.offset, len(items))
    )


ADMIN = Role.ADMIN
OPERATIONS = [
    Operation(
        "POST",
        "/auth/login",
        _login,
        "Sign in: sets the session cookie",
        "auth",
        role=None,
        body=LoginIn,
        response=SignedIn,
        errors=(401, 429),
        description="Answers with the CSRF token to send as X-CSRF-Token on unsafe requests.",
    ),
    Operation("POST", "/auth/logout", _logout, "Sign out: ends the session", "auth"),
    Operation(
        "GET", "/auth/me", _me, "Who is signed in (or whose token this is)", "auth", response=Me
    ),
    Operation(
        "GET",
        "/accounts",
        _accounts,
        "Console accounts",
        "accounts",
        role=ADMIN,
        query=PageQuery,
        response=AccountPage,
    ),
    Operation(
        "POST",
        "/accounts",
        _create_account,
        "Add a console account",
        "accounts",
        role=ADMIN,
        body=AccountIn,
        response=AccountOut,
        status=201,
        errors=(409,),
    ),
    Operation(
        "GET",
        "/accounts/{account_id}",
        _account,
        "One account",
        "accounts",
        role=ADMIN,
        response=AccountOut,
    ),
    Operation(
        "PATCH",
        "/accounts/{account_id}",
        _update_account,
        "Change an account (deactivating or a new password signs it out)",
        "accounts",
        role=ADMIN,
        body=AccountPatch,
        response=AccountOut,
        errors=(409,),
    ),
    Operation(
        "GET",
        "/tokens",
        _tokens,
        "API tokens (never their secrets)",
        "tokens",
        role=ADMIN,
        query=PageQuery,
        response=TokenPage,
    ),
    Operation(
        "POST",
        "/tokens",
        _create_token,
        "Create an API token: its secret is shown once",
        "tokens",
        role=ADMIN,
        body=TokenIn,
        response=TokenCreated,
        status=201,
        errors=(409,),
    ),
    Operation(
        "DELETE",
        "/tokens/{name}",
        _revoke_token,
        "Revoke an API token",
        "tokens",
        role=ADMIN,
        status=204,
    ),
    Operation(
        "GET",
        "/audit",
        _audit,
        "The audit log, newest first",
        "audit",
        role=ADMIN,
        query=AuditQuery,
        response=AuditPage,
    ),
]
