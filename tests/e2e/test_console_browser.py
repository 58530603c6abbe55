"""The console in headless Chromium against a real server: sign in, the board updates live,
a request's match reasons, a CSV import with a bad row, on-call hours, a supporter's edit.
Screenshots go to test-artifacts/; no page may log a console error or fail a request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import Engine

from peerline import bootstrap
from peerline.app import create_app
from sandbox.server import SandboxServer
from storage.roster import NewSupporter, RosterStore
from tests.console_support import new_request
from tests.e2e.conftest import make_settings
from usecases.access import Role, cli_actor
from usecases.accounts import NewAccount

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "browser-password-1"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@dataclass
class Served:
    url: str
    services: bootstrap.Services
    roster: RosterStore


@pytest.fixture
def served(
    database_url: str, redis_url: str, var_dir: Path, engine: Engine, redis_conn: Redis
) -> Iterator[Served]:
    settings = make_settings(database_url, redis_url, var_dir)
    settings.public_url = "http://127.0.0.1"  # plain http here: cookies without Secure
    services = bootstrap.build(settings, fast_fail_redis=True)
    console = bootstrap.console_services(services)
    roster = RosterStore(services.store.engine, services.store.cipher)
    roster.add_coordinator("Kim Lee", "+16175550191")
    console.accounts.create(
        cli_actor("test"), NewAccount("ada", "Ada Admin", Role.ADMIN, PASSWORD, "ada@example.org")
    )
    with SandboxServer(create_app(settings, services)) as server:
        yield Served(server.url, services, roster)
    services.close()


def test_a_coordinator_runs_the_program_from_the_browser(served: Served) -> None:
    from playwright.sync_api import expect, sync_playwright

    store, roster = served.services.store, served.roster
    [ana, _ben] = roster.add_supporters(
        [
            NewSupporter(
                "Ana Lopez", "+12015550101", "nurse", "Tufts Medical Center", on_shift=True
            ),
            NewSupporter(
                "Ben Ode",
                "+12015550102",
                "physician",
                "Boston Medical Center",
                schedule=[[0, "09:00", "17:00"]],
            ),
        ]
    )
    first = new_request(store, urgency="urgent", organization_unknown=True)
    ticket = store.get_request(first).ticket  # type: ignore[union-attr]
    problems: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(10_000)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "response",
                lambda r: (
                    problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 and "/login" not in r.url
                    else None
                ),
            )

            # Sign in: the board asks for it first.
            page.goto(served.url + "/console/")
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            page.get_by_label("Username or email").fill("ada@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Board")).to_be_visible()
            expect(page.locator("#live")).to_have_text("Live")
            row = page.locator(f'tr[data-id="{first}"]')
            expect(row).to_contain_text("urgent")
            expect(row).to_contain_text("organization unknown")

            # A new request appears without a reload: the intake's event, Redis pub/sub, SSE.
            second = new_request(store, urgency="soon", role="physician")
            expect(page.locator(f'tr[data-id="{second}"]')).to_contain_text("soon")
            page.screenshot(path=str(ARTIFACTS / "console-board.png"), full_page=True)

            # The match reasons of the first request.
            page.get_by_role("link", name=ticket).click()
            expect(page.get_by_role("heading", name=f"Ticket {ticket}")).to_be_visible()
            considered = page.locator("ol.considered")
            expect(considered).to_contain_text("Ana Lopez")
            expect(considered).to_contain_text("same role (nurse)")
            expect(page.locator("table.left-out")).to_contain_text("role outside the ladder")
            page.screenshot(path=str(ARTIFACTS / "console-match.png"), full_page=True)
            page.get_by_role("button", name=f"ACK {ticket}: it's mine").click()
            expect(page.locator(".note")).to_contain_text("Acknowledged")

            # A CSV with one bad row: nothing imported, the row named.
            page.get_by_role("link", name="Import").click()
            page.get_by_label("…or paste it here").fill(
                "name,phone,role,organization,languages\n"
                "Cal Calm,617-555-0123,tech,Tufts Medical Center,en\n"
                "Dee Dry,555-12,nurse,Tufts Medical Center,en\n"
            )
            page.get_by_role("button", name="Preview").click()
            expect(page.locator("#row-errors")).to_contain_text(
                "row 3: phone '555-12' is not a valid number"
            )
            page.screenshot(path=str(ARTIFACTS / "console-import-errors.png"), full_page=True)
            assert len(roster.supporters()) == 2
            pasted = page.get_by_label("…or paste it here")
            expect(pasted).to_have_value(re.compile("Dee Dry,555-12"))  # kept, to fix in place
            pasted.fill(pasted.input_value().replace("555-12", "617-555-0124"))
            page.get_by_role("button", name="Preview").click()
            expect(page.locator(".warn")).to_contain_text(
                "nobody in this file can ever be on shift"
            )
            page.get_by_role("button", name="Import these 2").click()
            expect(page.locator(".note")).to_contain_text("Imported 2 supporters")
            assert len(roster.supporters()) == 4

            # A coordinator's on-call hours.
            page.get_by_role("link", name="Coordinators").click()
            page.get_by_role("link", name="Kim Lee").click()
            page.get_by_label("Mon").fill("09:00-17:00")
            page.get_by_label("Fri").fill("18:00-08:00")
            page.get_by_role("button", name="Save").click()
            expect(page.locator(".note")).to_have_text("Saved.")
            [kim] = roster.coordinators()
            assert kim.on_call == [[0, "09:00", "17:00"], [4, "18:00", "08:00"]]

            # Edit a supporter: a weekly schedule and the AWAY override.
            page.get_by_role("link", name="Supporters").click()
            page.screenshot(path=str(ARTIFACTS / "console-roster.png"), full_page=True)
            page.get_by_role("link", name="Ana Lopez").click()
            page.get_by_label("Tue").fill("10:00-14:00, 18:00-20:00")
            page.get_by_label("AWAY: never offered calls").check()
            page.get_by_role("button", name="Save").click()
            expect(page.locator(".note")).to_have_text("Saved.")
            edited = roster.supporter(ana)
            assert edited is not None and edited.on_shift is False
            assert edited.schedule == [[1, "10:00", "14:00"], [1, "18:00", "20:00"]]
            expect(page.locator("dl.facts")).to_contain_text("AWAY override")

            # A bad value is refused with the CSV import's own words, and nothing changes.
            page.get_by_label("Wed").fill("9 to 5")
            page.get_by_role("button", name="Save").click()
            expect(page.locator(".errors")).to_contain_text("is not like 'Mon 09:00-17:00'")

            # Phone width: the board still reads.
            page.set_viewport_size({"width": 390, "height": 844})
            page.get_by_role("link", name="Board").click()
            expect(page.locator(f'tr[data-id="{first}"]')).to_contain_text("acknowledged")
            page.screenshot(path=str(ARTIFACTS / "console-board-phone.png"), full_page=True)
            for path in ("/console/audit", "/console/accounts", "/console/tokens"):
                page.goto(served.url + path)
                expect(page.get_by_role("main")).to_be_visible()
        finally:
            browser.close()
    assert problems == [], problems
