"""The blocklist page (admins): entries without their numbers, a form to block one more."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from console.auth import Caller, services
from console.views import back, form_text, page, render
from usecases.errors import Conflict, Invalid


@page
async def blocklist(request: Request, who: Caller) -> Response:
    console, errors = services(request), []
    if request.method == "POST":
        form = await request.form()
        try:
            await run_in_threadpool(
                console.blocklist.add,
                who.actor,
                form_text(form, "number"),
                form_text(form, "reason"),
            )
            return back(request, "blocklist", "Number blocked.")
        except (Invalid, Conflict) as exc:
            errors = exc.errors if isinstance(exc, Invalid) else [str(exc)]
    entries = await run_in_threadpool(console.blocklist.entries, who.actor)
    note = request.query_params.get("note", "")
    return render(request, "blocklist.html", who, entries=entries, errors=errors, note=note)


@page
async def unblock(request: Request, who: Caller) -> Response:
    entry_id = request.path_params["entry_id"]
    await run_in_threadpool(services(request).blocklist.remove, who.actor, entry_id)
    return back(request, "blocklist", "Number unblocked.")
