"""The training ledger in the console: tiers and dates, CE time from calls, check-ins and
entries, the per-supporter CE export, check-in attendance; by API and by page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from matching.training import add_months
from storage.audit import AuditStore
from storage.dispatch_models import Offer, OfferStatus
from storage.roster import NewSupporter
from tests.integration.conftest import Console

pytestmark = pytest.mark.integration
TODAY = datetime.now(UTC).date()


def add(console: Console, name: str, phone: str, tier: str | None, trained: date | None) -> str:
    [sid] = console.roster.add_supporters(
        [
            NewSupporter(
                name, phone, "nurse", "Tufts Medical Center", training_tier=tier, trained_on=trained
            )
        ]
    )
    return sid


def completed_call(console: Console, supporter_id: str, seconds: int) -> None:
    now = datetime.now(UTC)
    with Session(console.services.store.engine) as db, db.begin():
        db.add(
            Offer(
                id=f"of{supporter_id[:20]}{seconds}",
                request_id="r" * 32,
                supporter_id=supporter_id,
                status=OfferStatus.COMPLETED,
                created_at=now,
                expires_at=now,
                answered_at=now,
                ended_at=now,
                duration_seconds=seconds,
            )
        )


def test_the_ledger_by_api(console: Console) -> None:
    coordinator = console.bearer(admin=False)
    ana = add(console, "Ana Lapsed", "+12015550101", "2", TODAY - timedelta(days=800))
    ben = add(console, "Ben Trainee", "+12015550102", "trainee", TODAY - timedelta(days=3))
    cam = add(console, "Cam NoDate", "+12015550103", None, None)
    ledger = console.client.get("/api/v1/training", headers=coordinator)
    assert ledger.status_code == 200, ledger.text
    standing = {r["name"]: r["standing"] for r in ledger.json()["items"]}
    assert standing == {
        "Ana Lapsed": "lapsed",
        "Ben Trainee": "in training",
        "Cam NoDate": "no training date",
    }
    assert ledger.json()["items"][0]["name"] == "Ana Lapsed"  # act on it first

    # A refresher today puts Ana back in good standing (and back on offer).
    url = f"/api/v1/training/{ana}"
    done = console.client.patch(url, json={"refreshed_on": TODAY.isoformat()}, headers=coordinator)
    assert done.status_code == 200, done.text
    assert done.json()["standing"] == "current"
    assert done.json()["refresher_due"] == add_months(TODAY, 12).isoformat()
    bad = console.client.patch(
        url, json={"tier": "4", "trained_on": "last May"}, headers=coordinator
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        "training_tier '4' is not 1, 2, 3 or trainee",
        "trained_on 'last May' is not a date like 2026-03-31",
    ]
    promoted = console.client.patch(
        f"/api/v1/training/{ben}", json={"tier": "1"}, headers=coordinator
    )
    assert promoted.json()["tier"] == "1" and promoted.json()["standing"] == "current"

    # CE: a call (21 started minutes), a check-in (90 min) and a course entered (2.5 h).
    completed_call(console, ana, 1250)
    made = console.client.post(
        "/api/v1/check-ins",
        json={"date": TODAY.isoformat(), "title": "Monthly check-in", "minutes": 90},
        headers=coordinator,
    )
    assert made.status_code == 201, made.text
    attendance = console.client.put(
        f"/api/v1/check-ins/{made.json()['id']}/attendance",
        json={"supporter_ids": [ana, cam]},
        headers=coordinator,
    )
    assert sorted(attendance.json()["attendees"]) == sorted([ana, cam])
    credit = console.client.post(
        f"{url}/ce",
        json={"date": TODAY.isoformat(), "hours": 2.5, "activity": "Stress First Aid course"},
        headers=coordinator,
    )
    assert credit.status_code == 201, credit.text
    assert credit.json()["total_hours"] == round((21 + 90 + 150) / 60, 2)
    sources = sorted(e["source"] for e in credit.json()["entries"])
    assert sources == ["call", "check-in", "coordinator"]
    items = console.client.get("/api/v1/training", headers=coordinator).json()["items"]
    hours = {r["name"]: r["ce_hours_this_year"] for r in items}
    assert hours == {"Ana Lapsed": 4.35, "Ben Trainee": 0.0, "Cam NoDate": 1.5}

    export = console.client.get(f"{url}/ce.csv", headers=coordinator)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert 'filename="ce-ana-lapsed.csv"' in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["activity"] for r in rows] == [
        "peer-support call",
        "Monthly check-in",
        "Stress First Aid course",
        "total",
    ]
    assert rows[-1]["minutes"] == "261" and rows[-1]["hours"] == "4.35"

    actions = [e.action for e in AuditStore(console.services.store.engine).page(20, 0)[0]]
    for action in ("training.update", "check_in.create", "check_in.attendance", "training.ce.add"):
        assert action in actions
    assert "training.ce.export" in actions


def test_ledger_refusals(console: Console) -> None:
    coordinator = console.bearer(admin=False)
    assert console.client.get("/api/v1/training").status_code == 401
    missing = console.client.get("/api/v1/training/nobody", headers=coordinator)
    assert missing.status_code == 404
    ana = add(console, "Ana", "+12015550101", "1", None)
    for body in (
        {"date": "2026-02-30", "hours": 1, "activity": "x"},
        {"date": TODAY.isoformat(), "hours": 1, "activity": "   "},
    ):
        refused = console.client.post(f"/api/v1/training/{ana}/ce", json=body, headers=coordinator)
        assert refused.status_code == 422, body
    made = console.client.post(
        "/api/v1/check-ins",
        json={"date": TODAY.isoformat(), "title": "Check-in", "minutes": 60},
        headers=coordinator,
    ).json()
    stranger = console.client.put(
        f"/api/v1/check-ins/{made['id']}/attendance",
        json={"supporter_ids": ["not-a-supporter"]},
        headers=coordinator,
    )
    assert stranger.status_code == 422


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def test_the_ledger_pages_with_csrf(console: Console) -> None:
    ana = add(console, "Ana Lapsed", "+12015550101", "2", TODAY - timedelta(days=800))
    console.login("cory")
    listing = console.client.get("/console/training")
    assert listing.status_code == 200
    assert "Ana Lapsed" in listing.text and '<span class="flag">lapsed</span>' in listing.text
    page = console.client.get(f"/console/training/{ana}")
    token = _hidden(page.text, "csrf_token")
    forged = console.client.post(
        f"/console/training/{ana}", data={"refreshed_on": TODAY.isoformat()}
    )
    assert forged.status_code == 403
    saved = console.client.post(
        f"/console/training/{ana}",
        data={
            "csrf_token": token,
            "action": "training",
            "tier": "3",
            "trained_on": "",
            "refreshed_on": TODAY.isoformat(),
        },
    )
    assert saved.status_code == 200 and "Saved." in saved.text
    assert "<strong>current</strong>" in saved.text
    # a check-in and its attendance, by form
    made = console.client.post(
        "/console/check-ins",
        data={
            "csrf_token": token,
            "held_on": TODAY.isoformat(),
            "title": "Debrief",
            "minutes": "45",
        },
    )
    assert made.status_code == 200 and "now tick who came" in made.text
    action = re.search(r'<form method="post" action="(/console/check-ins/[0-9a-f]+)"', made.text)
    assert action
    ticked = console.client.post(action.group(1), data={"csrf_token": token, "attended": ana})
    assert "Attendance saved." in ticked.text and "1 attended" in ticked.text
    export = console.client.get(f"/console/training/{ana}/ce.csv")
    assert "Debrief" in export.text and export.headers["cache-control"] == "no-store"
