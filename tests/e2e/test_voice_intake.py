"""The whole voice intake through signed webhooks, real database and real Redis."""

from __future__ import annotations

from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import select

from jobs.enqueue import dispatch_job_id
from peerline import bootstrap
from storage.models import HelpRequest, RequestStatus
from tests.e2e.conftest import CRISIS
from tests.twilio_driver import TwilioDriver

CALLER = "+16175551234"


def walk_to_callback(twilio: TwilioDriver, caller: str = CALLER):  # type: ignore[no-untyped-def]
    call = twilio.call(caller=caller)
    call.start()
    call.press("1")  # English
    call.press("1")  # nurse
    call.press("1")  # today
    call.press("3")  # no preference
    call.press("2")  # call me back
    call.press("3")  # afternoon
    call.press("2")  # no other role: wait for a nurse
    call.press("2")  # no follow-up text
    return call


def test_greeting_is_the_safety_gate_with_the_crisis_key(twilio: TwilioDriver) -> None:
    call = twilio.call()
    doc = call.start()
    gather = call.gather()
    assert gather.get("numDigits") == "1"
    assert gather.get("actionOnEmptyResult") == "true"
    words = call.words()
    assert "not a crisis line" in words and "911" in words and "press 9" in words
    says = list(doc.iter("Say"))
    assert {s.get("language") for s in says} == {"en-US", "es-MX"}


def test_callback_walk_creates_one_durable_request_and_queues_dispatch(
    twilio: TwilioDriver, services: bootstrap.Services
) -> None:
    call = walk_to_callback(twilio)
    assert call.doc is not None and call.doc.find("Hangup") is not None
    assert "within two hours" in call.words()
    with services.store.engine.connect() as conn:
        rows = conn.execute(select(HelpRequest)).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.role, row.urgency, row.org_preference, row.contact_mode, row.callback_window) == (
        "nurse",
        "urgent",
        "any",
        "callback",
        "afternoon",
    )
    assert row.other_role_ok is False, "the caller's answer is kept"
    assert row.status == RequestStatus.WAITING
    assert row.dispatch_state == "queued"
    assert CALLER.encode() not in row.caller_enc, "the caller's number is encrypted at rest"
    assert services.store.caller_of(row.id) == CALLER
    job_ids = services.queues["urgent"].get_job_ids()
    assert job_ids == [dispatch_job_id(row.id)]


def test_worker_runs_the_dispatch_job(twilio: TwilioDriver, services: bootstrap.Services) -> None:
    walk_to_callback(twilio)
    worker = SimpleWorker(
        services.queues.all(), connection=services.redis, serializer=JSONSerializer
    )
    assert worker.work(burst=True)
    kinds = [kind for kind, _ in services.store.events()]
    # The worker ran dispatch: an afternoon call back is deferred to the afternoon, or, in
    # the afternoon, finds an empty roster.
    assert {"dispatch.deferred", "dispatch.nobody_available"} & set(kinds)


def test_spanish_caller_hears_spanish_through_to_the_confirmation(twilio: TwilioDriver) -> None:
    call = twilio.call()
    call.start()
    call.press("2")
    assert {s.get("language") for s in call.doc.iter("Say")} == {"es-MX"}  # type: ignore[union-attr]
    assert "Oprima 9" in call.words() or "oprima 9" in call.words()
    for key in ["1", "2", "2", "2", "1"]:
        call.press(key)
    assert "¿le puede llamar otro trabajador de la salud?" in call.words()
    call.press("2")  # wait for a nurse
    assert "¿le puede llamar un colega en inglés?" in call.words()
    call.press("1")  # English is fine
    assert "¿Podemos enviarle un mensaje de texto después de su llamada" in call.words()
    call.press("1")  # yes, one text after the call
    assert "día hábil" in call.words()


def test_organization_by_speech_is_matched_against_known_organizations(
    twilio: TwilioDriver, services: bootstrap.Services
) -> None:
    services.store.add_organization("Massachusetts General Hospital", ["MGH"])
    call = twilio.call()
    call.start()
    for key in ["1", "2", "2", "1"]:  # English, physician, soon, outside my organization
        call.press(key)
    gather = call.gather()
    assert gather.get("input") == "speech dtmf"
    assert "Massachusetts General Hospital" in (gather.get("hints") or "")
    call.say("M G H")
    call.press("2")
    call.press("1")
    call.press("2")
    call.press("2")  # no follow-up text
    with services.store.engine.connect() as conn:
        row = conn.execute(select(HelpRequest)).one()
    assert row.organization == "Massachusetts General Hospital"
    assert row.org_preference == "outside"


def test_key_nine_from_every_menu_dials_the_crisis_line(twilio: TwilioDriver) -> None:
    prefix = ["1", "1", "1", "1"]  # reaches the organization-name prompt after 4 keys
    for depth in range(len(prefix) + 1):
        call = twilio.call()
        call.start()
        for key in prefix[:depth]:
            call.press(key)
        doc = call.press("9")
        dial = doc.find("Dial")
        assert dial is not None and (dial.text or "").strip() == CRISIS, call.documents[-1]
        assert dial.get("callerId") is None  # 988 sees the caller's own number
        assert doc.find("Hangup") is not None  # if 988 can't be reached, we say so and end


