"""The console keeps the promise made to the caller: the board says when the caller will be
called (their call-back window, the quiet hours), and a coordinator's hand-assign is refused
while the caller may not be called — never a call at 4 a.m. to a caller who asked for the
afternoon — while one who asked for as soon as possible may be assigned at any hour."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.routing import Mount

from console.services import ConsoleServices
from ivr.model import CallbackWindow
from jobs import context
from matching.availability import next_window
from matching.calling import CallingHours, QuietHours
from storage.models import RequestStatus
from tests.integration.test_console_actions import ANA, BEN, Desk, desk  # noqa: F401
from tests.request_support import waiting_request

pytestmark = pytest.mark.integration
BOSTON = ZoneInfo("America/New_York")


def at(desk: Desk, local: str) -> datetime:  # noqa: F811
    """The console and the dispatcher as if it were ``local`` in Boston, with the default
    quiet hours (21:00-08:00; the test settings turn them off)."""
    moment = datetime.fromisoformat(local).replace(tzinfo=BOSTON)
    calling = CallingHours(BOSTON, QuietHours())
    use = _app_console(desk)
    use.board.clock = lambda: moment
    for promises in (use.board.promises, use.actions.promises):
        promises.clock, promises.calling = (lambda: moment), calling
    deps: Any = context.current()  # the worker's use cases (the desk fixture's)
    deps.dispatcher.config = replace(deps.dispatcher.config, calling=calling)
    deps.dispatcher.clock = lambda: moment
    return moment


def _app_console(desk: Desk) -> ConsoleServices:  # noqa: F811
    """The use cases the running app's console routes call (not ``Console.use``)."""
    for route in desk.console.client.app.routes:  # type: ignore[attr-defined]
        state = getattr(route.app, "state", None) if isinstance(route, Mount) else None
        if state is not None and hasattr(state, "console"):
            found: ConsoleServices = state.console
            return found
    raise AssertionError("no console mounted")


def board(desk: Desk) -> dict[str, dict[str, Any]]:  # noqa: F811
    page = desk.console.client.get("/api/v1/board", headers=desk.console.bearer(admin=False))
    assert page.status_code == 200
    return {r["id"]: r for r in page.json()["items"]}


def test_the_board_says_when_the_caller_will_be_called(desk: Desk) -> None:  # noqa: F811
    store = desk.console.services.store
    afternoon = waiting_request(store, contact_mode="callback", callback_window="afternoon")
    evening = waiting_request(store, contact_mode="callback", callback_window="evening")
    asap = waiting_request(store, contact_mode="callback", callback_window="asap")
    holding = waiting_request(store)
    at(desk, "2026-11-24 04:00")
    rows = board(desk)
    assert rows[afternoon]["promise"] == "calls back in the afternoon window from 12:00"
    assert rows[afternoon]["calls_from"] == "2026-11-24T17:00:00Z"  # noon in Boston
    assert rows[evening]["promise"] == "calls back in the evening window from 17:00"
    for rid in (asap, holding):
        assert rows[rid]["calls_from"] is None and rows[rid]["promise"].startswith("due by ")
    at(desk, "2026-11-24 13:30")
    rows = board(desk)
    assert rows[afternoon]["promise"] == "calls back in the afternoon window, open until 17:00"
    assert rows[afternoon]["calls_from"] is None


def test_the_promise_is_the_end_of_the_window_when_that_is_later(desk: Desk) -> None:  # noqa: F811
    """An urgent call back asked for "in the evening" is due when the evening ends if that
    is later than two hours after it was asked for (the promise expiry keeps, too)."""
    store = desk.console.services.store
    rid = waiting_request(store, contact_mode="callback", callback_window="evening")
    request = store.get_request(rid)
    assert request is not None
    evening_ends = next_window(request.created_at, CallbackWindow.EVENING, BOSTON)[1]
    expected = max(request.created_at + timedelta(hours=2), evening_ends)
    assert datetime.fromisoformat(board(desk)[rid]["due_by"]) == expected


