"""The public request form in headless Chromium on a phone-sized screen: the safety notice
first, Spanish and back, the form filled and sent without JavaScript, the confirmation,
and the request on the coordinator's board; then the training ledger, lapsed first.
Screenshots go to test-artifacts/; no page may log a console error or fail a request. One
database backend (the SQL is in integration)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import Engine

from peerline import bootstrap
from peerline.app import create_app
from sandbox.server import SandboxServer
from storage.roster import NewSupporter, RosterStore
from tests.conftest import BACKENDS
from tests.e2e.chromium import CHROMIUM, launch
from tests.e2e.conftest import make_settings
from usecases.access import Role, cli_actor
from usecases.accounts import NewAccount

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "browser-password-1"
ANA, BEN = "+12015550101", "+12015550102"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@dataclass
class Served:
    url: str
    services: bootstrap.Services


@pytest.fixture
def served(
    database_url: str, redis_url: str, var_dir: Path, engine: Engine, redis_conn: Redis
) -> Iterator[Served]:
    settings = make_settings(database_url, redis_url, var_dir)
    settings.public_url = "http://127.0.0.1"  # plain http: cookies without Secure
    settings.web_form_min_seconds = 0.0  # the too-fast rule is tested in integration
    services = bootstrap.build(settings, fast_fail_redis=True)
    bootstrap.console_services(services).accounts.create(
        cli_actor("test"), NewAccount("ada", "Ada Admin", Role.ADMIN, PASSWORD, "ada@example.org")
    )
    with SandboxServer(create_app(settings, services)) as server:
        yield Served(server.url, services)
    services.close()


@pytest.mark.parametrize("database_url", [BACKENDS[-1]], indirect=True)
def test_a_nurse_asks_for_support_from_a_phone_browser(served: Served) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, java_script_enabled=False
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )

            page.goto(served.url + "/request")
            expect(page.get_by_role("heading", name="Ask for peer support")).to_be_visible()
            safety = page.get_by_role("complementary")
            expect(safety.get_by_role("link", name="In danger now? Call 911")).to_have_attribute(
                "href", "tel:911"
            )
            expect(safety.get_by_role("link", name="call or text 988")).to_have_attribute(
                "href", "tel:988"
            )
            page.screenshot(path=str(ARTIFACTS / "web-form.png"), full_page=True)

            page.get_by_role("link", name="En español").click()
            expect(page.get_by_role("heading", name="Pida apoyo de un colega")).to_be_visible()
            page.get_by_role("link", name="In English").click()

            page.get_by_label("Nurse", exact=True).check()
            page.get_by_label("Today").check()
            page.get_by_label("Someone outside my organization").check()
            page.get_by_label("What is the name of your hospital or organization?").fill("Tufts")
            page.get_by_label("Text me first to set up the call").check()
            page.get_by_label("Your mobile or phone number").fill("(617) 555-0123")
            page.get_by_role("button", name="Ask for a peer").click()
            expect(page.get_by_role("heading", name="Your request is in")).to_be_visible()
            expect(page.locator("main")).to_contain_text("We'll text you to set up the call.")
            page.screenshot(path=str(ARTIFACTS / "web-form-done.png"), full_page=True)

            [waiting] = served.services.store.waiting_requests()
            assert (waiting.channel, waiting.urgency, waiting.contact_mode) == (
                "web",
                "urgent",
                "text_first",
            )

            # The coordinator sees it on the board.
            board = browser.new_page(viewport={"width": 1280, "height": 900})
            board.goto(served.url + "/console/")
            board.get_by_label("Username or email").fill("ada@example.org")
            board.get_by_label("Password").fill(PASSWORD)
            board.get_by_role("button", name="Sign in").click()
            row = board.locator(f'tr[data-id="{waiting.id}"]')
            expect(row).to_contain_text("urgent")
            expect(row).to_contain_text(waiting.ticket)

            # While signed in: the training ledger, whose training lapses first.
            roster = RosterStore(served.services.store.engine, served.services.store.cipher)
            today = date.today()
            roster.add_supporters(
                [
                    NewSupporter(
                        "Ana Lopez",
                        ANA,
                        "nurse",
                        "Tufts",
                        training_tier="2",
                        trained_on=today - timedelta(days=400),
                    ),
                    NewSupporter(
                        "Ben Ode",
                        BEN,
                        "tech",
                        "BMC",
                        training_tier="trainee",
                        trained_on=today - timedelta(days=20),
                    ),
                ]
            )
            board.get_by_role("link", name="Training").click()
            expect(board.get_by_role("heading", name="Training ledger")).to_be_visible()
            first = board.locator("table.roster tbody tr").first
            expect(first).to_contain_text("Ana Lopez")
            expect(first).to_contain_text("lapsed")
            board.screenshot(path=str(ARTIFACTS / "console-training.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
