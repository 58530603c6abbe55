"""Calls placed and steered through the REST API's semantics (validation, CPS, updates)."""

import pytest

from sandbox import Sandbox
from sandbox.errors import ApiError
from sandbox.outbound import create_call, update_call
from sandbox.phones import Call, CallStatus
from tests.sandbox_support import Make

SUPPORTER = "+16175550102"
HOTLINE = "+16175550100"
BASE = "https://peerline.example.org"
EVERY_EVENT = ["initiated", "ringing", "answered", "completed"]
WHISPER = (
    '<Response><Gather numDigits="1" action="/accept"><Say>A nurse needs support today. '
    "Press 1 to accept.</Say></Gather></Response>"
)


def place(sandbox: Sandbox, **kwargs: object) -> Call:
    settings: dict[str, object] = {
        "to": SUPPORTER,
        "from_": HOTLINE,
        "url": f"{BASE}/screen?req=9",
        "twiml": None,
        "status_callback": f"{BASE}/leg",
        "status_events": EVERY_EVENT,
    }
    settings.update(kwargs)
    call = create_call(sandbox.switchboard, **settings)  # type: ignore[arg-type]
    sandbox.settle()
    return call


def test_an_outbound_call_rings_answers_and_reports_every_event(scripted: Make) -> None:
    sandbox, script = scripted({"/screen": WHISPER})
    call = place(sandbox)
    assert call.status is CallStatus.RINGING
    phone = sandbox.phone(SUPPORTER)
    [ringing] = phone.ringing()
    assert ringing.caller_id == HOTLINE

    leg = phone.answer()
    assert leg.transcript() == ["A nurse needs support today. Press 1 to accept."]
    screen = script.last("/screen").params
    assert (screen["Direction"], screen["From"], screen["To"]) == (
        "outbound-api",
        HOTLINE,
        SUPPORTER,
    )
    assert screen["CallStatus"] == "in-progress"
    sandbox.advance(3)
    leg.hang_up()

    callbacks = [r.params for r in script.received if r.path == "/leg"]
    assert [c["CallStatus"] for c in callbacks] == [
        "initiated",
        "ringing",
        "in-progress",
        "completed",
    ]
    assert [c["SequenceNumber"] for c in callbacks] == ["0", "1", "2", "3"]
    assert callbacks[-1]["CallDuration"] == "3" and callbacks[-1]["Duration"] == "1"


def test_only_completed_is_reported_when_no_events_are_asked_for(scripted: Make) -> None:
    sandbox, script = scripted({"/screen": WHISPER})
    place(sandbox, status_events=[])
    sandbox.phone(SUPPORTER).decline()

    assert [r.params["CallStatus"] for r in script.received if r.path == "/leg"] == ["busy"]


def test_nobody_answers_within_the_timeout(scripted: Make) -> None:
    sandbox, script = scripted({})
    call = place(sandbox, timeout=20)

    sandbox.advance(20)

    assert call.status is CallStatus.NO_ANSWER
    assert script.last("/leg").params["CallStatus"] == "no-answer"
    assert "/screen" not in script.paths()


def test_canceling_a_ringing_call(scripted: Make) -> None:
    sandbox, script = scripted({})
    call = place(sandbox)

    with sandbox.switchboard.lock:
        update_call(
            sandbox.switchboard, call, url=None, twiml=None, method="POST", status="canceled"
        )
    sandbox.settle()

    assert call.status is CallStatus.CANCELED
    assert sandbox.phone(SUPPORTER).ringing() == []
    assert script.last("/leg").params["CallStatus"] == "canceled"


def test_redirecting_a_live_call_abandons_what_it_was_doing(scripted: Make) -> None:
    sandbox, script = scripted(
        {"/screen": WHISPER, "/sorry": "<Response><Say>The caller has hung up.</Say></Response>"}
    )
    call = place(sandbox)
    leg = sandbox.phone(SUPPORTER).answer()

    with sandbox.switchboard.lock:
        update_call(
            sandbox.switchboard, call, url=f"{BASE}/sorry", twiml=None, method="POST", status=None
        )
    sandbox.settle()
    leg.press("1")
    sandbox.advance(10)

    assert leg.transcript()[-1] == "The caller has hung up."
    assert "/accept" not in script.paths()
    assert call.status is CallStatus.COMPLETED
    with sandbox.switchboard.lock, pytest.raises(ApiError) as failure:
        update_call(
            sandbox.switchboard, call, url=f"{BASE}/sorry", twiml=None, method="POST", status=None
        )
    assert failure.value.code == 21220


def test_completing_a_live_call_and_inline_twiml(scripted: Make) -> None:
    sandbox, _ = scripted({})
    call = place(sandbox, url=None, twiml="<Response><Pause length='30'/></Response>")
    sandbox.phone(SUPPORTER).answer()

    with sandbox.switchboard.lock:
        update_call(
            sandbox.switchboard, call, url=None, twiml=None, method="POST", status="completed"
        )
    sandbox.settle()

    assert call.status is CallStatus.COMPLETED


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"to": ""}, 21201),
        ({"to": "+1617555"}, 21211),
        ({"to": "+15005550001"}, 21211),
        ({"to": HOTLINE}, 21211),
        ({"from_": ""}, 21213),
        ({"from_": "+16175550199"}, 21210),
        ({"url": None}, 21205),
        ({"url": "/screen"}, 21205),
    ],
)
def test_requests_twilio_rejects(scripted: Make, changes: dict[str, object], code: int) -> None:
    sandbox, _ = scripted({})
    with pytest.raises(ApiError) as failure:
        place(sandbox, **changes)
    assert failure.value.code == code
    assert failure.value.status == 400


def test_calls_per_second_are_limited(scripted: Make) -> None:
    sandbox, _ = scripted({}, cps=1.0)
    place(sandbox)

    with pytest.raises(ApiError) as failure:
        place(sandbox, to="+16175550103")
    assert (failure.value.status, failure.value.code) == (429, 20429)

    sandbox.advance(1)
    place(sandbox, to="+16175550103")
