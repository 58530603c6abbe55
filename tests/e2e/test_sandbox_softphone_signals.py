"""The softphone page gives a person the signals a phone gives, in headless Chromium.

A ringing phone opens, comes into view with its Answer button focused and rings; a text
from the hotline badges its phone; the words are "On hold" and "In a private call with";
a repeated prompt shows once; every line has a time; a stopped sandbox says so. The clock
is a manual one, moved from here, so prompts take their time without the test waiting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.testclient import TestClient
from twilio.rest import Client

from sandbox import ManualClock, Sandbox, SandboxServer, create_sandbox_app
from sandbox.testing import TwimlScript, sandbox_config
from tests.e2e.chromium import CHROMIUM, launch

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Response

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CALLER, SUPPORTER, OTHER, COORDINATOR = (
    "+16175550101",
    "+16175550102",
    "+16175550103",
    "+16175550104",
)
HOTLINE = "+16175550100"
WHISPER = "A nurse needs support today. Press 1 to accept."

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@dataclass
class Served:
    url: str
    sandbox: Sandbox
    server: SandboxServer
    rest: Client
    problems: list[str] = field(default_factory=list)  # console errors, failed requests

    def listen(self, number: str) -> None:
        """Let the prompts playing to this phone's latest call play out (manual clock)."""
        self.sandbox.phone(number).calls()[-1].listen()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    config = sandbox_config(
        demo_phones=(
            (CALLER, "Caller (nurse)", True),
            (OTHER, "Supporter B", True),
            (SUPPORTER, "Supporter A"),  # not open: its ringing must bring it up
            (COORDINATOR, "Coordinator"),
        )
    )
    rest = Client(config.account_sid, config.auth_token)

    def find_a_supporter(params: dict[str, str]) -> str:
        rest.calls.create(to=SUPPORTER, from_=HOTLINE, url=f"{config.base_url}/screen")
        return (
            "<Response><Say>Thank you. Please hold while we find a peer.</Say>"
            '<Dial><Conference startConferenceOnEnter="false" endConferenceOnExit="true" '
            'waitUrl="">peerline-a1c8b7f9</Conference></Dial></Response>'
        )

    script = TwimlScript(
        config.auth_token,
        config.base_url,
        {
            "/twilio/voice": '<Response><Gather numDigits="1" timeout="6" action="/role">'
            "<Say>This is a confidential peer-support line.</Say>"
            "<Say>Press 1 if you are a nurse.</Say></Gather></Response>",
            "/role": find_a_supporter,
            "/screen": '<Response><Gather numDigits="1" timeout="10" action="/accept">'
            f"<Say>{WHISPER}</Say><Say>{WHISPER}</Say></Gather></Response>",
            "/accept": "<Response><Say>Connecting you now.</Say><Dial>"
            '<Conference endConferenceOnExit="true">peerline-a1c8b7f9</Conference>'
            "</Dial></Response>",
        },
    )
    with TestClient(script.app, base_url=config.peerline_url) as http:
        sandbox = Sandbox(config, clock=ManualClock(), http=http)
        server = SandboxServer(create_sandbox_app(config, sandbox=sandbox)).start()
        rest.api.base_url = server.url
        try:
            yield Served(server.url, sandbox, server, rest)
        finally:
            server.stop()
            sandbox.close()
    assert all(r.signed for r in script.received)


def watch(page: Page, served: Served) -> None:
    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            served.problems.append(f"console: {message.text}")

    def response(answer: Response) -> None:
        if answer.status >= 400:
            served.problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda error: served.problems.append(f"page error: {error}"))
    page.on("response", response)


