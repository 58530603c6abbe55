"""Roster pages: supporters (search, add, edit with a weekly schedule, remove, number,
export) and the CSV import with its preview."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from console.auth import Caller, services
from console.views import back, form_text, page, render
from ivr.model import Language, Role
from usecases.access import Role as AccessRole
from usecases.errors import Invalid
from usecases.roster_rules import DAY_NAMES

ROLES = [r.value for r in Role if r is not Role.UNSPECIFIED]
LANGUAGES = [language.value for language in Language]
PAGE_SIZE = 25


def _choices() -> dict[str, Any]:
    return {"roles": ROLES, "languages": LANGUAGES, "days": DAY_NAMES}


@page
async def supporters(request: Request, who: Caller) -> Response:
    q = request.query_params.get("q", "")
    try:
        offset = max(0, int(request.query_params.get("offset", "0")))
    except ValueError:
        offset = 0
    found = await run_in_threadpool(
        services(request).supporters.page, who.actor, q, None, PAGE_SIZE, offset
    )
    return render(
        request, "supporters.html", who, page=found, q=q, note=request.query_params.get("note", "")
    )


@page
async def supporter(request: Request, who: Caller) -> Response:
    console, supporter_id = services(request), request.path_params["supporter_id"]
    errors: list[str] = []
    if request.method == "POST":
        form = await request.form()
        try:
            await run_in_threadpool(
                console.supporters.update,
                who.actor,
                supporter_id,
                _changes(form),
                form.get("new_organization") == "yes",
            )
            return back(request, "supporter", "Saved.", supporter_id=supporter_id)
        except Invalid as exc:
            errors = exc.errors
    view = await run_in_threadpool(console.supporters.get, who.actor, supporter_id)
    return render(
        request,
        "supporter.html",
        who,
        view=view,
        errors=errors,
        by_day=_by_day(view.record.schedule),
        note=request.query_params.get("note", ""),
        **_choices(),
    )


@page
async def new_supporter(request: Request, who: Caller) -> Response:
    errors: list[str] = []
    values: dict[str, Any] = {}
    if request.method == "POST":
        form = await request.form()
        values = {**_changes(form), "phone": form_text(form, "phone")}
        try:
            view = await run_in_threadpool(
                services(request).supporters.create,
                who.actor,
                values,
                form.get("new_organization") == "yes",
            )
            return back(request, "supporter", "Added.", supporter_id=view.record.id)
        except Invalid as exc:
            errors = exc.errors
    return render(
        request,
        "supporter_new.html",
        who,
        errors=errors,
        values=values,
        **_choices(),
    )


@page
async def remove_supporter(request: Request, who: Caller) -> Response:
    await run_in_threadpool(
        services(request).supporters.remove, who.actor, request.path_params["supporter_id"]
    )
    return back(request, "supporters", "Removed, with their personal data.")


@page
async def supporter_phone(request: Request, who: Caller) -> Response:
    console, supporter_id = services(request), request.path_params["supporter_id"]
    number = await run_in_threadpool(console.supporters.phone_number, who.actor, supporter_id)
    view = await run_in_threadpool(console.supporters.get, who.actor, supporter_id)
    return render(
        request,
        "supporter.html",
        who,
        view=view,
        errors=[],
        phone=number,
        by_day=_by_day(view.record.schedule),
        note="",
        **_choices(),
    )


@page
async def export(request: Request, who: Caller) -> Response:
    numbers = request.query_params.get("numbers") == "yes"
    text = await run_in_threadpool(services(request).supporters.export, who.actor, numbers)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="roster.csv"'},
    )


@page
async def roster_import(request: Request, who: Caller) -> Response:
    console = services(request)
    if request.method == "GET":
        who.actor.require(AccessRole.ADMIN)
        return render(request, "import.html", who, preview=None, text="", new="", done=None)
    form = await request.form()
    text = await _upload(form)
    new = [n.strip() for n in form_text(form, "new_organizations").split(";") if n.strip()]
    if form.get("action") == "commit":
        try:
            done = await run_in_threadpool(console.roster_import.commit, who.actor, text, new)
        except Invalid as exc:
            preview = await run_in_threadpool(console.roster_import.preview, who.actor, text, new)
            return render(
                request,
                "import.html",
                who,
                preview=preview,
                text=text,
                new="; ".join(new),
                done=None,
                commit_errors=exc.errors,
            )
        return render(request, "import.html", who, preview=None, text="", new="", done=done)
    preview = await run_in_threadpool(console.roster_import.preview, who.actor, text, new)
    return render(
        request,
        "import.html",
        who,
        preview=preview,
        text=text,
        new="; ".join(new),
        done=None,
    )


async def _upload(form: FormData) -> str:
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid(
                ["the file is not UTF-8 text (from a spreadsheet, save as 'CSV UTF-8')"]
            ) from None
    return str(form.get("text") or "")


def _changes(form: FormData) -> dict[str, Any]:
    """The edit form as use-case changes (CSV vocabulary: the same checks as an import)."""
    changes: dict[str, Any] = {
        name: form_text(form, name)
        for name in (
            "name",
            "role",
            "organization",
            "level",
            "monthly_cap_hours",
            "timezone",
            "on_shift",
        )
        if name in form
    }
    changes["languages"] = [str(v) for v in form.getlist("languages")]
    windows = []
    for day, label in enumerate(DAY_NAMES):
        for window in form_text(form, f"day{day}").split(","):
            if window.strip():
                windows.append(f"{label} {window.strip()}")
    changes["schedule"] = "; ".join(windows)
    if "active" in form or "active_shown" in form:
        changes["active"] = form.get("active") == "yes"
    if phone := form_text(form, "new_phone"):
        changes["phone"] = phone
    return changes


def _by_day(schedule: list[list[Any]]) -> list[str]:
    days: defaultdict[int, list[str]] = defaultdict(list)
    for day, start, end in schedule:
        days[int(day)].append(f"{start}-{end}")
    return [", ".join(days[d]) for d in range(7)]
