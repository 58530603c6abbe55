"""Training ledger pages: everyone's standing, one supporter's ledger (tier, dates, CE
credit, the CE export), and check-ins with their attendance."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from console.auth import Caller, services
from console.views import back, form_text, page, render
from usecases.errors import Invalid


@page
async def training(request: Request, who: Caller) -> Response:
    rows = await run_in_threadpool(services(request).training.rows, who.actor)
    ledger = services(request).training
    return render(
        request,
        "training.html",
        who,
        rows=rows,
        months=ledger.policy.refresher_months,
        note=request.query_params.get("note", ""),
    )


@page
async def training_supporter(request: Request, who: Caller) -> Response:
    ledger, supporter_id = services(request).training, request.path_params["supporter_id"]
    errors: list[str] = []
    if request.method == "POST":
        form = await request.form()
        try:
            if form.get("action") == "credit":
                await run_in_threadpool(
                    ledger.add_credit,
                    who.actor,
                    supporter_id,
                    form_text(form, "earned_on"),
                    form_text(form, "hours"),
                    form_text(form, "activity"),
                )
                note = "CE time added."
            else:
                changes = {k: form_text(form, k) for k in ("tier", "trained_on", "refreshed_on")}
                await run_in_threadpool(ledger.update, who.actor, supporter_id, changes)
                note = "Saved."
            return back(request, "training_supporter", note, supporter_id=supporter_id)
        except Invalid as exc:
            errors = exc.errors
    found = await run_in_threadpool(ledger.detail, who.actor, supporter_id)
    return render(
        request,
        "training_supporter.html",
        who,
        found=found,
        errors=errors,
        note=request.query_params.get("note", ""),
    )


@page
async def training_export(request: Request, who: Caller) -> Response:
    ledger, supporter_id = services(request).training, request.path_params["supporter_id"]
    name, text = await run_in_threadpool(ledger.export, who.actor, supporter_id)
    return csv_response(name, text)


def csv_response(filename: str, text: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@page
async def check_ins(request: Request, who: Caller) -> Response:
    use, errors = services(request).check_ins, []
    if request.method == "POST":
        form = await request.form()
        try:
            made = await run_in_threadpool(
                use.create,
                who.actor,
                form_text(form, "held_on"),
                form_text(form, "title"),
                form_text(form, "minutes"),
            )
            return back(
                request, "check_in", "Check-in added: now tick who came.", check_in_id=made.id
            )
        except Invalid as exc:
            errors = exc.errors
    found = await run_in_threadpool(use.list, who.actor)
    return render(
        request,
        "check_ins.html",
        who,
        check_ins=found,
        errors=errors,
        note=request.query_params.get("note", ""),
    )


@page
async def check_in(request: Request, who: Caller) -> Response:
    use, check_in_id = services(request).check_ins, request.path_params["check_in_id"]
    if request.method == "POST":
        form = await request.form()
        ids = [str(v) for v in form.getlist("attended")]
        await run_in_threadpool(use.attendance, who.actor, check_in_id, ids)
        return back(request, "check_in", "Attendance saved.", check_in_id=check_in_id)
    view = await run_in_threadpool(use.get, who.actor, check_in_id)
    return render(
        request, "check_in.html", who, view=view, note=request.query_params.get("note", "")
    )
