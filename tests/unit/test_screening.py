import pytest

from ivr.screening import DEFAULT, DEFAULT_LINES, RiskPhrases, Screen, screen

POSITIVES = [
    # (text, a phrase id it must report)
    ("I want to kill myself", "kill myself"),
    ("i wanna KILL MYSELF tonight", "kill myself"),
    ("im going to kil myself", "kill myself"),
    ("kill my self", "kill myself"),
    ("killmyself", "kill myself"),
    ("k1ll myself", "kill myself"),
    ("killlll myselffff", "kill myself"),
    ("I thought about killing myself after the code", "killing myself"),
    ("I almost killed myself last night", "killed myself"),
    ("kms", "kms"),
    ("honestly kms.", "kms"),
    ("I just want to end it all", "end it all"),
    ("I want to end it", "want to end it"),
    ("gonna end it tonight", "gonna end it"),
    ("I've been thinking about suicide", "suicide"),
    ("feeling suicidal", "suicidal"),
    ("SUICIDAL!!!", "suicidal"),
    ("$uicidal", "suicidal"),
    ("su!cide", "suicide"),
    ("suicde", "suicide"),
    ("suicidee", "suicide"),
    ("sui-cide", "suicide"),
    ("I want to die", "want to die"),
    ("I wanna die", "wanna die"),
    ("I wish I was dead", "wish i was dead"),
    ("they'd be better off without me", "better off without me"),
    ("I'd be better off dead", "better off dead"),
    ("better of dead", "better off dead"),
    ("there's no reason to live", "no reason to live"),
    ("I don't want to live anymore", "dont want to live"),
    ("I dont want to be here anymore", "dont want to be here anymore"),
    ("I'm a burden to everyone", "im a burden"),
    ("thinking of an overdose", "overdose"),
    ("I overdosed once", "overdosed"),
    ("took 800mg", "800mg"),
    ("took 800 mg", "800mg"),
    ("800MG", "800mg"),
    ("how much acetaminophen", "acetaminophen"),
    ("acetominophen", "acetaminophen"),
    ("a bottle of Tylenol", "tylenol"),
    ("tylenolll", "tylenol"),
    ("excedrin", "excedrin"),
    ("antifreeze", "antifreeze"),
    ("I have all my pills here", "pills"),
    ("💊", "💊"),
    ("💊💊💊", "💊"),
    ("took these 💊", "💊"),
    ("I have a gun at home", "gun"),
    ("my guns", "guns"),
    ("I want to hang myself", "hang myself"),
    ("thinking about hanging myself", "hanging myself"),
    ("I could shoot myself", "shoot myself"),
    ("I've been cutting myself", "cutting myself"),
    ("self-harm", "self harm"),
    ("selfharm", "self harm"),
    ("jump off a bridge", "jump off a bridge"),
    ("I'm not suicidal, just tired", "suicidal"),  # negation is not trusted
    ("my patient overdosed today", "overdosed"),  # context is not trusted either
    # Spanish
    ("quiero matarme", "matarme"),
    ("Voy a MATARME", "matarme"),
    ("me voy a matar", "me voy a matar"),
    ("pienso en suicidarme", "suicidarme"),
    ("quiero morir", "quiero morir"),
    ("Quiero moriiir", "quiero morir"),
    ("me quiero morir", "me quiero morir"),
    ("ya no quiero vivir", "no quiero vivir"),
    ("quiero acabar con todo", "acabar con todo"),
    ("quiero acabar con mi vida", "acabar con mi vida"),
    ("pensé en quitarme la vida", "quitarme la vida"),
    ("tengo muchas pastillas", "pastillas"),
    ("PASTILLAS", "pastillas"),
    ("una sobredosis", "sobredosis"),
    ("estaría mejor muerta", "mejor muerta"),
    ("no tengo razón para vivir", "no tengo razón para vivir"),
    ("no tengo razon para vivir", "no tengo razón para vivir"),
    ("soy una carga para todos", "soy una carga"),
    ("suicidio", "suicidio"),
    ("acetaminofén", "acetaminofén"),
    ("acetaminofen", "acetaminofén"),
]

