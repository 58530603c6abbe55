"""The softphone page's HTTP side: state, actions, and the live-update stream."""

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from sandbox import Sandbox, create_sandbox_app
from sandbox.testing import TwimlScript, scripted_sandbox

PAGE = "http://127.0.0.1:8765"  # where the page is served: its own origin
CALLER = "+16175550101"
SUPPORTER = "+16175550102"
MENU = (
    '<Response><Gather input="speech dtmf" hints="MGH" action="/org">'
    "<Say>Say the name of your hospital.</Say></Gather></Response>"
)


@pytest.fixture
def page() -> Iterator[tuple[TestClient, Sandbox, TwimlScript]]:
    replies = {
        "/twilio/voice": MENU,
        "/org": f'<Response><Say>Thanks.</Say><Dial callerId="+16175550100">{SUPPORTER}</Dial>'
        "</Response>",
        "/twilio/sms": "<Response><Message>Hello from Peerline.</Message></Response>",
    }
    with scripted_sandbox(replies) as (sandbox, script):
        app = create_sandbox_app(sandbox.config, sandbox=sandbox, stream_seconds=0.3)
        with TestClient(app, base_url=PAGE, headers={"Origin": PAGE}) as client:
            yield client, sandbox, script


def phone_state(client: TestClient, number: str) -> dict:  # type: ignore[type-arg]
    state = client.get("/sandbox/state").json()
    return next(p for p in state["phones"] if p["number"] == number)


def test_the_page_and_its_assets_are_served_locally(
    page: tuple[TestClient, Sandbox, TwimlScript],
) -> None:
    client, _, _ = page
    html = client.get("/").text
    assert "/static/app.js" in html and "/static/style.css" in html
    assert "http" not in html.replace("http-equiv", "")  # no CDN, no external font
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/ringer.js").status_code == 200
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")
    assert '<link rel="icon" href="/static/favicon.svg"' in html
    for icon in ["/static/favicon.svg", "/favicon.ico"]:  # no 404 in the console, ever
        response = client.get(icon)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")


def test_demo_phones_are_preloaded_and_phones_can_be_added(
    page: tuple[TestClient, Sandbox, TwimlScript],
) -> None:
    client, _, _ = page
    state = client.get("/sandbox/state").json()
    assert state["hotline"] == "+16175550100"
    assert [p["number"] for p in state["phones"]][:2] == [CALLER, SUPPORTER]
    assert not any(p["open_by_default"] for p in state["phones"])  # so the page opens two
    assert phone_state(client, "+18002738255")["label"] == "988 Lifeline"

    added = client.post("/sandbox/phones", json={"number": "+16175550199", "label": "Supporter C"})
    assert added.status_code == 201
    assert phone_state(client, "+16175550199")["label"] == "Supporter C"
    for bad in ["617-555-0199", "+16175550100", ""]:
        assert client.post("/sandbox/phones", json={"number": bad}).status_code == 400


def test_a_call_driven_from_the_page(page: tuple[TestClient, Sandbox, TwimlScript]) -> None:
    client, sandbox, script = page

    sid = client.post(f"/sandbox/phones/{CALLER}/dial", json={}).json()["sid"]
    sandbox.settle()
    [call] = phone_state(client, CALLER)["calls"]
    assert call["sid"] == sid and not call["incoming"]
    listening = {"input": ["dtmf", "speech"], "hints": "MGH", "language": "en-US"}
    assert call["listening"] == {**listening, "prompting": True}
    sandbox.call(sid).listen()
    assert phone_state(client, CALLER)["calls"][0]["listening"] == {
        **listening,
        "prompting": False,  # the prompt has played: the timeout runs
    }
    assert [line["text"] for line in call["log"] if line["kind"] == "say"] == [
        "Say the name of your hospital."
    ]

    assert client.post(f"/sandbox/calls/{sid}/say", json={"text": "Mass General"}).json() == {
        "ok": True
    }
    sandbox.settle()
    assert script.last("/org").params["SpeechResult"] == "Mass General"
    sandbox.call(sid).listen()  # "Thanks.", then the Dial rings

    [ringing] = phone_state(client, SUPPORTER)["calls"]
    assert ringing["incoming"] and ringing["status"] == "ringing"
    assert ringing["caller_id"] == "+16175550100"
    assert client.post(f"/sandbox/calls/{ringing['sid']}/answer", json={}).status_code == 200
    sandbox.settle()
    caller_call = phone_state(client, CALLER)["calls"][0]
    assert caller_call["connected"] and not caller_call["holding"]
    assert caller_call["with"] == ["Supporter A"]  # the phone's label, for the page to show
    assert phone_state(client, SUPPORTER)["calls"][0]["with"] == ["Caller (nurse)"]

    assert client.post(f"/sandbox/calls/{sid}/press", json={"digits": "12#"}).status_code == 200
    assert client.post(f"/sandbox/calls/{sid}/hangup", json={}).status_code == 200
    sandbox.settle()
    assert phone_state(client, SUPPORTER)["calls"][0]["status"] == "completed"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/sandbox/calls/CA0/press", {"digits": "1"}, 404),
        ("/sandbox/phones/+16175550888/dial", {}, 404),
        (f"/sandbox/phones/{CALLER}/sms", {"body": ""}, 400),
    ],
)
def test_bad_requests(
    page: tuple[TestClient, Sandbox, TwimlScript],
    path: str,
    body: dict,
    status: int,  # type: ignore[type-arg]
) -> None:
    client, _, _ = page
    assert client.post(path, json=body).status_code == status


