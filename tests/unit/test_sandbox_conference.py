"""<Dial><Conference>: joining, waiting, leaving, and ending as Twilio does."""

from sandbox.phones import CallStatus, Heard
from tests.sandbox_support import Make, call_supporter

CALLER = "+16175550123"
SUPPORTER = "+16175550102"
HOTLINE = "+16175550100"
EVENTS = 'statusCallback="/conf" statusCallbackEvent="start end join leave"'


def room(attrs: str, after: str = "") -> str:
    return f"<Response><Dial><Conference {attrs}>req-42</Conference></Dial>{after}</Response>"


def test_a_masked_bridge_in_a_conference(scripted: Make) -> None:
    sandbox, script = scripted(
        {
            "/twilio/voice": room(
                f'startConferenceOnEnter="false" waitUrl="/hold" {EVENTS}',
                "<Say>Your supporter has left the call.</Say>",
            ),
            "/hold": "<Response><Say>Please hold for a peer.</Say><Play>calm.mp3</Play></Response>",
            "/supporter": room('endConferenceOnExit="true"'),
        }
    )
    caller = sandbox.phone(CALLER).dial()
    assert caller.transcript() == ["Please hold for a peer."]
    assert not caller.connected
    assert script.last("/hold").params["CallSid"] == caller.sid

    call_supporter(sandbox)
    supporter = sandbox.phone(SUPPORTER).answer()

    assert caller.connected and supporter.connected
    assert supporter.caller_id == HOTLINE and caller.caller_id == HOTLINE
    assert {c.sid for c in sandbox.conference("req-42")} == {caller.sid, supporter.sid}

    supporter.hang_up()

    assert sandbox.conference("req-42") == []
    assert caller.listen() == ["Your supporter has left the call."]
    assert caller.status is CallStatus.COMPLETED
    events = [r.params["StatusCallbackEvent"] for r in script.received if r.path == "/conf"]
    assert events == [
        "participant-join",
        "participant-join",
        "conference-start",
        "participant-leave",
        "participant-leave",
        "conference-end",
    ]
    end = script.last("/conf").params
    assert end["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-left"
    assert end["CallSidEndingConference"] == supporter.sid
    assert end["FriendlyName"] == "req-42"


def test_a_room_without_end_on_exit_outlives_a_participant(scripted: Make) -> None:
    sandbox, script = scripted(
        {
            "/twilio/voice": room(EVENTS, "<Say>Never heard.</Say>"),
            "/supporter": room(""),
        }
    )
    caller = sandbox.phone(CALLER).dial()
    call_supporter(sandbox)
    supporter = sandbox.phone(SUPPORTER).answer()

    supporter.hang_up()

    assert [c.sid for c in sandbox.conference("req-42")] == [caller.sid]
    assert caller.status is CallStatus.IN_PROGRESS
    caller.hang_up()
    assert sandbox.conference("req-42") == []
    assert script.last("/conf").params["ReasonConferenceEnded"] == "last-participant-left"


def test_default_wait_music_and_silence(scripted: Make) -> None:
    sandbox, _ = scripted({"/twilio/voice": room('startConferenceOnEnter="false"')})
    caller = sandbox.phone(CALLER).dial()

    assert [line.text for line in caller.log() if line.kind is Heard.MUSIC] == ["Hold music"]


def test_the_dial_action_follows_the_end_of_the_conference(scripted: Make) -> None:
    sandbox, script = scripted(
        {
            "/twilio/voice": '<Response><Dial action="/after"><Conference>req-42</Conference>'
            "</Dial></Response>",
            "/supporter": room('endConferenceOnExit="true"'),
            "/after": "<Response><Say>Thank you for calling.</Say></Response>",
        }
    )
    caller = sandbox.phone(CALLER).dial()
    call_supporter(sandbox)
    sandbox.phone(SUPPORTER).answer().hang_up()

    assert script.last("/after").params["CallSid"] == caller.sid
    assert caller.heard("Thank you for calling.")


def test_the_wait_music_stops_when_the_room_ends_before_it_starts(scripted: Make) -> None:
    wait = (
        '<Response><Say>Please hold.</Say><Pause length="30"/><Say>Still holding.</Say></Response>'
    )
    sandbox, _ = scripted(
        {
            "/twilio/voice": room(
                'startConferenceOnEnter="false" waitUrl="/wait"', "<Say>Goodbye.</Say>"
            ),
            "/wait": wait,
            "/supporter": room('startConferenceOnEnter="false" endConferenceOnExit="true"'),
        }
    )
    caller = sandbox.phone(CALLER).dial()
    call_supporter(sandbox)
    supporter = sandbox.phone(SUPPORTER).answer()

    supporter.hang_up()  # the room ends without ever starting

    assert caller.listen() == ["Goodbye."]
    assert not caller.heard("Still holding.")
    assert caller.status is CallStatus.COMPLETED
