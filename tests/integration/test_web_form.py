"""The public request form at /request: the same questions as the IVR through the same
flow and intake, and its protections (honeypot, time to submit, CSRF cookie + token, phone
checks, a per-address rate limit), in English and Spanish."""

from __future__ import annotations

import html
import re
import time
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from ivr.model import Language, State
from peerline import bootstrap
from peerline.bootstrap import master_key
from storage.blocklist import BlocklistStore
from storage.models import HelpRequest
from tests.fakes import MemoryRateLimiter
from tests.integration.conftest import Line
from usecases.intake import IntakeTurn
from usecases.web_form import FormGuard, FormLimits, form_key
from usecases.web_intake import WebAnswers, WebIntake

pytestmark = pytest.mark.integration
COOKIE = "__Host-peerline_form"  # the test app's public URL is https
PHONE, ANA = "(617) 555-0123", "+12015550101"
CALLBACK = {
    "role": "nurse",
    "urgency": "urgent",
    "org_pref": "outside",
    "organization": "Mass General",
    "contact": "callback",
    "callback_window": "evening",
    "phone": PHONE,
}


def opened(line: Line, lang: str = "en", age: float = 30.0) -> dict[str, str]:
    """Open the form as a browser would, then let ``age`` seconds pass (re-signed, so no
    test waits): the hidden fields to send back."""
    page = line.client.get(f"/request?lang={lang}")
    assert page.status_code == 200
    token = _hidden(page.text, "form_token")
    _issued, nonce, _mac = token.split(".")
    assert line.client.cookies.get(COOKIE) == nonce
    guard = FormGuard(form_key(master_key(line.settings)), MemoryRateLimiter(), FormLimits())
    stamp = f"{int(time.time() - age)}.{nonce}"
    return {"form_token": f"{stamp}.{guard._mac(stamp)}", "lang": lang}


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def send(line: Line, fields: dict[str, str], **changes: Any) -> Any:
    """POST the form; the answer's ``text`` as a person reads it (entities unescaped)."""
    response = line.client.post("/request", data={**fields, **CALLBACK, **changes})
    return SimpleNamespace(
        status_code=response.status_code, text=html.unescape(response.text), raw=response.text
    )


def requests_made(line: Line) -> list[HelpRequest]:
    with line.services.store.engine.connect() as db:
        return list(db.execute(select(HelpRequest)).all())  # type: ignore[arg-type]


def test_the_page_opens_with_the_safety_notice_and_works_without_javascript(line: Line) -> None:
    page = line.client.get("/request")
    text = page.text
    assert page.status_code == 200 and '<html lang="en">' in text
    assert text.index('href="tel:911"') < text.index("<form") > text.index('href="tel:988"')
    assert "<script" not in text  # nothing needs JavaScript
    assert "default-src 'self'" in page.headers["content-security-policy"]
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    for question in ("Which best describes your role?", "How soon would you like to talk"):
        assert question in text
    assert text.count('type="radio" id="role-') == 9  # the IVR's role menu, all of it


def test_a_call_back_request_goes_through_the_intake_and_is_dispatched(line: Line) -> None:
    line.services.store.add_organization("Massachusetts General Hospital", ["Mass General"])
    line.supporter("Ana Lopez", ANA, role="nurse")
    done = send(line, opened(line), callback_window="asap")
    assert done.status_code == 200, done.text
    assert "Your request is in" in done.text and "as soon as one is free." in done.text
    [row] = requests_made(line)
    assert (row.channel, row.role, row.urgency, row.contact_mode, row.callback_window) == (
        "web",
        "nurse",
        "urgent",
        "callback",
        "asap",
    )
    assert (row.organization, row.organization_unknown) == ("Massachusetts General Hospital", False)
    line.work()
    assert [c["to"] for c in line.carrier.calls if c["kind"] == "offer"] == [ANA]


def test_text_me_first_gets_a_confirmation_text_through_the_one_sender(line: Line) -> None:
    done = send(line, opened(line), contact="text_first", callback_window="")
    assert "We'll text you to set up the call." in done.text
    line.work()
    [text] = [m for m in line.carrier.messages if m["to"] == "+16175550123"]
    assert text["from_"] == line.settings.hotline_number
    assert text["body"].startswith("Peerline: we got your request.")


