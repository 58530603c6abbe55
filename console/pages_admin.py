"""Admin pages: coordinators (on-call hours, paging order), accounts, tokens, the audit log,
and an admin's own second factor."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from console.auth import Caller, services
from console.pages_roster import _by_day
from console.views import back, form_text, page, render
from usecases.access import Role
from usecases.accounts import AccountChanges, NewAccount
from usecases.errors import Conflict, Invalid
from usecases.roster_rules import DAY_NAMES


def _note(request: Request) -> str:
    return request.query_params.get("note", "")


@page
async def coordinators(request: Request, who: Caller) -> Response:
    console, errors = services(request), []
    if request.method == "POST":
        form = await request.form()
        fields = {"name": form_text(form, "name"), "phone": form_text(form, "phone")}
        try:
            await run_in_threadpool(console.coordinators.create, who.actor, fields)
            return back(request, "coordinators", "Coordinator added.")
        except (Invalid, Conflict) as exc:
            errors = exc.errors if isinstance(exc, Invalid) else [str(exc)]
    views = await run_in_threadpool(console.coordinators.list_all, who.actor)
    return render(
        request,
        "coordinators.html",
        who,
        views=views,
        errors=errors,
        note=_note(request),
    )


@page
async def coordinator(request: Request, who: Caller) -> Response:
    console, coordinator_id = services(request), request.path_params["coordinator_id"]
    errors: list[str] = []
    if request.method == "POST":
        form = await request.form()
        windows = [
            f"{label} {w.strip()}"
            for day, label in enumerate(DAY_NAMES)
            for w in form_text(form, f"day{day}").split(",")
            if w.strip()
        ]
        changes: dict[str, Any] = {
            "name": form_text(form, "name"),
            "timezone": form_text(form, "timezone"),
            "on_call": "; ".join(windows),
            "active": form.get("active") == "yes",
        }
        try:
            changes["backup_order"] = int(form_text(form, "backup_order"))
        except ValueError:
            errors.append("paging order must be a whole number, 0 or more")
        if not errors:
            try:
                await run_in_threadpool(
                    console.coordinators.update, who.actor, coordinator_id, changes
                )
                return back(request, "coordinator", "Saved.", coordinator_id=coordinator_id)
            except Invalid as exc:
                errors = exc.errors
    view = await run_in_threadpool(console.coordinators.get, who.actor, coordinator_id)
    return render(
        request,
        "coordinator.html",
        who,
        view=view,
        errors=errors,
        days=DAY_NAMES,
        by_day=_by_day(view.record.on_call),
        note=_note(request),
    )


@page
async def accounts(request: Request, who: Caller) -> Response:
    console, errors = services(request), []
    if request.method == "POST":
        form = await request.form()
        new = NewAccount(
            username=form_text(form, "username"),
            name=form_text(form, "name"),
            role=Role.ADMIN if form.get("role") == "admin" else Role.COORDINATOR,
            password=str(form.get("password") or ""),
            email=form_text(form, "email") or None,
        )
        try:
            await run_in_threadpool(console.accounts.create, who.actor, new)
            return back(request, "accounts", f"Account {new.username} added.")
        except (Invalid, Conflict) as exc:
            errors = exc.errors if isinstance(exc, Invalid) else [str(exc)]
    found = await run_in_threadpool(console.accounts.page, who.actor, 200, 0)
    return render(
        request,
        "accounts.html",
        who,
        page=found,
        errors=errors,
        note=_note(request),
    )


@page
async def account(request: Request, who: Caller) -> Response:
    """Deactivate or reactivate, change role, set a new password, remove a second factor."""
    form = await request.form()
    console, account_id = services(request), request.path_params["account_id"]
    action = form.get("action")
    if action == "remove_second_factor":
        await run_in_threadpool(console.accounts.remove_second_factor, who.actor, account_id)
        return back(request, "accounts", "Second factor removed.")
    changes = AccountChanges(
        active=None if action not in ("deactivate", "activate") else action == "activate",
        role=Role(str(form["role"])) if action == "role" else None,
        password=str(form.get("password") or "") if action == "password" else None,
    )
    try:
        await run_in_threadpool(console.accounts.update, who.actor, account_id, changes)
    except (Invalid, Conflict) as exc:
        return back(request, "accounts", str(exc))
    return back(request, "accounts", "Saved.")


@page
async def tokens(request: Request, who: Caller) -> Response:
    console, secret, errors = services(request), None, []
    if request.method == "POST":
        form = await request.form()
        role = Role.ADMIN if form.get("role") == "admin" else Role.COORDINATOR
        try:
            _record, secret = await run_in_threadpool(
                console.tokens.create, who.actor, form_text(form, "name"), role
            )
        except (Invalid, Conflict) as exc:
            errors = exc.errors if isinstance(exc, Invalid) else [str(exc)]
    listed = await run_in_threadpool(console.tokens.list_all, who.actor)
    return render(
        request,
        "tokens.html",
        who,
        tokens=listed,
        secret=secret,
        errors=errors,
        note=_note(request),
    )


@page
async def revoke_token(request: Request, who: Caller) -> Response:
    name = request.path_params["name"]
    await run_in_threadpool(services(request).tokens.revoke, who.actor, name)
    return back(request, "tokens", f"Token {name} revoked.")


@page
async def audit(request: Request, who: Caller) -> Response:
    try:
        offset = max(0, int(request.query_params.get("offset", "0")))
    except ValueError:
        offset = 0
    action = request.query_params.get("action") or None
    found = await run_in_threadpool(
        services(request).audit.page, who.actor, 50, offset, action=action
    )
    return render(request, "audit.html", who, page=found, action=action or "")


@page
async def security(request: Request, who: Caller) -> Response:
    console, errors = services(request), []
    if request.method == "POST":
        form = await request.form()
        secret = form_text(form, "secret")
        try:
            await run_in_threadpool(
                console.accounts.confirm_second_factor, who.actor, secret, form_text(form, "code")
            )
            return back(request, "security", "Second factor on: you'll be asked for a code.")
        except Invalid as exc:
            errors = exc.errors
    me = await run_in_threadpool(console.accounts.get, who.actor, who.actor.id)
    enrolment = None
    if not me.totp_enabled and who.actor.is_admin:
        enrolment = await run_in_threadpool(console.accounts.begin_second_factor, who.actor)
    return render(
        request,
        "security.html",
        who,
        account=me,
        enrolment=enrolment,
        errors=errors,
        note=_note(request),
    )
