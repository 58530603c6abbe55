"""The console in headless Chromium against a real server: sign in, a call placed on the
sandbox appears on the board live, its match reasons, assign it to a supporter (whose
sandbox phone rings), ACK and close a request, a CSV import with a bad row, on-call hours,
a supporter's edit. Screenshots go to test-artifacts/; no page may log a console error or
fail a request. One database backend: the SQL is tested in tests/integration."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import Engine
from starlette.testclient import TestClient

from jobs import context
from peerline import bootstrap
from peerline.app import create_app
from sandbox import ManualClock, Sandbox, SandboxConfig
from sandbox.app import create_sandbox_app
from sandbox.server import SandboxServer
from storage.roster import NewSupporter, RosterStore
from telephony.carrier import TwilioCarrier, twilio_client
from tests.conftest import BACKENDS
from tests.e2e.chromium import CHROMIUM, launch
from tests.e2e.conftest import AUTH_TOKEN, PUBLIC_URL, make_settings
from tests.request_support import waiting_request
from usecases.access import Role, cli_actor
from usecases.accounts import NewAccount

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "browser-password-1"
CALLER, ANA, BEN = "+16175550133", "+12015550101", "+12015550102"
HOLD = ["1", "1", "1", "3", "1", "2"]  # English, nurse, today, no preference, connect now

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@dataclass
class Served:
    """Peerline served over HTTP for the browser (plain http: cookies without Secure), its
    webhooks reached by the sandbox in-process, a worker on demand."""

    url: str
    services: bootstrap.Services
    roster: RosterStore
    box: Sandbox | None = None

    def work(self) -> None:
        """Run every queued job, then let the sandbox deliver what they caused."""
        SimpleWorker(
            self.services.queues.all(), connection=self.services.redis, serializer=JSONSerializer
        ).work(burst=True)
        if self.box is not None:
            self.box.settle()


@pytest.fixture
def served(
    database_url: str, redis_url: str, var_dir: Path, engine: Engine, redis_conn: Redis
) -> Iterator[Served]:
    settings = make_settings(database_url, redis_url, var_dir)  # https: the webhooks' URL
    settings.calls_per_second = settings.sms_per_second = 1000.0
    in_browser = make_settings(database_url, redis_url, var_dir)
    in_browser.public_url = "http://127.0.0.1"
    in_browser.calls_per_second = in_browser.sms_per_second = 1000.0
    services = bootstrap.build(in_browser, fast_fail_redis=True)
    console = bootstrap.console_services(services)
    roster = RosterStore(services.store.engine, services.store.cipher)
    roster.add_coordinator("Kim Lee", "+16175550191")
    console.accounts.create(
        cli_actor("test"), NewAccount("ada", "Ada Admin", Role.ADMIN, PASSWORD, "ada@example.org")
    )
    config = SandboxConfig(
        account_sid=settings.twilio_account_sid,
        auth_token=AUTH_TOKEN,
        hotline_number=settings.hotline_number,
        peerline_url=PUBLIC_URL,
        public_url=PUBLIC_URL,
        cps=1000,
        sms_per_second=1000,
    )
    webhooks = TestClient(create_app(settings, services), base_url=PUBLIC_URL)
    box = Sandbox(config, clock=ManualClock(), http=webhooks)
    with (
        webhooks,
        SandboxServer(create_sandbox_app(config, sandbox=box)) as carrier_url,
        SandboxServer(create_app(in_browser, services)) as server,
    ):
        client = twilio_client(settings.twilio_account_sid, AUTH_TOKEN, carrier_url.url)
        deps = bootstrap.dispatch_deps(services, TwilioCarrier(client, settings.public_base))
        context.install(lambda: deps)
        yield Served(server.url, services, roster, box)
    box.close()
    services.close()


@pytest.mark.parametrize("database_url", [BACKENDS[-1]], indirect=True)  # SQL: integration
def test_a_coordinator_runs_the_program_from_the_browser(served: Served) -> None:
    from playwright.sync_api import expect, sync_playwright

    store, roster, box = served.services.store, served.roster, served.box
    assert box is not None
    [ana, ben] = roster.add_supporters(
        [
            NewSupporter("Ana Lopez", ANA, "nurse", "Tufts Medical Center", on_shift=True),
            NewSupporter(
                "Ben Ode",
                BEN,
                "physician",
                "Boston Medical Center",
                schedule=[[0, "09:00", "17:00"]],
            ),
        ]
    )
    first = waiting_request(store, urgency="routine", organization_unknown=True)
    ticket = store.get_request(first).ticket  # type: ignore[union-attr]
    problems: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
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
            expect(row).to_contain_text("routine")
            expect(row).to_contain_text("organization unknown")

            # A nurse calls the hotline on the sandbox: on the board without a reload (the
            # intake's event, Redis pub/sub, server-sent events).
            call = box.phone(CALLER).dial()
            for key in HOLD:
                call.press(key)
            [called] = [r.id for r in store.waiting_requests() if r.id != first]
            calling = page.locator(f'tr[data-id="{called}"]')
            expect(calling).to_contain_text("urgent")
            expect(calling).to_contain_text("waiting")
            expect(calling.locator(".promise")).to_contain_text("due by")  # drawn by console.js

            # Its match reasons, then assign it to Ben, whom dispatch passed over.
            called_ticket = store.get_request(called).ticket  # type: ignore[union-attr]
            page.get_by_role("link", name=called_ticket).click()
            expect(page.get_by_role("heading", name=f"Ticket {called_ticket}")).to_be_visible()
            considered = page.locator("ol.considered")
            expect(considered).to_contain_text("Ana Lopez")
            expect(considered).to_contain_text("same role (nurse)")
            expect(page.locator("table.left-out")).to_contain_text("role outside the ladder")
            page.screenshot(path=str(ARTIFACTS / "console-match.png"), full_page=True)
            page.get_by_label("Assign to").select_option(ben)
            page.get_by_role("button", name="Assign").click()
            expect(page.locator(".note")).to_contain_text("Ben Ode's phone rings")
            expect(page.locator("ol.history")).to_contain_text("coordinator.assign")

            # The worker claims Ben and rings his sandbox phone; the page hears it live.
            served.work()
            expect(page.locator("#request-live")).to_be_visible()
            page.get_by_role("link", name="Reload").click()
            expect(page.locator("ol.history")).to_contain_text(
                re.compile(r"offer.ringing.*step: assigned")
            )
            page.get_by_role("link", name="Board").click()
            expect(calling).to_contain_text("offering to Ben Ode")
            page.screenshot(path=str(ARTIFACTS / "console-board.png"), full_page=True)
            assert [leg.caller_id for leg in box.phone(BEN).ringing()] == [
                served.services.settings.hotline_number
            ]
            assert box.phone(ANA).ringing() == []

            # ACK the routine request, then close it with a reason: off the board.
            page.get_by_role("link", name=ticket).click()
            page.get_by_role("button", name=f"ACK {ticket}: it's mine").click()
            expect(page.locator(".note")).to_contain_text("Acknowledged")
            page.get_by_label("Close, because").select_option("test")
            page.once("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name="Close request").click()
            expect(page.locator(".note")).to_have_text("Closed.")
            expect(page.locator("ol.history")).to_contain_text("request.closed")
            page.get_by_role("link", name="Board").click()
            expect(calling).to_be_visible()
            expect(page.locator(f'tr[data-id="{first}"]')).to_have_count(0)
            assert store.get_request(first).status == "closed"  # type: ignore[union-attr]

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
            expect(calling).to_contain_text("offering to Ben Ode")
            page.screenshot(path=str(ARTIFACTS / "console-board-phone.png"), full_page=True)
            for path in ("/console/audit", "/console/accounts", "/console/tokens"):
                page.goto(served.url + path)
                expect(page.get_by_role("main")).to_be_visible()
        finally:
            browser.close()
    assert problems == [], problems