def test_the_same_form_sent_twice_makes_one_request(line: Line) -> None:
    fields = opened(line)
    assert "Your request is in" in send(line, fields).text
    assert "Your request is in" in send(line, fields).text
    assert len(requests_made(line)) == 1


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_kept(line: Line) -> None:
    done = send(line, opened(line), website="http://spam.example")
    assert done.status_code == 200 and "Your request is in" in done.text
    assert requests_made(line) == []


def test_too_fast_is_asked_again_with_the_answers_kept(line: Line) -> None:
    fields = opened(line, age=0)
    again = send(line, fields)
    assert "That was quick!" in again.text and requests_made(line) == []
    assert 'value="nurse" checked' in again.text and f'value="{PHONE}"' in again.text


@pytest.mark.parametrize("tamper", ["no cookie", "other cookie", "forged token"])
def test_csrf_cookie_and_token_must_match(line: Line, tamper: str) -> None:
    fields = opened(line)
    if tamper == "no cookie":
        line.client.cookies.clear()
    elif tamper == "other cookie":
        line.client.cookies.set(COOKIE, "someone-elses-nonce", domain="peerline.example.org")
    else:
        issued, nonce, _mac = fields["form_token"].split(".")
        fields["form_token"] = f"{issued}.{nonce}.{'0' * 64}"
    refused = send(line, fields)
    assert refused.status_code == 200 and "This form expired" in refused.text
    assert requests_made(line) == []


@pytest.mark.parametrize(
    ("phone", "says"),
    [
        ("555-12", "doesn't look complete"),
        ("+44 20 7946 0958", "We can only call numbers in the United States."),
        ("+1 900 555 0100", "We can't call that number."),
        ("", "doesn't look complete"),
    ],
)
def test_bad_phone_numbers_are_named(line: Line, phone: str, says: str) -> None:
    refused = send(line, opened(line), phone=phone)
    assert says in refused.text and 'aria-invalid="true"' in refused.text
    assert requests_made(line) == []


def test_a_blocked_number_is_refused_like_any_number_we_may_not_call(line: Line) -> None:
    store = line.services.store
    BlocklistStore(store.engine, store.cipher).add("+16175550123", "abusive", "test")
    refused = send(line, opened(line))
    assert "We can't call that number." in refused.text and "blocklist" not in refused.text
    assert requests_made(line) == []


def test_every_unanswered_question_is_named(line: Line) -> None:
    refused = send(line, opened(line), role="", urgency="wizard")
    assert "Which best describes your role? Choose one." in refused.text
    assert "How soon would you like to talk with a peer? Choose one." in refused.text
    assert requests_made(line) == []


def test_an_address_is_limited_per_hour(line: Line) -> None:
    limit = line.settings.web_requests_per_address_per_hour
    for _ in range(limit):
        assert "Your request is in" in send(line, opened(line)).text
    over = send(line, opened(line))
    assert over.status_code == 429 and "several requests" in over.text
    assert 'href="tel:' in over.text
    assert len(requests_made(line)) == limit


def test_spanish(line: Line) -> None:
    page = line.client.get("/request?lang=es")
    assert '<html lang="es">' in page.text and "¿Qué describe mejor su función?" in page.text
    assert "Llame al 911" in page.text
    done = send(line, opened(line, "es"), contact="text_first", callback_window="")
    assert "Su solicitud está registrada" in done.text
    [row] = requests_made(line)
    assert row.language == "es"
    line.work()
    assert line.carrier.messages[-1]["body"].startswith("Peerline: recibimos su solicitud.")


def test_risk_language_gets_the_crisis_answer_first_and_the_request_still_goes_in(
    line: Line,
) -> None:
    done = send(line, opened(line), organization="I want to kill myself")
    text = done.text[done.text.index("<main") :]
    assert "Please reach out for help now" in text
    assert text.index("Please reach out for help now") < text.index("Your request is in")
    assert 'href="tel:988"' in text
    [row] = requests_made(line)
    events = [kind for kind, _ in line.services.store.events(row.id)]
    assert "web.risk_language" in events


def test_consent_to_widen_the_match_is_asked_and_kept(line: Line) -> None:
    english = line.client.get("/request").text
    assert html.unescape(english).count("may another healthcare worker call you") == 1
    assert "may a peer call you in English?" not in english  # asked in Spanish only
    assert "may a peer call you in English" not in line.client.get("/request?lang=es").text
    assert "¿le puede llamar un colega en inglés?" in line.client.get("/request?lang=es").text
    send(line, opened(line), other_role="yes")
    [row] = requests_made(line)
    assert row.other_role_ok is True


