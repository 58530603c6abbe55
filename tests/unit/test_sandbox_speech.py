"""Prompts take time on the sandbox clock, and a Gather's timeout starts when they end."""

import pytest

from sandbox import SystemClock
from sandbox.phones import CallStatus, Heard
from sandbox.speech import PLAY_SECONDS, say_seconds
from tests.sandbox_support import Make

CALLER = "+16175550123"
EIGHT_WORDS = "Press 1 if you are a nurse today."  # 3 s at 160 words a minute


def gather(prompts: str, attrs: str = 'timeout="5" action="/chose"') -> dict[str, str]:
    return {
        "/twilio/voice": f"<Response><Gather {attrs}>{prompts}</Gather>"
        "<Say>Nothing chosen.</Say></Response>",
        "/chose": "<Response><Say>Chosen.</Say><Hangup/></Response>",
    }


@pytest.mark.parametrize(
    ("text", "language", "seconds"),
    [
        (EIGHT_WORDS, "en-US", 3.0),
        ("Press 1", "en-GB", 0.75),
        ("Oprima el uno si usted es enfermera o enfermero hoy.", "es-MX", 10 * 60 / 145),
        ("Appuyez sur un.", "fr-FR", 3 * 60 / 160),  # other languages: the English rate
        ("", "en-US", 0.0),
    ],
)
def test_speech_takes_a_words_per_minute_time(text: str, language: str, seconds: float) -> None:
    assert say_seconds(text, language) == pytest.approx(seconds)


def test_the_gather_timeout_starts_when_its_prompts_end(scripted: Make) -> None:
    sandbox, script = scripted(gather(f'<Say>{EIGHT_WORDS}</Say><Pause length="2"/>'))
    call = sandbox.phone(CALLER).dial()

    sandbox.advance(3 + 2 + 5 - 0.1)  # the prompt, the pause, most of the timeout
    assert not call.heard("Nothing chosen.")
    sandbox.advance(0.2)

    assert call.heard("Nothing chosen.")
    assert "/chose" not in script.paths()


def test_nested_prompts_are_heard_one_after_another(scripted: Make) -> None:
    sandbox, _ = scripted(gather(f"<Say>{EIGHT_WORDS}</Say><Say>Press 2 for anything else.</Say>"))
    call = sandbox.phone(CALLER).dial()
    assert call.transcript() == [EIGHT_WORDS]
    assert call.gather() is not None

    sandbox.advance(3)

    assert call.transcript() == [EIGHT_WORDS, "Press 2 for anything else."]
    [first, second] = [line for line in call.log() if line.kind is Heard.SAY]
    assert second.at - first.at == pytest.approx(3.0)


def test_keys_pressed_during_the_prompts_count_and_stop_them(scripted: Make) -> None:
    sandbox, script = scripted(
        gather(
            f"<Say>{EIGHT_WORDS}</Say><Say>Press 2 for anything else.</Say>",
            'numDigits="1" action="/chose"',
        )
    )
    call = sandbox.phone(CALLER).dial()
    sandbox.advance(1)

    call.press("1")  # barge-in, a third of the way through the first sentence

    assert script.last("/chose").params["Digits"] == "1"
    assert call.listen() == ["Chosen."]
    assert "Press 2 for anything else." not in call.transcript()
    assert call.status is CallStatus.COMPLETED


def test_without_barge_in_keys_wait_for_the_prompts_to_end(scripted: Make) -> None:
    sandbox, script = scripted(
        gather(f"<Say>{EIGHT_WORDS}</Say>", 'numDigits="1" bargeIn="false" action="/chose"')
    )
    call = sandbox.phone(CALLER).dial()

    call.press("1")
    assert "/chose" not in script.paths()  # ignored while the prompt plays
    call.listen()
    call.press("2")

    assert script.last("/chose").params["Digits"] == "2"


def test_a_loop_multiplies_the_time_and_shows_once(scripted: Make) -> None:
    sandbox, _ = scripted(gather(f'<Say loop="3">{EIGHT_WORDS}</Say>'))
    call = sandbox.phone(CALLER).dial()

    sandbox.advance(3 * 3 + 5 - 0.1)
    assert not call.heard("Nothing chosen.")
    sandbox.advance(0.2)

    assert call.heard("Nothing chosen.")
    says = [line for line in call.log() if line.kind is Heard.SAY][:3]
    assert [line.repeat for line in says] == [False, True, True]
    assert call.transcript() == [EIGHT_WORDS, "Nothing chosen."]


def test_the_same_sentences_twice_in_one_gather_are_marked_repeated(scripted: Make) -> None:
    twice = "<Say>You have a call.</Say><Say>Press 1 to accept.</Say>" * 2
    sandbox, _ = scripted(gather(twice))
    call = sandbox.phone(CALLER).dial()

    call.listen()

    says = [(line.text, line.repeat) for line in call.log() if line.kind is Heard.SAY]
    assert says == [
        ("You have a call.", False),
        ("Press 1 to accept.", False),
        ("You have a call.", True),
        ("Press 1 to accept.", True),
    ]


def test_a_top_level_say_holds_the_next_verb(scripted: Make) -> None:
    sandbox, _ = scripted(
        {"/twilio/voice": f"<Response><Say>{EIGHT_WORDS}</Say><Hangup/></Response>"}
    )
    call = sandbox.phone(CALLER).dial()

    sandbox.advance(2.9)
    assert call.status is CallStatus.IN_PROGRESS
    sandbox.advance(0.1)

    assert call.status is CallStatus.COMPLETED


def test_play_counts_a_fixed_time_and_loop_zero_repeats_up_to_twilios_cap(scripted: Make) -> None:
    sandbox, _ = scripted(
        {"/twilio/voice": '<Response><Play loop="0">music.mp3</Play><Say>After.</Say></Response>'}
    )
    call = sandbox.phone(CALLER).dial()

    with pytest.raises(RuntimeError, match="still hears prompts"):
        call.listen(limit=100 * PLAY_SECONDS)
    assert not call.heard("After.")
    sandbox.advance(1000 * PLAY_SECONDS)

    assert call.heard("After.")
    assert sum(line.kind is Heard.PLAY for line in call.log()) == 1000


def test_hanging_up_stops_the_prompt(scripted: Make) -> None:
    sandbox, _ = scripted(gather(f"<Say>{EIGHT_WORDS}</Say><Say>Press 2.</Say>"))
    call = sandbox.phone(CALLER).dial()

    call.hang_up()
    sandbox.advance(60)

    assert call.transcript() == [EIGHT_WORDS]
    assert call.listen() == []


def test_listen_waits_on_a_real_clock_too(scripted: Make) -> None:
    clock = SystemClock()
    sandbox, _ = scripted(
        {"/twilio/voice": "<Response><Say>Hello.</Say><Say>Bye.</Say></Response>"}, clock=clock
    )
    try:
        call = sandbox.phone(CALLER).dial()

        assert call.listen() == ["Hello.", "Bye."]  # 0.75 s of speech, waited for

        assert call.status is CallStatus.COMPLETED
    finally:
        clock.close()
