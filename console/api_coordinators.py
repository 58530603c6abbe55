"""Endpoints: coordinators, their on-call hours and the paging order."""

from __future__ import annotations

from console.api import Call, Operation
from console.api_access import page_info
from console.api_roster import _fields
from console.schemas_access import PageQuery
from console.schemas_roster import CoordinatorIn, CoordinatorOut, CoordinatorPage, CoordinatorPatch
from usecases.access import Role


def _coordinators(call: Call) -> CoordinatorPage:
    q: PageQuery = call.query
    everyone = call.console.coordinators.list_all(call.actor)
    items = [CoordinatorOut.of(v) for v in everyone[q.offset : q.offset + q.limit]]
    return CoordinatorPage(
        items=items, **page_info(call, len(everyone), q.limit, q.offset, len(items))
    )


def _create_coordinator(call: Call) -> CoordinatorOut:
    return CoordinatorOut.of(call.console.coordinators.create(call.actor, _fields(call.body)))


def _coordinator(call: Call) -> CoordinatorOut:
    return CoordinatorOut.of(
        call.console.coordinators.get(call.actor, call.params["coordinator_id"])
    )


def _update_coordinator(call: Call) -> CoordinatorOut:
    view = call.console.coordinators.update(
        call.actor, call.params["coordinator_id"], _fields(call.body)
    )
    return CoordinatorOut.of(view)


ADMIN = Role.ADMIN
OPERATIONS = [
    Operation(
        "GET",
        "/coordinators",
        _coordinators,
        "Coordinators in paging order",
        "coordinators",
        query=PageQuery,
        response=CoordinatorPage,
    ),
    Operation(
        "POST",
        "/coordinators",
        _create_coordinator,
        "Add a coordinator",
        "coordinators",
        role=ADMIN,
        body=CoordinatorIn,
        response=CoordinatorOut,
        status=201,
        errors=(409,),
    ),
    Operation(
        "GET",
        "/coordinators/{coordinator_id}",
        _coordinator,
        "One coordinator",
        "coordinators",
        response=CoordinatorOut,
    ),
    Operation(
        "PATCH",
        "/coordinators/{coordinator_id}",
        _update_coordinator,
        "Change on-call hours, paging order, name, time zone, number or active",
        "coordinators",
        role=ADMIN,
        body=CoordinatorPatch,
        response=CoordinatorOut,
        errors=(409,),
    ),
]