def test_the_follow_up_text_is_asked_last_optional_and_kept(line: Line) -> None:
    page = html.unescape(line.client.get("/request").text)
    assert "May we text you once after your call" in page
    assert page.index("May we text you once") > page.index("may another healthcare worker")
    send(line, opened(line))  # not answered: no
    send(line, opened(line), phone="(617) 555-0199", follow_up="yes")
    rows = sorted(requests_made(line), key=lambda r: r.created_at)
    assert [r.follow_up_ok for r in rows] == [False, True]


class DownQueue:
    """Every job refused, as when Redis can't be reached."""

    def __getattr__(self, name: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> None:
            raise ConnectionError("Redis is down")

        return refuse


def test_with_the_queue_down_the_request_is_kept_and_confirmed(line: Line) -> None:
    store = line.services.store
    usual = bootstrap.console_services(line.services).web_requests.intake
    intake = WebIntake(
        store,
        IntakeTurn(store, DownQueue()),
        DownQueue(),
        usual.organizations,
        usual.policy,
        usual.phrases,
        usual.blocked,
    )
    choices = {
        State.ROLE: "nurse",
        State.URGENCY: "urgent",
        State.ORG_PREF: "any",
        State.CONTACT: "text_first",
    }
    answers = WebAnswers(Language.EN, choices, "I want to end it all", "(617) 555-0123")
    outcome = intake.submit(answers, "queue-down-nonce")
    assert (outcome.problems, outcome.risk, outcome.texted) == ({}, True, False)
    [row] = requests_made(line)
    assert row.dispatch_state == "pending"  # the reconciler queues it once Redis is back


class Structure(HTMLParser):
    """What a screen reader needs from the form: labels, legends, headings."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.fieldsets = self.legends = 0
        self.headings: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") != "hidden":
            self.inputs.append(found)
        elif tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        elif tag == "fieldset":
            self.fieldsets += 1
        elif tag == "legend":
            self.legends += 1
        elif tag in ("h1", "h2"):
            self.headings.append(tag)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_field_has_a_label_and_every_group_a_legend(line: Line, lang: str) -> None:
    page = Structure()
    page.feed(line.client.get(f"/request?lang={lang}").text)
    assert page.inputs and all(i.get("id") in page.labels for i in page.inputs)
    radios = [i for i in page.inputs if i.get("type") == "radio"]
    assert len({i["name"] for i in radios}) == page.fieldsets == page.legends
    assert page.headings.count("h1") == 1
    [phone] = [i for i in page.inputs if i.get("name") == "phone"]
    assert (phone["type"], phone["autocomplete"], phone["inputmode"]) == ("tel", "tel", "tel")
    [trap] = [i for i in page.inputs if i.get("name") == "website"]
    assert trap["tabindex"] == "-1"  # the honeypot is out of the keyboard's way


def test_a_huge_body_is_refused_before_it_is_read(line: Line) -> None:
    fields = opened(line)
    refused = send(line, fields, organization="x" * 20_000)
    assert refused.status_code == 413 and requests_made(line) == []


def test_a_text_first_web_request_that_expires_gets_the_kind_text(line: Line) -> None:
    done = send(line, opened(line), contact="text_first", callback_window="")
    assert "We'll text you to set up the call." in done.text
    [row] = requests_made(line)
    request = line.services.store.get_request(row.id)
    assert request is not None
    expiry = line.deps.expiry
    deadline = expiry.deadline(request)
    expiry.clock = lambda: deadline
    assert expiry.expire_overdue() == 1
    texts = [m["body"] for m in line.carrier.messages if m["to"] == "+16175550123"]
    [farewell] = [t for t in texts if "closed your request" in t]
    assert "988" in farewell and line.settings.hotline_number in farewell
    assert ("request.expiry_texted", {}) in line.services.store.events(row.id)


def test_a_call_back_web_request_that_expires_is_not_texted(line: Line) -> None:
    send(line, opened(line), callback_window="asap")
    [row] = requests_made(line)
    request = line.services.store.get_request(row.id)
    assert request is not None
    expiry = line.deps.expiry
    deadline = expiry.deadline(request)
    expiry.clock = lambda: deadline
    assert expiry.expire_overdue() == 1
    assert [m for m in line.carrier.messages if m["to"] == "+16175550123"] == []
