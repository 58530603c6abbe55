"""Endpoints: the training ledger (standing, tier and dates, CE time and its CSV) and
check-ins with attendance. Coordinators keep the ledger; every change is audited."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from console.api import Call, Operation
from console.schemas_training import (
    AttendanceIn,
    CheckInIn,
    CheckInList,
    CheckInOut,
    CreditIn,
    Ledger,
    LedgerDetailOut,
    LedgerRowOut,
    TrainingPatch,
    check_in_out,
)


def _ledger(call: Call) -> Ledger:
    return Ledger(items=[LedgerRowOut.of(r) for r in call.console.training.rows(call.actor)])


def _ledger_supporter(call: Call) -> LedgerDetailOut:
    found = call.console.training.detail(call.actor, call.params["supporter_id"])
    return LedgerDetailOut.of(found)


def _update_training(call: Call) -> LedgerRowOut:
    b: TrainingPatch = call.body
    changes: dict[str, Any] = b.model_dump(exclude_unset=True)
    if "tier" in changes:  # the use case's name for the tier is "tier", the column's not
        changes["tier"] = changes["tier"] or ""
    row = call.console.training.update(call.actor, call.params["supporter_id"], changes)
    return LedgerRowOut.of(row)


def _add_credit(call: Call) -> LedgerDetailOut:
    b: CreditIn = call.body
    supporter_id = call.params["supporter_id"]
    call.console.training.add_credit(call.actor, supporter_id, b.date, str(b.hours), b.activity)
    return LedgerDetailOut.of(call.console.training.detail(call.actor, supporter_id))


def _ce_export(call: Call) -> Response:
    name, text = call.console.training.export(call.actor, call.params["supporter_id"])
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _check_ins(call: Call) -> CheckInList:
    return CheckInList(items=[CheckInOut.of(c) for c in call.console.check_ins.list(call.actor)])


def _create_check_in(call: Call) -> CheckInOut:
    b: CheckInIn = call.body
    made = call.console.check_ins.create(call.actor, b.date, b.title, str(b.minutes))
    return CheckInOut.of(made)


def _check_in(call: Call) -> CheckInOut:
    return check_in_out(call.console.check_ins.get(call.actor, call.params["check_in_id"]))


def _set_attendance(call: Call) -> CheckInOut:
    b: AttendanceIn = call.body
    view = call.console.check_ins.attendance(
        call.actor, call.params["check_in_id"], b.supporter_ids
    )
    return check_in_out(view)


T = "/training/{supporter_id}"
C = "/check-ins/{check_in_id}"
OPERATIONS = [
    Operation(
        "GET",
        "/training",
        _ledger,
        "Everyone's training standing, lapsed and due-soon first",
        "training",
        response=Ledger,
    ),
    Operation(
        "GET",
        T,
        _ledger_supporter,
        "One supporter's ledger and CE record",
        "training",
        response=LedgerDetailOut,
    ),
    Operation(
        "PATCH",
        T,
        _update_training,
        "Set the tier, training date or last refresher (only the fields sent)",
        "training",
        body=TrainingPatch,
        response=LedgerRowOut,
    ),
    Operation(
        "POST",
        T + "/ce",
        _add_credit,
        "Add CE time earned outside Peerline's calls and check-ins",
        "training",
        body=CreditIn,
        response=LedgerDetailOut,
        status=201,
    ),
    Operation(
        "GET",
        T + "/ce.csv",
        _ce_export,
        "One supporter's CE record as CSV, for CE documentation (audited)",
        "training",
        media_type="text/csv",
    ),
    Operation(
        "GET", "/check-ins", _check_ins, "Recent check-ins", "training", response=CheckInList
    ),
    Operation(
        "POST",
        "/check-ins",
        _create_check_in,
        "Record a check-in meeting",
        "training",
        body=CheckInIn,
        response=CheckInOut,
        status=201,
    ),
    Operation(
        "GET", C, _check_in, "One check-in and who attended", "training", response=CheckInOut
    ),
    Operation(
        "PUT",
        C + "/attendance",
        _set_attendance,
        "Record exactly who attended (replaces the list); each earns the minutes as CE",
        "training",
        body=AttendanceIn,
        response=CheckInOut,
    ),
]
