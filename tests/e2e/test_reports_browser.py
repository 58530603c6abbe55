"""Reports and the coverage forecast in headless Chromium against a real server: a small
count shows as "<5", the chart is drawn by the plotly.js the console serves itself, the
coverage grid marks its gaps, and no page logs an error (the strict CSP included).
Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from storage.models import HelpRequest, RequestStatus
from storage.roster import NewSupporter
from tests.e2e.chromium import CHROMIUM, launch
from tests.e2e.test_console_browser import (  # noqa: F401 - the served fixture
    ARTIFACTS,
    PASSWORD,
    Served,
    served,
)
from tests.request_support import waiting_request

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


def _seed(where: Served) -> None:
    """Today: 7 urgent requests by voice, reached in 20 minutes, 3 soon and 2 routine."""
    store = where.services.store
    now = datetime.now(UTC)
    for i in range(12):
        rid = waiting_request(store, urgency="urgent" if i < 7 else "soon" if i < 10 else "routine")
        values = {"created_at": now - timedelta(minutes=30 * i + 30)}
        if i < 7:
            values |= {
                "connected_at": now - timedelta(minutes=30 * i + 30) + timedelta(minutes=20),
                "status": RequestStatus.COMPLETED,
            }
        with store.engine.begin() as db:
            db.execute(update(HelpRequest).where(HelpRequest.id == rid).values(**values))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the SQL: tests/integration
def test_reports_show_suppressed_cells_and_a_local_chart(served: Served) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    _seed(served)
    served.roster.add_supporters(
        [
            NewSupporter(
                "Ana Lopez",
                "+12015550101",
                "nurse",
                languages=("en", "es"),
                schedule=[[d, "09:00", "17:00"] for d in range(7)],
            )
        ]
    )
    problems: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "request",
                lambda r: None if r.url.startswith(served.url) else problems.append(r.url),
            )
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.goto(served.url + "/console/login")
            page.get_by_label("Username or email").fill("ada")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("link", name="Reports").click()
            expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
            urgency = page.locator("#t-urgency")
            expect(urgency.locator("tbody tr").first).to_contain_text("7")
            small = urgency.locator(".suppressed").first
            expect(small).to_have_text("<5")
            expect(small).to_be_visible()
            expect(page.locator(".chart.drawn svg").first).to_be_visible(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "console-reports.png"))

            # The coverage grid: Ana covers 09-17 in English and Spanish, nobody else.
            page.get_by_role("link", name="Coverage forecast").click()
            expect(page.get_by_role("heading", name="Coverage forecast")).to_be_visible()
            grid = page.locator("#coverage-grid")
            expect(grid.locator("tbody tr")).to_have_count(7)
            night = grid.locator("tbody tr").first.locator("td").nth(2)  # 02:00 today
            expect(night).to_have_class("num gap")
            expect(night).to_contain_text("no nurse on shift")
            expect(page.locator("ul.gaps li").first).to_contain_text("Ask: Ana Lopez")
            expect(page.locator("#on-call")).to_contain_text("Kim Lee")
            page.screenshot(path=str(ARTIFACTS / "console-coverage.png"))
        finally:
            browser.close()
    assert problems == []