def test_the_page_gives_the_signals_a_phone_gives(served: Served) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 720}, locale="en-GB", timezone_id="UTC"
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            watch(page, served)
            page.goto(served.url)
            expect(page.locator("#live")).to_have_text("Live")
            cards = page.locator("article.card")
            expect(cards).to_have_count(2)  # the phones the demo list flags, not the first two
            caller = page.locator(f'article.card[data-number="{CALLER}"]')
            supporter = page.locator(f'article.card[data-number="{SUPPORTER}"]')
            expect(page.locator("#phone-list")).to_contain_text("988 Lifeline")
            page.get_by_label("Sound: ring, and read prompts aloud").check()

            caller.get_by_role("button", name="Call the hotline").click()
            first_line = caller.locator(".transcript li.say").first
            expect(first_line).to_contain_text("This is a confidential peer-support line.")
            expect(first_line.locator("time.at")).to_have_text("08:00:00")  # the manual clock
            expect(caller.locator(".listening")).to_contain_text("before the prompt ends")
            served.listen(CALLER)
            expect(caller.locator(".transcript li.say").nth(1)).to_contain_text("Press 1")
            expect(caller.locator(".transcript li.say").nth(1).locator("time.at")).to_have_text(
                "08:00:02"  # six words at 160 a minute: the second sentence 2.25 s later
            )
            expect(caller.locator(".listening")).to_have_text("Listening for keys")
            caller.get_by_role("button", name="Key 1").click()
            expect(caller.locator(".transcript")).to_contain_text("Please hold")
            served.listen(CALLER)
            expect(caller.locator(".call-status")).to_have_text("On hold")

            # Supporter A was not open: its ringing opens it, in view, Answer focused.
            expect(supporter).to_be_in_viewport()
            expect(supporter.get_by_role("button", name="Answer")).to_be_focused()
            expect(page.locator("body")).to_have_attribute("data-ring-tone", "on")
            supporter.get_by_role("button", name="Answer").click()
            expect(page.locator("body")).to_have_attribute("data-ring-tone", "off")
            expect(supporter.locator(".transcript")).to_contain_text("A nurse needs support")
            served.listen(SUPPORTER)  # the offer, said twice
            expect(supporter.locator(".transcript")).to_contain_text(f"{WHISPER} (repeated)")
            expect(supporter.locator(".transcript li.say")).to_have_count(1)
            supporter.get_by_role("button", name="Key 1").click()
            expect(supporter.locator(".transcript")).to_contain_text("Connecting you now.")
            served.listen(SUPPORTER)  # (only once the key has reached the sandbox)
            expect(caller.locator(".call-status")).to_have_text(
                "In a private call with Supporter A"
            )
            expect(supporter.locator(".call-status")).to_have_text(
                "In a private call with Caller (nurse)"
            )
            expect(page.get_by_text("peerline-a1c8b7f9")).to_have_count(0)

            served.rest.messages.create(to=COORDINATOR, from_=HOTLINE, body="Ticket K7Q2.")
            coordinator = page.locator(f'#phone-list button[data-number="{COORDINATOR}"]')
            expect(coordinator.locator(".unread")).to_have_text("1 new text")
            coordinator.click()
            expect(
                page.locator(f'article.card[data-number="{COORDINATOR}"] .chat')
            ).to_contain_text("Ticket K7Q2.")
            expect(coordinator.locator(".unread")).to_have_count(0)

            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "sandbox-softphone-signals.png"), full_page=True)
            assert served.problems == [], "no console error and no failed request (favicon)"

            served.server.stop()
            expect(page.locator("#stopped")).to_be_visible()
            expect(page.locator("#stopped")).to_contain_text("Sandbox stopped")
            expect(caller.get_by_role("button", name="Hang up")).to_be_disabled()
            expect(page.get_by_role("button", name="Add phone")).to_be_disabled()
            expect(page.locator("#live")).to_have_text("Stopped")
            refused = [p for p in served.problems if not re.search("ERR_CONNECTION_REFUSED", p)]
            assert refused == [], "after the stop, only the refused reconnections"
            page.screenshot(path=str(ARTIFACTS / "sandbox-softphone-stopped.png"))
        finally:
            browser.close()
