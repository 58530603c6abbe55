"""The README's first call, as a person makes it, in Chromium, against the real Peerline.

"Open the softphone page, pick You (a caller) and call the hotline: press 1 (English),
1 (nurse), 1 (today), 3 (no preference), 1 (stay on the line). A supporter's phone rings
… press 1, and both phones are in one conference."

Peerline runs in-process on the demo data ``peerline run`` seeds; the sandbox is served
over HTTP to the browser, on a manual clock. Every key is pressed 3 to 5 s after its
prompt has finished playing on that clock (a person listens, then decides), and the
supporter answers a few seconds into the ringing: the clock is moved, nobody waits.

The screenshot of the connected call goes to test-artifacts/; with
PEERLINE_DOCS_SCREENSHOTS=1 also to docs/img/, which the README shows.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from starlette.testclient import TestClient

from jobs import context
from peerline import bootstrap, demo
from peerline.settings import Settings
from sandbox import ManualClock, Sandbox, SandboxConfig, SandboxServer, create_sandbox_app
from sandbox.phones import Heard
from storage.roster import RosterStore
from telephony.carrier import TwilioCarrier, twilio_client
from tests.e2e.chromium import CHROMIUM, launch
from tests.e2e.conftest import AUTH_TOKEN, CRISIS, PUBLIC_URL

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOT = "readme-first-call.png"
CALLER, CALLER_LABEL = demo.DEMO_CALLER
# The README's keys, each with how long the person thinks after the prompt ends (s).
KEYS = [("1", 3.5), ("1", 4.0), ("1", 5.0), ("3", 3.0), ("1", 4.5), ("2", 3.0)]
ANSWER_AFTER, ACCEPT_AFTER = 4.0, 3.5  # rings before the supporter answers; then thinks

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@dataclass
class Demo:
    url: str
    box: Sandbox
    services: bootstrap.Services
    labels: dict[str, str]  # number -> label on the page

    def work(self) -> None:
        """What the worker does at once in `make run`: the queued jobs, now."""
        SimpleWorker(
            self.services.queues.all(), connection=self.services.redis, serializer=JSONSerializer
        ).work(burst=True)
        self.box.settle()

    def keys_pressed(self, number: str) -> list[float]:
        """When (sandbox clock) each key reached the carrier on this phone's latest call."""
        return [
            line.at
            for line in self.box.phone(number).calls()[-1].log()
            if line.kind is Heard.PRESSED
        ]

    def wait_for_keys(self, number: str, count: int) -> None:
        """The page's click travels over HTTP to the sandbox: wait until it has arrived."""
        deadline = time.monotonic() + 10
        while len(self.keys_pressed(number)) < count:
            assert time.monotonic() < deadline, f"key {count} never reached the sandbox"
            time.sleep(0.02)


@pytest.fixture
def demo_world(
    client: TestClient,
    settings: Settings,
    services: bootstrap.Services,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Demo]:
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    roster = RosterStore(services.store.engine, services.store.cipher)
    demo.seed(settings, services.store, roster)  # as `peerline run` does on a fresh laptop
    phones = demo.sandbox_phones(roster)
    config = SandboxConfig(
        account_sid=settings.twilio_account_sid,
        auth_token=AUTH_TOKEN,
        hotline_number=settings.hotline_number,
        peerline_url=PUBLIC_URL,
        public_url=PUBLIC_URL,
        demo_phones=phones,
        crisis_number=CRISIS,
    )
    box = Sandbox(config, clock=ManualClock(), http=client)
    with SandboxServer(create_sandbox_app(config, sandbox=box)) as server:
        carrier = TwilioCarrier(
            twilio_client(settings.twilio_account_sid, AUTH_TOKEN, server.url),
            settings.public_base,
        )
        deps = bootstrap.dispatch_deps(services, carrier)
        context.install(lambda: deps)
        yield Demo(server.url, box, services, {number: label for number, label, _ in phones})
        assert box.notices() == [], "every TwiML document Peerline served ran cleanly"
        assert all(d.status_code == 200 for d in box.deliveries()), "every webhook accepted"
    box.close()


