"""The blocklist in the console: admins add and remove numbers by API and by page; a number
goes in and never comes back out (not in answers, pages or the audit log)."""

from __future__ import annotations

import re

import pytest

from storage.audit import AuditStore
from storage.blocklist import BlocklistStore
from tests.integration.conftest import Console

pytestmark = pytest.mark.integration
NUMBER, DIGITS = "+1 (617) 555-0141", "5550141"


def test_admins_block_and_unblock_by_api_and_nothing_shows_the_number(
    console: Console,
) -> None:
    admin = console.bearer()
    made = console.client.post(
        "/api/v1/blocklist", json={"number": NUMBER, "reason": "abusive"}, headers=admin
    )
    assert made.status_code == 201, made.text
    entry = made.json()
    assert entry["reason"] == "abusive" and entry["added_by"] == "token:admin-token"
    assert DIGITS not in made.text
    store = BlocklistStore(console.services.store.engine, console.services.store.cipher)
    assert store.is_blocked("+16175550141")

    again = console.client.post("/api/v1/blocklist", json={"number": "617-555-0141"}, headers=admin)
    assert again.status_code == 409
    listed = console.client.get("/api/v1/blocklist", headers=admin)
    assert [e["id"] for e in listed.json()["items"]] == [entry["id"]] and DIGITS not in listed.text

    for body in ({"number": "not a number"}, {"number": NUMBER, "reason": f"it was {NUMBER}"}):
        assert console.client.post("/api/v1/blocklist", json=body, headers=admin).status_code == 422

    gone = console.client.delete(f"/api/v1/blocklist/{entry['id']}", headers=admin)
    assert gone.status_code == 204 and not store.is_blocked("+16175550141")
    assert (
        console.client.delete(f"/api/v1/blocklist/{entry['id']}", headers=admin).status_code == 404
    )

    audit = AuditStore(console.services.store.engine).page(10, 0)[0]
    assert [(e.action, e.target_id) for e in audit[:2]] == [
        ("blocklist.remove", entry["id"]),
        ("blocklist.add", entry["id"]),
    ]
    assert all(DIGITS not in str(e) for e in audit)


def test_coordinators_may_not_see_or_change_it(console: Console) -> None:
    coordinator = console.bearer(admin=False)
    assert console.client.get("/api/v1/blocklist", headers=coordinator).status_code == 403
    denied = console.client.post("/api/v1/blocklist", json={"number": NUMBER}, headers=coordinator)
    assert denied.status_code == 403


def test_the_blocklist_page(console: Console) -> None:
    console.login()
    page = console.client.get("/console/blocklist")
    assert page.status_code == 200 and "No blocked numbers" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    added = console.client.post(
        "/console/blocklist",
        data={"csrf_token": csrf.group(1), "number": NUMBER, "reason": "prank calls"},
    )
    assert "Number blocked." in added.text and "prank calls" in added.text
    assert DIGITS not in added.text
    twice = console.client.post(
        "/console/blocklist", data={"csrf_token": csrf.group(1), "number": NUMBER}
    )
    assert "already blocked" in twice.text
    unblock = re.search(r'action="(/console/blocklist/\w+/unblock)"', added.text)
    assert unblock
    done = console.client.post(unblock.group(1), data={"csrf_token": csrf.group(1)})
    assert "Number unblocked." in done.text and "No blocked numbers" in done.text
