"""Board actions through the API and the pages, with a real RQ worker and a recording
carrier: assign a chosen supporter (the dispatcher's claim), re-queue, a scheduling text
(the one outbound sender), and a request's history."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import update

from ivr.model import Urgency
from jobs import context
from peerline import bootstrap
from storage.dispatch import DispatchStore
from storage.models import DispatchState, HelpRequest, RequestStatus
from storage.roster import NewSupporter
from tests.fakes import RecordingCarrier
from tests.integration.conftest import Console
from tests.request_support import waiting_request
from usecases.errors import OptedOut

pytestmark = pytest.mark.integration
ANA, BEN, DI = "+12015550101", "+12015550102", "+12015550104"
CALLER = "+16175550177"


@dataclass
class Desk:
    console: Console
    carrier: RecordingCarrier

    def work(self) -> None:
        services = self.console.services
        SimpleWorker(
            services.queues.all(), connection=services.redis, serializer=JSONSerializer
        ).work(burst=True)

    def supporter(self, name: str, phone: str, **kw: object) -> str:
        person = NewSupporter(name, phone, "nurse", "Tufts Medical Center", on_shift=True)
        [sid] = self.console.roster.add_supporters([replace(person, **kw)])  # type: ignore[arg-type]
        return sid

    def post(self, path: str, json: object = None, admin: bool = False) -> tuple[int, Any]:
        response = self.console.client.post(
            f"/api/v1{path}", json=json, headers=self.console.bearer(admin=admin)
        )
        return response.status_code, response.json()

    def history(self, rid: str) -> list[str]:
        response = self.console.client.get(
            f"/api/v1/requests/{rid}/history", headers=self.console.bearer(admin=False)
        )
        assert response.status_code == 200
        return [e["kind"] for e in response.json()["items"]]


@pytest.fixture
def desk(console: Console) -> Iterator[Desk]:
    console.services.settings.calls_per_second = console.services.settings.sms_per_second = 1000.0
    carrier = RecordingCarrier()
    deps = bootstrap.dispatch_deps(console.services, carrier)
    context.install(lambda: deps)
    yield Desk(console, carrier)


def test_assign_rings_the_chosen_supporter_even_off_shift(desk: Desk) -> None:
    desk.supporter("Ana Lopez", ANA)
    ben = desk.supporter("Ben Ode", BEN, on_shift=False)
    rid = waiting_request(desk.console.services.store)
    status, body = desk.post(f"/requests/{rid}/assign", {"supporter_id": ben})
    assert status == 202, body
    assert body["supporter_name"] == "Ben Ode" and body["request"]["id"] == rid
    desk.work()
    [call] = desk.carrier.calls
    assert call["kind"] == "offer" and call["to"] == BEN, "Ben, not the dispatcher's Ana"
    request = desk.console.services.store.get_request(rid)
    assert request is not None and request.status is RequestStatus.OFFERED
    assert desk.history(rid)[-2:] == ["coordinator.assign", "offer.ringing"]
    audit = desk.console.client.get(
        "/api/v1/audit?action=request.assign", headers=desk.console.bearer()
    ).json()
    assert [(e["actor"], e["target_id"]) for e in audit["items"]] == [("token:coord-token", rid)]


def test_assign_stops_a_phone_ringing_for_someone_else(desk: Desk) -> None:
    ana = desk.supporter("Ana Lopez", ANA)
    ben = desk.supporter("Ben Ode", BEN, on_shift=False)
    rid = waiting_request(desk.console.services.store)
    bootstrap.jobs(desk.console.services).dispatch(rid, Urgency.URGENT)
    desk.work()  # dispatch rings Ana, the only one on shift
    assert [c["to"] for c in desk.carrier.calls] == [ANA]
    assert desk.post(f"/requests/{rid}/assign", {"supporter_id": ben})[0] == 202
    desk.work()
    assert {"sid": "CAfa" + f"{1:030x}", "status": "canceled"} in desk.carrier.updates
    assert [c["to"] for c in desk.carrier.calls] == [ANA, BEN]
    match = desk.console.client.get(
        f"/api/v1/requests/{rid}/match", headers=desk.console.bearer()
    ).json()
    offers = [(o["supporter_id"], o["status"], o["reason"]) for o in match["offers"]]
    assert offers == [(ana, "canceled", "reassigned"), (ben, "ringing", None)]


def test_actions_refuse_whom_matching_never_overrules_bad_input_and_closed_requests(
    desk: Desk,
) -> None:
    di = desk.supporter("Di Mass", DI, organization="Massachusetts General Hospital")
    rid = waiting_request(
        desk.console.services.store, organization="Massachusetts General Hospital"
    )
    status, body = desk.post(f"/requests/{rid}/assign", {"supporter_id": di})
    assert status == 409
    assert body["detail"] == (
        "Di Mass can't take this request: in the caller's organization "
        "(Massachusetts General Hospital)"
    )
    desk.work()
    assert desk.carrier.calls == []
    assert "coordinator.assign" not in desk.history(rid)
    status, _ = desk.post(f"/requests/{rid}/assign", {"supporter_id": "nobody"})
    assert status == 404
    status, body = desk.post(f"/requests/{rid}/scheduling-text", {"day": "today", "window": "asap"})
    assert status == 422 and body["errors"] == ["window: choose morning, afternoon or evening"]
    status, _ = desk.post(
        f"/requests/{rid}/scheduling-text", {"day": "someday", "window": "evening"}
    )
    assert status == 422
    store = desk.console.services.store
    store.set_request_status(rid, RequestStatus.COMPLETED)
    for path, json in (
        ("assign", {"supporter_id": desk.supporter("Ana Lopez", ANA)}),
        ("requeue", None),
        ("scheduling-text", {"day": "today", "window": "evening"}),
    ):
        status, body = desk.post(f"/requests/{rid}/{path}", json)
        assert status == 409, path
        assert body["type"] == "urn:peerline:problem:conflict"
    assert desk.post("/requests/nothing/requeue")[0] == 404


def test_a_supporter_who_is_busy_when_the_job_runs_leaves_it_to_dispatch(desk: Desk) -> None:
    ana = desk.supporter("Ana Lopez", ANA)
    rid = waiting_request(desk.console.services.store)
    other = waiting_request(desk.console.services.store)
    assert desk.post(f"/requests/{rid}/assign", {"supporter_id": ana})[0] == 202
    offers = DispatchStore(desk.console.services.store.engine)
    assert offers.claim(other, ana, timedelta(seconds=40)) is not None  # Ana took another
    desk.work()
    assert desk.carrier.calls == []
    events = desk.console.services.store.events(rid)
    failed = events.index(("assign.failed", {"supporter_id": ana, "reason": "supporter_lost"}))
    assert "dispatch.nobody_available" in [kind for kind, _ in events[failed:]]


def test_requeue_stops_the_ringing_offer_and_returns_a_held_request_to_dispatch(
    desk: Desk,
) -> None:
    desk.supporter("Ana Lopez", ANA)
    store = desk.console.services.store
    rid = waiting_request(store)
    with store.engine.begin() as db:
        db.execute(
            update(HelpRequest)
            .where(HelpRequest.id == rid)
            .values(dispatch_state=DispatchState.HELD)
        )
    held = desk.console.client.get(f"/api/v1/requests/{rid}", headers=desk.console.bearer())
    assert held.json()["flags"] == ["held_for_coordinator"]
    status, body = desk.post(f"/requests/{rid}/requeue")
    assert status == 202 and body["request"]["flags"] == []
    assert store.get_request(rid).dispatch_state is DispatchState.QUEUED  # type: ignore[union-attr]
    desk.work()
    [call] = desk.carrier.calls
    assert call["to"] == ANA
    assert desk.post(f"/requests/{rid}/requeue")[0] == 202  # the ringing offer stops
    desk.work()
    assert {"sid": "CAfa" + f"{1:030x}", "status": "canceled"} in desk.carrier.updates
    assert desk.history(rid).count("coordinator.requeue") == 2


def test_a_scheduling_text_goes_through_the_one_sender(desk: Desk) -> None:
    rid = waiting_request(desk.console.services.store, caller=CALLER)
    body = {"day": "tomorrow", "window": "morning"}
    assert desk.post(f"/requests/{rid}/scheduling-text", body)[0] == 202
    desk.work()
    [text] = desk.carrier.messages
    assert text["to"] == CALLER
    assert text["body"] == (
        "Peerline: a peer supporter will call you from this number tomorrow in the morning, "
        "between 8 and noon. Reply 9 for crisis numbers."
    )
    assert desk.history(rid)[-2:] == ["coordinator.scheduling_text", "scheduling_text.sent"]
    desk.carrier.fail[CALLER] = OptedOut("unsubscribed", 21610)
    assert desk.post(f"/requests/{rid}/scheduling-text", body)[0] == 202
    desk.work()
    assert desk.console.services.store.events(rid)[-1] == (
        "scheduling_text.not_sent",
        {"reason": "opted_out"},
    )


def test_the_request_page_assigns_and_shows_why_not(desk: Desk) -> None:
    client = desk.console.client
    ben = desk.supporter("Ben Ode", BEN, on_shift=False)
    di = desk.supporter("Di Mass", DI, organization="Massachusetts General Hospital")
    rid = waiting_request(
        desk.console.services.store, organization="Massachusetts General Hospital"
    )
    csrf = desk.console.login("cory")
    page = client.get(f"/console/requests/{rid}")
    assert page.status_code == 200
    assert f'<option value="{ben}">Ben Ode (not available: away (override))</option>' in page.text
    assert f'value="{di}"' not in page.text.split('id="supporter_id"')[1].split("</select>")[0]
    refused = client.post(
        f"/console/requests/{rid}/assign", data={"csrf_token": csrf, "supporter_id": di}
    )
    assert refused.status_code == 200 and "Di Mass can&#39;t take this request" in refused.text
    done = client.post(
        f"/console/requests/{rid}/assign",
        data={"csrf_token": csrf, "supporter_id": ben},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "Assigned" in done.headers["location"]
    forged = client.post(f"/console/requests/{rid}/requeue", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    shown = client.get(done.headers["location"])
    assert "coordinator.assign" in shown.text and "supporter id: Ben Ode" in shown.text


def test_close_ends_an_unanswered_request_once_with_a_reason(desk: Desk) -> None:
    store = desk.console.services.store
    desk.supporter("Ana Lopez", ANA)
    rid = waiting_request(store)
    bootstrap.jobs(desk.console.services).dispatch(rid, Urgency.URGENT)
    desk.work()  # Ana's phone rings
    status, body = desk.post(f"/requests/{rid}/close", {"reason": "no_longer_needed"})
    assert status == 200 and body["request"]["state"] == "closed"
    request = store.get_request(rid)
    assert request is not None and request.status is RequestStatus.CLOSED
    desk.work()
    assert {"sid": "CAfa" + f"{1:030x}", "status": "canceled"} in desk.carrier.updates
    assert ("request.closed", {"reason": "no_longer_needed"}) in store.events(rid)
    status, body = desk.post(f"/requests/{rid}/close", {"reason": "test"})
    assert status == 409 and body["detail"] == "the request has already ended (closed)"
    assert desk.post(f"/requests/{rid}/close", {"reason": "because"})[0] == 422
    audit = desk.console.client.get(
        "/api/v1/audit?action=request.close", headers=desk.console.bearer()
    ).json()
    assert [e["detail"]["reason"] for e in audit["items"]] == ["no_longer_needed"]
    board = desk.console.client.get("/api/v1/board", headers=desk.console.bearer()).json()
    assert board["total"] == 0


def test_a_connected_request_closes_when_its_call_ends(desk: Desk) -> None:
    store = desk.console.services.store
    ana = desk.supporter("Ana Lopez", ANA)
    rid = waiting_request(store)
    offers = DispatchStore(store.engine)
    offer = offers.claim(rid, ana, timedelta(seconds=40))
    assert offer is not None and offers.accept(offer.id)
    status, body = desk.post(f"/requests/{rid}/close", {"reason": "test"})
    assert status == 409 and "closes when they hang up" in body["detail"]
    assert store.get_request(rid).status is RequestStatus.CONNECTED  # type: ignore[union-attr]
