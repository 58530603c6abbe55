from datetime import timedelta

import pytest

from ivr.keywords import (
    COORDINATOR_COMMANDS,
    SUPPORTER_COMMANDS,
    TICKET_ALPHABET,
    TWILIO_KEYWORDS,
    CodeProblem,
    Command,
    CommandKind,
    Keyword,
    KeywordKind,
    Keywords,
    classify,
    command,
    is_ticket_code,
    keyword,
)

OUT, IN, HELP = KeywordKind.OPT_OUT, KeywordKind.OPT_IN, KeywordKind.HELP


@pytest.mark.parametrize(
    ("text", "kind", "word"),
    [
        ("STOP", OUT, "STOP"),
        ("stop", OUT, "STOP"),
        ("  Stop.  ", OUT, "STOP"),
        ("STOP!!!", OUT, "STOP"),
        ("\nstop\n", OUT, "STOP"),
        ("StopAll", OUT, "STOPALL"),
        ("unsubscribe", OUT, "UNSUBSCRIBE"),
        ("Cancel", OUT, "CANCEL"),
        ("end", OUT, "END"),
        ("QUIT", OUT, "QUIT"),
        ("revoke", OUT, "REVOKE"),
        ("optout", OUT, "OPTOUT"),
        ("\uff33\uff34\uff2f\uff30", OUT, "STOP"),  # full-width letters from some keyboards
        ("START", IN, "START"),
        ("unstop", IN, "UNSTOP"),
        ("Yes", IN, "YES"),
        ("yes!", IN, "YES"),
        ("HELP", HELP, "HELP"),
        ("help?", HELP, "HELP"),
        ("¿Help?", HELP, "HELP"),
        ("info", HELP, "INFO"),
    ],
)
def test_single_word_keywords(text: str, kind: KeywordKind, word: str) -> None:
    assert keyword(text) == Keyword(kind, word)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "STOP PLEASE",
        "please stop",
        "I can't stop crying",
        "stop stop",
        "opt-out",  # Twilio matches OPTOUT only
        "S T O P",
        "stopp",
        "YES K7Q2",
        "help me",
        "I need help",
        "the end",
        "1",
        "STOP1",
    ],
)
def test_not_a_keyword(text: str) -> None:
    assert keyword(text) is None


def test_keywords_are_configurable_for_advanced_opt_out() -> None:
    custom = Keywords(
        opt_out=TWILIO_KEYWORDS.opt_out | {"BAJA"},
        opt_in=TWILIO_KEYWORDS.opt_in | {"ALTA"},
        help=TWILIO_KEYWORDS.help | {"AYUDA"},
    )
    assert keyword("Baja", custom) == Keyword(OUT, "BAJA")
    assert keyword("alta", custom) == Keyword(IN, "ALTA")
    assert keyword("ayuda", custom) == Keyword(HELP, "AYUDA")
    assert keyword("baja") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AVAILABLE", Command(CommandKind.AVAILABLE)),
        ("available.", Command(CommandKind.AVAILABLE)),
        ("Away", Command(CommandKind.AWAY)),
        ("AVAILABLE 2h", Command(CommandKind.AVAILABLE, duration=timedelta(hours=2))),
        ("available 90 min", Command(CommandKind.AVAILABLE, duration=timedelta(minutes=90))),
        ("away 3 days", Command(CommandKind.AWAY, duration=timedelta(days=3))),
        ("AWAY 1d.", Command(CommandKind.AWAY, duration=timedelta(days=1))),
        ("status?", Command(CommandKind.STATUS)),
        ("COVER", Command(CommandKind.COVER)),
        ("YES K7Q2", Command(CommandKind.ACCEPT, "K7Q2")),
        ("yes k7q2", Command(CommandKind.ACCEPT, "K7Q2")),
        ("Yes, K7Q2.", Command(CommandKind.ACCEPT, "K7Q2")),
        ("YES #K7Q2", Command(CommandKind.ACCEPT, "K7Q2")),
        ("YES K7Q2 on my way", Command(CommandKind.ACCEPT, "K7Q2")),
        ("NO K7Q2", Command(CommandKind.DECLINE, "K7Q2")),
        ("no k7q2 sorry, in clinic", Command(CommandKind.DECLINE, "K7Q2")),
        ("ACK K7Q2", Command(CommandKind.ACK, "K7Q2")),
        ("  ack:zz99 ", Command(CommandKind.ACK, "ZZ99")),
        ("close k7q2", Command(CommandKind.CLOSE, "K7Q2")),
        ("CLOSE", Command(CommandKind.CLOSE, problem=CodeProblem.MISSING)),
        ("ACK", Command(CommandKind.ACK, problem=CodeProblem.MISSING)),
        ("NO", Command(CommandKind.DECLINE, problem=CodeProblem.MISSING)),
        ("YES", Command(CommandKind.ACCEPT, problem=CodeProblem.MISSING)),
        ("ACK K0Q2", Command(CommandKind.ACK, problem=CodeProblem.INVALID)),  # zero
        ("ACK KOQ2", Command(CommandKind.ACK, problem=CodeProblem.INVALID)),  # letter O
        ("YES K1Q2", Command(CommandKind.ACCEPT, problem=CodeProblem.INVALID)),
        ("no KIQ2", Command(CommandKind.DECLINE, problem=CodeProblem.INVALID)),
    ],
)
def test_commands(text: str, expected: Command) -> None:
    assert command(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "AVAILABLE tomorrow",  # bare commands must be the whole message
        "away until monday",
        "AVAILABLE 0h",  # no time at all
        "AVAILABLE 2h now",
        "STATUS 2h",  # only AVAILABLE and AWAY take a duration
        "AWAY 2 weeks",
        "status please",
        "YES K7Q",  # too short
        "YES K7Q22",  # too long
        "no time today",
        "no I can't",
        "ACK the ticket",
        "I am available",
        "nurse",
    ],
)
def test_not_a_command(text: str) -> None:
    assert command(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("YES", Keyword(IN, "YES")),  # Twilio lifts the block on a lone YES: record it
        ("YES K7Q2", Command(CommandKind.ACCEPT, "K7Q2")),
        ("STOP", Keyword(OUT, "STOP")),
        ("status", Command(CommandKind.STATUS)),
        ("HELP", Keyword(HELP, "HELP")),
        ("I'm a nurse and I need to talk", None),
    ],
)
def test_classify_puts_keywords_first(text: str, expected: Keyword | Command | None) -> None:
    assert classify(text) == expected


def test_ticket_alphabet_has_no_lookalikes() -> None:
    assert len(TICKET_ALPHABET) == 32
    assert not set("01OI") & set(TICKET_ALPHABET)
    assert is_ticket_code("k7q2")
    assert not is_ticket_code("K7Q")
    assert not is_ticket_code("K7OQ")


def test_command_audiences() -> None:
    assert CommandKind.STATUS in SUPPORTER_COMMANDS & COORDINATOR_COMMANDS
    assert CommandKind.ACK not in SUPPORTER_COMMANDS
    assert CommandKind.ACCEPT not in COORDINATOR_COMMANDS
    assert set(CommandKind) == SUPPORTER_COMMANDS | COORDINATOR_COMMANDS
