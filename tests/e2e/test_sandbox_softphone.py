"""The softphone page in headless Chromium: a caller reaches a supporter over a masked bridge."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from twilio.rest import Client

from sandbox import Sandbox, SandboxServer, create_sandbox_app
from sandbox.testing import TwimlScript, sandbox_config
from tests.e2e.chromium import CHROMIUM, launch

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CALLER = "+16175550101"
SUPPORTER = "+16175550102"
HOTLINE = "+16175550100"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@dataclass
class Served:
    url: str
    sandbox: Sandbox
    script: TwimlScript


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    config = sandbox_config()
    rest = Client(config.account_sid, config.auth_token)

    def find_a_supporter(params: dict[str, str]) -> str:
        rest.calls.create(to=SUPPORTER, from_=HOTLINE, url=f"{config.base_url}/twilio/voice/screen")
        return (
            "<Response><Say>Thank you. Please hold while we connect you with a peer.</Say>"
            '<Dial><Conference startConferenceOnEnter="false" endConferenceOnExit="true" '
            'waitUrl="">req-1</Conference></Dial></Response>'
        )

    script = TwimlScript(
        config.auth_token,
        config.base_url,
        {
            "/twilio/voice": '<Response><Gather numDigits="1" timeout="60" '
            'action="/twilio/voice/role"><Say>This is a confidential peer-support line. '
            "Press 1 if you are a nurse.</Say></Gather></Response>",
            "/twilio/voice/role": '<Response><Gather input="speech dtmf" timeout="60" '
            'hints="Mass General, MGH" action="/twilio/voice/org">'
            "<Say>Please say the name of your hospital.</Say></Gather></Response>",
            "/twilio/voice/org": find_a_supporter,
            "/twilio/voice/screen": '<Response><Gather numDigits="1" timeout="60" '
            'action="/twilio/voice/accept"><Say>A nurse needs support today. '
            "Press 1 to accept.</Say></Gather></Response>",
            "/twilio/voice/accept": "<Response><Say>Connecting you now.</Say><Dial>"
            '<Conference endConferenceOnExit="true">req-1</Conference></Dial></Response>',
            "/twilio/sms": "<Response><Message>Thanks for texting Peerline. "
            "Reply 1 if you are a nurse.</Message></Response>",
        },
    )
    with TestClient(script.app, base_url=config.peerline_url) as http:
        sandbox = Sandbox(config, http=http)
        app = create_sandbox_app(config, sandbox=sandbox)
        try:
            with SandboxServer(app) as server:
                rest.api.base_url = server.url
                yield Served(server.url, sandbox, script)
        finally:
            sandbox.close()
    assert all(r.signed for r in script.received)


def test_a_call_and_a_text_from_the_softphone_page(served: Served) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(10_000)
            page.goto(served.url)
            expect(page.locator("#live")).to_have_text("Live")
            caller = page.locator(f'article.card[data-number="{CALLER}"]')
            supporter = page.locator(f'article.card[data-number="{SUPPORTER}"]')

            caller.get_by_role("button", name="Call the hotline").click()
            expect(caller.locator(".transcript")).to_contain_text("Press 1 if you are a nurse.")
            caller.get_by_role("button", name="Key 1").click()
            expect(caller.locator(".transcript")).to_contain_text("name of your hospital")
            expect(caller.locator(".listening")).to_contain_text("keys or speech")
            caller.get_by_placeholder("Type what you would say").fill("Mass General")
            caller.get_by_role("button", name="Say", exact=True).click()
            expect(caller.locator(".transcript")).to_contain_text("Please hold")
            expect(caller.locator(".call-status")).to_have_text("On hold")  # after the words

            expect(supporter.locator(".incoming-text")).to_have_text(
                "Incoming call from (617) 555-0100"
            )
            supporter.get_by_role("button", name="Answer").click()
            expect(supporter.locator(".transcript")).to_contain_text("Press 1 to accept.")
            supporter.get_by_role("button", name="Key 1").click()

            expect(caller.locator(".call-status")).to_have_text(
                "In a private call with Supporter A"
            )
            expect(supporter.locator(".call-status")).to_have_text(
                "In a private call with Caller (nurse)"
            )
            expect(supporter.locator(".caller-id")).to_contain_text("(617) 555-0100")
            expect(caller.locator(".caller-id")).to_contain_text("(617) 555-0100")
            assert served.script.last("/twilio/voice/org").params["SpeechResult"] == "Mass General"

            caller.get_by_placeholder("Text the hotline").fill("Is anyone there tonight?")
            caller.get_by_role("button", name="Send").click()
            expect(caller.locator(".chat")).to_contain_text("Thanks for texting Peerline.")

            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "sandbox-softphone.png"), full_page=True)

            supporter.get_by_role("button", name="Hang up").click()
            expect(caller.locator(".call-status")).to_have_text("Call ended (completed)")
        finally:
            browser.close()