def test_hold_path_loops_with_the_crisis_key_then_offers_a_call_back(
    twilio: TwilioDriver, services: bootstrap.Services
) -> None:
    call = twilio.call()
    call.start()
    for key in ["1", "6", "2", "3", "1"]:  # English, tech, soon, no preference, connect now
        call.press(key)
    assert "May we send you one text message" in call.words()  # the last, optional question
    call.silence()  # no, at once
    assert "stay on the line" in call.words()
    call.silence()  # the confirmation plays out: on to the hold loop
    assert "press 9" in call.words().lower() or "Press 9" in call.words()
    # hold_max_minutes=1 in tests: two 30 s cycles, then an honest call-back promise
    call.silence()
    call.silence()
    assert "call you back" in call.words()
    with services.store.engine.connect() as conn:
        row = conn.execute(select(HelpRequest)).one()
    assert (row.contact_mode, row.status) == ("callback", "waiting")


def test_key_nine_while_holding_reaches_the_crisis_line(twilio: TwilioDriver) -> None:
    call = twilio.call()
    call.start()
    for key in ["1", "1", "1", "3", "1", "2"]:  # ..., connect now, no follow-up text
        call.press(key)
    call.silence()  # the confirmation plays out: on to the hold loop
    doc = call.press("9")
    assert (doc.findtext("Dial") or "").strip() == CRISIS


def test_caller_hanging_up_while_holding_withdraws_the_request(
    twilio: TwilioDriver, services: bootstrap.Services
) -> None:
    call = twilio.call()
    call.start()
    for key in ["1", "1", "1", "3", "1", "2"]:  # ..., connect now, no follow-up text
        call.press(key)
    call.hang_up()
    with services.store.engine.connect() as conn:
        row = conn.execute(select(HelpRequest)).one()
    assert row.status == RequestStatus.WITHDRAWN
    assert row.closed_at is not None


def test_hang_up_mid_flow_leaves_an_abandoned_session_and_no_request(
    twilio: TwilioDriver, services: bootstrap.Services
) -> None:
    call = twilio.call()
    call.start()
    call.press("1")
    call.press("3")
    assert call.hang_up().status_code == 200
    record = services.store.get_session(call.sid)
    assert record is not None and record.status == "abandoned"
    assert services.store.count_requests() == {}
    assert ("session.abandoned", {}) in services.store.events()


def test_the_final_key_delivered_three_times_creates_one_request_and_one_job(
    twilio: TwilioDriver, services: bootstrap.Services
) -> None:
    call = twilio.call()
    call.start()
    for key in ["1", "1", "1", "3", "2", "1", "1"]:  # ..., asap, another role is fine
        call.press(key)
    action = call._action()  # the last question: one follow-up text?
    bodies = [call.post(action, Digits="1") and call.documents[-1] for _ in range(3)]
    assert bodies[0] == bodies[1] == bodies[2]
    assert services.store.count_requests() == {"waiting": 1}
    assert len(services.queues["urgent"].get_job_ids()) == 1


def test_every_turn_delivered_twice_advances_once(twilio: TwilioDriver) -> None:
    call = twilio.call()
    first = call.start()
    again = call.post("/twilio/voice", CallStatus="ringing")
    assert call.documents[-2] == call.documents[-1]
    action = call._action()
    call.post(action, Digits="1")
    role_menu = call.documents[-1]
    call.post(action, Digits="1")  # Twilio retried the same turn
    assert call.documents[-1] == role_menu
    assert first.tag == again.tag == "Response"


def test_withheld_caller_id_keys_in_a_callback_number_stored_encrypted(
    twilio: TwilioDriver, services: bootstrap.Services
) -> None:
    call = twilio.call(caller="anonymous")
    call.start()
    for key in ["1", "2", "3", "3", "2"]:  # English, physician, no rush, no pref, call back
        call.press(key)
    gather = call.gather()
    assert gather.get("finishOnKey") == "#" and gather.get("numDigits") is None
    call.press("555")
    assert "doesn't look right" in call.words()
    call.press("9195551234#")  # an area code starting with 9 is not the crisis key
    assert "You entered 9 1 9, 5 5 5, 1 2 3 4." in call.words()
    call.press("1")  # that is right
    call.press("2")  # morning
    call.press("2")  # wait for a physician
    call.press("1")  # yes, one text after the call (a confirmed number is one we can text)
    assert "call you from this Peerline number" in call.words()
    with services.store.engine.connect() as conn:
        row = conn.execute(select(HelpRequest)).one()
    assert services.store.caller_of(row.id) == "+19195551234"
    assert b"9195551234" not in row.caller_enc
    record = services.store.get_session(call.sid)
    assert record is not None and "9195551234" not in str(record.flow)