def test_bad_actions_on_a_live_call(page: tuple[TestClient, Sandbox, TwimlScript]) -> None:
    client, sandbox, _ = page
    sid = client.post(f"/sandbox/phones/{CALLER}/dial", json={}).json()["sid"]
    sandbox.settle()
    for action, body in [
        ("press", {"digits": "1a"}),
        ("say", {"text": " "}),
        ("answer", {}),
        ("fly", {}),
    ]:
        assert client.post(f"/sandbox/calls/{sid}/{action}", json=body).status_code == 400


def test_texts_from_the_page(page: tuple[TestClient, Sandbox, TwimlScript]) -> None:
    client, sandbox, _ = page
    assert client.post(f"/sandbox/phones/{CALLER}/sms", json={"body": "hello"}).status_code == 201
    sandbox.settle()
    messages = phone_state(client, CALLER)["messages"]
    assert [(m["mine"], m["body"]) for m in messages] == [
        (True, "hello"),
        (False, "Hello from Peerline."),
    ]


def test_the_event_stream_announces_changes(page: tuple[TestClient, Sandbox, TwimlScript]) -> None:
    client, sandbox, _ = page
    client.post(f"/sandbox/phones/{CALLER}/sms", json={"body": "hello"})
    sandbox.settle()

    with client.stream("GET", "/sandbox/events", headers={"Last-Event-ID": "0"}) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        body = "".join(stream.iter_text())

    assert body.startswith("retry: 1000")
    assert "event: change" in body and '"sms"' in body and "id: " in body


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Origin": "https://evil.example"}, "cross-site request refused"),
        ({"Origin": "http://127.0.0.1:9999"}, "cross-site request refused"),  # another port
        ({"Origin": "null"}, "cross-site request refused"),  # a sandboxed iframe, a file
        ({"Sec-Fetch-Site": "cross-site"}, "no Origin"),
        ({}, "no Origin"),
    ],
)
def test_control_requests_from_another_origin_are_refused(
    page: tuple[TestClient, Sandbox, TwimlScript], headers: dict[str, str], reason: str
) -> None:
    _, sandbox, _ = page
    app = create_sandbox_app(sandbox.config, sandbox=sandbox)
    with TestClient(app, base_url=PAGE, headers=headers) as stranger:
        response = stranger.post(f"/sandbox/phones/{CALLER}/sms", json={"body": "hi"})
    assert response.status_code == 403 and reason in response.json()["error"]
    assert sandbox.switchboard.phones[CALLER].messages == []


def test_a_form_post_is_refused_even_from_the_page_itself(
    page: tuple[TestClient, Sandbox, TwimlScript],
) -> None:
    client, sandbox, _ = page
    # What a cross-site <form> can send: a "simple" content type, no CORS preflight.
    for kind in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data"):
        response = client.post(
            f"/sandbox/phones/{CALLER}/dial", content=b"{}", headers={"Content-Type": kind}
        )
        assert response.status_code == 403 and "JSON" in response.json()["error"]
    assert sandbox.switchboard.phones[CALLER].calls == []


def test_the_browsers_own_same_origin_mark_is_enough_without_an_origin(
    page: tuple[TestClient, Sandbox, TwimlScript],
) -> None:
    _, sandbox, _ = page
    app = create_sandbox_app(sandbox.config, sandbox=sandbox)
    with TestClient(app, base_url=PAGE, headers={"Sec-Fetch-Site": "same-origin"}) as own:
        assert own.post(f"/sandbox/phones/{CALLER}/sms", json={"body": "hi"}).status_code == 201


def test_a_rebound_host_name_reads_and_changes_nothing(
    page: tuple[TestClient, Sandbox, TwimlScript],
) -> None:
    _, sandbox, _ = page
    app = create_sandbox_app(sandbox.config, sandbox=sandbox)
    rebound = "http://attacker.example:8765"  # its DNS now answers 127.0.0.1
    with TestClient(app, base_url=rebound, headers={"Origin": rebound}) as attacker:
        for path in ("/", "/sandbox/state"):
            assert attacker.get(path).status_code == 403, path
        sent = attacker.post(f"/sandbox/phones/{CALLER}/sms", json={"body": "hi"})
        assert sent.status_code == 403
    with TestClient(app, base_url="http://localhost:8765") as local:
        assert local.get("/sandbox/state").status_code == 200


def test_the_page_may_not_be_framed(page: tuple[TestClient, Sandbox, TwimlScript]) -> None:
    client, _, _ = page
    headers = client.get("/").headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == "frame-ancestors 'none'"