NEAR_MISSES = [
    "I killed it at work today",
    "we killed it on that code",
    "this shift is killing me",
    "my feet are killing me",
    "killer headache",
    "end of shift",
    "end of my shift, finally",
    "in the end it worked out",
    "can we end the call",
    "my pillow is terrible",
    "pillows",
    "spills everywhere",
    "the patient died",
    "I'm dying to go home",
    "I'm dead tired",
    "deadline tomorrow",
    "gunshot wound in bay 3",
    "begun",
    "the team overdoes it every holiday",
    "I overdid it",
    "that movie was to die for",
    "I need to talk to someone",
    "I'm a nurse and I made a med error",
    "burnout is real",
    "I feel hopeless about staffing",
    "hang in there",
    "I hung up on him",
    "she cut me off",
    "I'm going to shoot for Friday",
    "skilled nursing",
    "kilometers",
    # Spanish
    "el turno me está matando",
    "me mata el cansancio",
    "me muero de sueño",
    "me muero de hambre",
    "estoy muerta de cansancio",
    "fin del turno",
    "mi almohada",
    "quiero dormir",
    "matar el tiempo",
    "se murió el paciente",
    "necesito hablar con alguien",
    "",
    "   ",
    "1",
]


@pytest.mark.parametrize(("text", "phrase"), POSITIVES)
def test_risk_language_flags(text: str, phrase: str) -> None:
    result = screen(text)
    assert result.risk
    assert phrase in result.matched


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_do_not_flag(text: str) -> None:
    assert screen(text) == Screen(risk=False, matched=())


@pytest.mark.parametrize(
    "text",
    [
        "kill myslef",  # words under 7 letters must be spelt right (or doubled)
        "i want 2 die",  # "2" is not read as "to"
        "everyone would be better off if I was dead",  # no phrase spans the gap
        "me quiero ahorcar",  # only "ahorcarme" is listed
    ],
)
def test_known_gaps_stay_documented(text: str) -> None:
    # Operators close gaps in the configured list; if one starts flagging, move it up.
    assert not screen(text).risk


def test_matched_holds_phrase_ids_never_the_text() -> None:
    result = screen("Honestly I want to KILL MYSELFFF, took 800 mg of Tylenol 💊")
    assert result.matched == ("kill myself", "800mg", "tylenol", "💊")
    assert "KILL" not in " ".join(result.matched)


def test_matched_follows_list_order_without_duplicates() -> None:
    result = screen("pills pills suicide")
    assert result.matched == ("suicide", "pills")


def test_from_lines_reads_comments_blank_lines_and_accents() -> None:
    phrases = RiskPhrases.from_lines(
        ["# a comment", "", "  Bridge Jump  ", "puente   # inline comment", "Puénte"]
    )
    assert [p.id for p in phrases.phrases] == ["bridge jump", "puente"]
    assert screen("thinking of a bridge jump", phrases).matched == ("bridge jump",)
    assert screen("el PUENTE", phrases).risk
    assert not screen("I want to kill myself", phrases).risk  # only the configured list


def test_from_lines_rejects_a_line_without_words() -> None:
    with pytest.raises(ValueError, match="line 2"):
        RiskPhrases.from_lines(["suicide", "!!!"])


def test_extended_adds_to_the_default_list() -> None:
    phrases = DEFAULT.extended(["bridge jump", "suicide"])
    assert len(phrases.phrases) == len(DEFAULT.phrases) + 1
    assert screen("bridge jump", phrases).risk
    assert screen("suicide", phrases).risk


def test_default_list_has_unique_ids_and_loads_from_its_own_lines() -> None:
    ids = [p.id for p in DEFAULT.phrases]
    assert len(ids) == len(set(ids))
    assert RiskPhrases.from_lines(DEFAULT_LINES) == DEFAULT


def test_every_default_phrase_matches_itself() -> None:
    for phrase in DEFAULT.phrases:
        assert phrase.id in screen(phrase.id).matched