def card(page: Page, number: str) -> Locator:
    return page.locator(f'article.card[data-number="{number}"]')


def test_the_readme_call_connects_at_human_speed(demo_world: Demo) -> None:
    from playwright.sync_api import expect, sync_playwright

    box = demo_world.box
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(
                viewport={"width": 1280, "height": 960}, locale="en-US", timezone_id="UTC"
            )
            page.set_default_timeout(10_000)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(demo_world.url)
            expect(page.locator("#live")).to_have_text("Live")
            caller = card(page, CALLER)
            expect(caller.locator(".card-title")).to_have_text("You (a caller)")

            caller.get_by_role("button", name="Call the hotline").click()
            expect(caller.locator(".transcript")).to_contain_text("Thank you for calling Peerline")
            call = box.phone(CALLER).calls()[-1]
            thinking: list[float] = []
            for count, (key, pause) in enumerate(KEYS, start=1):
                call.listen()  # the prompt plays to its end; the Gather's timeout starts
                ended = box.clock.now()
                box.advance(pause)
                caller.get_by_role("button", name=f"Key {key}").click()
                demo_world.wait_for_keys(CALLER, count)
                thinking.append(demo_world.keys_pressed(CALLER)[-1] - ended)
            assert thinking == pytest.approx([pause for _key, pause in KEYS])
            assert all(3 <= pause <= 5 for pause in thinking)
            heard = " ".join(call.transcript())
            assert "didn't hear a choice" not in heard and "not an option" not in heard
            expect(caller.locator(".transcript")).to_contain_text("Please stay on the line")

            demo_world.work()  # dispatch: the best supporter on shift is rung
            [supporter] = [n for n in demo_world.labels if box.phone(n).ringing()]
            helper = card(page, supporter)
            expect(helper.locator(".incoming")).to_be_visible()
            expect(helper).to_be_in_viewport()
            hotline = page.locator("#hotline").inner_text()  # as the page writes it
            expect(helper.locator(".incoming-text")).to_have_text(f"Incoming call from {hotline}")

            box.advance(ANSWER_AFTER)
            helper.get_by_role("button", name="Answer").click()
            expect(helper.locator(".transcript")).to_contain_text(
                "A nurse needs peer support today"
            )
            offer = box.phone(supporter).calls()[-1]
            offer.listen()
            ended = box.clock.now()
            # Meanwhile the caller heard the confirmation and now waits in the hold loop.
            expect(caller.locator(".call-status")).to_have_text("On hold")
            box.advance(ACCEPT_AFTER)
            helper.get_by_role("button", name="Key 1").click()
            demo_world.wait_for_keys(supporter, 1)
            assert demo_world.keys_pressed(supporter)[-1] - ended == pytest.approx(ACCEPT_AFTER)
            demo_world.work()  # connect: the holding caller joins the supporter
            offer.listen()  # each hears a word of what happens next, then the other
            call.listen()

            supporter_label = demo_world.labels[supporter]
            expect(caller.locator(".call-status")).to_have_text(
                f"In a private call with {supporter_label}"
            )
            expect(helper.locator(".call-status")).to_have_text(
                f"In a private call with {CALLER_LABEL}"
            )
            assert offer.caller_id == box.config.hotline_number  # the supporter sees the hotline
            for number in (CALLER, supporter):
                expect(card(page, number)).not_to_contain_text("peerline-")  # no conference name
            assert call.connected and offer.connected
            assert errors == []

            # Done watching: hide any other phone, so the two on the call sit side by side.
            shown = [c.get_attribute("data-number") for c in page.locator("article.card").all()]
            for number in set(shown) - {CALLER, supporter}:
                card(page, str(number)).get_by_role("button", name="Hide this phone").click()
            expect(page.locator("article.card")).to_have_count(2)
            page.evaluate("window.scrollTo(0, 0)")
            page.mouse.move(0, 0)  # no hover highlight where the hidden card's button was
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / SCREENSHOT))
            if os.environ.get("PEERLINE_DOCS_SCREENSHOTS") == "1":
                page.screenshot(path=str(ROOT / "docs" / "img" / SCREENSHOT))
        finally:
            browser.close()