def test_the_request_page_shows_the_promise_in_words(desk: Desk) -> None:  # noqa: F811
    rid = waiting_request(
        desk.console.services.store, contact_mode="callback", callback_window="afternoon"
    )
    at(desk, "2026-11-24 04:00")
    desk.console.login("cory")
    page = desk.console.client.get(f"/console/requests/{rid}")
    assert "calls back in the afternoon window from 12:00" in page.text
    listed = desk.console.client.get("/console/")
    assert "calls back in the afternoon window from 12:00" in listed.text


def test_assign_outside_the_callers_window_is_refused_with_when(desk: Desk) -> None:  # noqa: F811
    ben = desk.supporter("Ben Ode", BEN)
    rid = waiting_request(
        desk.console.services.store, contact_mode="callback", callback_window="afternoon"
    )
    at(desk, "2026-11-24 04:00")
    status, body = desk.post(f"/requests/{rid}/assign", {"supporter_id": ben})
    assert status == 409
    assert body["detail"] == (
        "The caller may not be called yet: calls back in the afternoon window from 12:00. "
        "Assign it then; dispatch offers it by itself when that time comes."
    )
    desk.work()
    assert desk.carrier.calls == [], "nobody rung, the caller not called at 4 a.m."
    assert "coordinator.assign" not in desk.history(rid)
    at(desk, "2026-11-24 12:00")
    assert desk.post(f"/requests/{rid}/assign", {"supporter_id": ben})[0] == 202
    desk.work()
    assert [c["to"] for c in desk.carrier.calls] == [BEN]


def test_assign_in_the_quiet_hours_is_refused_for_text_first(desk: Desk) -> None:  # noqa: F811
    ben = desk.supporter("Ben Ode", BEN)
    rid = waiting_request(desk.console.services.store, contact_mode="text_first")
    at(desk, "2026-11-24 23:00")
    status, body = desk.post(f"/requests/{rid}/assign", {"supporter_id": ben})
    assert status == 409 and "calls after the quiet hours, from Wed 08:00" in body["detail"]


@pytest.mark.parametrize("mode", ["asap", "hold"])
def test_a_caller_who_asked_for_now_may_be_assigned_at_any_hour(
    desk: Desk,  # noqa: F811
    mode: str,
) -> None:
    ben = desk.supporter("Ben Ode", BEN)
    store = desk.console.services.store
    if mode == "hold":
        rid = waiting_request(store)
    else:
        rid = waiting_request(store, contact_mode="callback", callback_window="asap")
    at(desk, "2026-11-24 04:00")
    assert desk.post(f"/requests/{rid}/assign", {"supporter_id": ben})[0] == 202
    desk.work()
    assert [c["to"] for c in desk.carrier.calls] == [BEN]


def test_an_assignment_whose_job_runs_after_the_window_closed_rings_nobody(
    desk: Desk,  # noqa: F811
) -> None:
    """The console checked at 16:59; the job runs at 17:00: the dispatcher checks again and
    schedules the request for the next afternoon instead."""
    desk.supporter("Ana Lopez", ANA)
    ben = desk.supporter("Ben Ode", BEN)
    store = desk.console.services.store
    rid = waiting_request(store, contact_mode="callback", callback_window="afternoon")
    at(desk, "2026-11-24 16:59")
    assert desk.post(f"/requests/{rid}/assign", {"supporter_id": ben})[0] == 202
    at(desk, "2026-11-24 17:00")
    desk.work()
    assert desk.carrier.calls == []
    events = store.events(rid)
    assert ("assign.failed", {"supporter_id": ben, "reason": "outside_window"}) in events
    assert any(kind == "dispatch.deferred" for kind, _ in events)
    request = store.get_request(rid)
    assert request is not None and request.status is RequestStatus.WAITING
