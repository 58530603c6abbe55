"""Endpoints: supporters (list, search, edit, remove, number, import, export)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from console.api import Call, Operation
from console.api_access import page_info
from console.schemas_roster import (
    ExportQuery,
    Imported,
    ImportIn,
    ImportPreview,
    ImportRow,
    PhoneOut,
    SupporterIn,
    SupporterOut,
    SupporterPage,
    SupporterPatch,
    SupporterQuery,
)
from usecases.access import Role
from usecases.roster_rules import format_schedule


def _fields(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(exclude_unset=True, exclude={"new_organization"})
    return data


def _supporters(call: Call) -> SupporterPage:
    q: SupporterQuery = call.query
    page = call.console.supporters.page(call.actor, q.q, q.active, q.limit, q.offset)
    items = [SupporterOut.of(v) for v in page.items]
    return SupporterPage(
        items=items, **page_info(call, page.total, page.limit, page.offset, len(items))
    )


def _create_supporter(call: Call) -> SupporterOut:
    b: SupporterIn = call.body
    view = call.console.supporters.create(call.actor, _fields(b), b.new_organization)
    return SupporterOut.of(view)


def _supporter(call: Call) -> SupporterOut:
    return SupporterOut.of(call.console.supporters.get(call.actor, call.params["supporter_id"]))


def _update_supporter(call: Call) -> SupporterOut:
    b: SupporterPatch = call.body
    view = call.console.supporters.update(
        call.actor, call.params["supporter_id"], _fields(b), b.new_organization
    )
    return SupporterOut.of(view)


def _set_active(active: bool) -> Any:
    def handler(call: Call) -> SupporterOut:
        view = call.console.supporters.update(
            call.actor, call.params["supporter_id"], {"active": active}
        )
        return SupporterOut.of(view)

    handler.__name__ = "reactivate_supporter" if active else "deactivate_supporter"
    return handler


def _remove_supporter(call: Call) -> None:
    call.console.supporters.remove(call.actor, call.params["supporter_id"])


def _supporter_phone(call: Call) -> PhoneOut:
    return PhoneOut(
        phone=call.console.supporters.phone_number(call.actor, call.params["supporter_id"])
    )


def _preview_import(call: Call) -> ImportPreview:
    b: ImportIn = call.body
    preview = call.console.roster_import.preview(call.actor, b.csv, b.new_organizations)
    rows = [
        ImportRow(
            name=p.name,
            role=p.role,
            organization=p.organization,
            languages=list(p.languages),
            schedule=format_schedule(p.schedule),
            on_shift=p.on_shift,
        )
        for p in preview.people
    ]
    return ImportPreview(
        ok=not preview.errors,
        rows=rows,
        errors=preview.errors,
        warnings=preview.warnings,
        new_organizations=preview.new_organizations,
    )


def _import(call: Call) -> Imported:
    b: ImportIn = call.body
    done = call.console.roster_import.commit(call.actor, b.csv, b.new_organizations)
    return Imported(
        count=done.count, new_organizations=done.new_organizations, warnings=done.warnings
    )


def _export(call: Call) -> Response:
    q: ExportQuery = call.query
    text = call.console.supporters.export(call.actor, with_numbers=q.numbers)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="roster.csv"',
            "Cache-Control": "no-store",
        },
    )


ADMIN = Role.ADMIN
S = "/supporters/{supporter_id}"
OPERATIONS = [
    Operation(
        "GET",
        "/supporters",
        _supporters,
        "Supporters: list and search",
        "supporters",
        query=SupporterQuery,
        response=SupporterPage,
    ),
    Operation(
        "POST",
        "/supporters",
        _create_supporter,
        "Add a supporter",
        "supporters",
        role=ADMIN,
        body=SupporterIn,
        response=SupporterOut,
        status=201,
        errors=(409,),
    ),
    Operation(
        "GET",
        "/supporters/export",
        _export,
        "The roster as CSV; numbers only for an admin who asks (audited)",
        "supporters",
        query=ExportQuery,
        media_type="text/csv",
    ),
    Operation(
        "POST",
        "/supporters/import/preview",
        _preview_import,
        "Check a roster CSV and show what it would add (changes nothing)",
        "supporters",
        role=ADMIN,
        body=ImportIn,
        response=ImportPreview,
    ),
    Operation(
        "POST",
        "/supporters/import",
        _import,
        "Import a roster CSV: every row or none (422 lists each bad row)",
        "supporters",
        role=ADMIN,
        body=ImportIn,
        response=Imported,
        status=201,
        errors=(409,),
    ),
    Operation(
        "GET",
        S,
        _supporter,
        "One supporter and their state now",
        "supporters",
        response=SupporterOut,
    ),
    Operation(
        "PATCH",
        S,
        _update_supporter,
        "Change a supporter (only the fields sent)",
        "supporters",
        role=ADMIN,
        body=SupporterPatch,
        response=SupporterOut,
        errors=(409,),
    ),
    Operation(
        "POST",
        S + "/deactivate",
        _set_active(False),
        "Stop offering them calls",
        "supporters",
        role=ADMIN,
        response=SupporterOut,
    ),
    Operation(
        "POST",
        S + "/reactivate",
        _set_active(True),
        "Offer them calls again",
        "supporters",
        role=ADMIN,
        response=SupporterOut,
    ),
    Operation(
        "DELETE",
        S,
        _remove_supporter,
        "Remove a supporter and their personal data",
        "supporters",
        role=ADMIN,
        status=204,
        errors=(409,),
    ),
    Operation(
        "GET",
        S + "/phone",
        _supporter_phone,
        "A supporter's number (audited)",
        "supporters",
        role=ADMIN,
        response=PhoneOut,
    ),
]
