import pytest

from ivr.menus import CRISIS_KEY, MENUS, menu_for
from ivr.model import (
    CallbackWindow,
    Channel,
    Consent,
    ContactMode,
    Language,
    OrgPreference,
    Role,
    State,
    Urgency,
)
from ivr.sms_answers import asks_for_crisis_line, key_for

EN, ES = Language.EN, Language.ES


def key(state: State, value: str) -> str:
    """The key of ``value`` in the real menu, so these tests follow any renumbering."""
    return next(o.key for o in menu_for(state, Channel.SMS).options if o.value == value)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("nurse", Role.NURSE),
        ("RN", Role.NURSE),
        ("I'm an LPN", Role.NURSE),
        ("enfermera", Role.NURSE),
        ("Enfermero de UCI", Role.NURSE),
        ("charge nurse", Role.NURSE),
        ("doctor", Role.PHYSICIAN),
        ("MD", Role.PHYSICIAN),
        ("physician", Role.PHYSICIAN),
        ("médico", Role.PHYSICIAN),
        ("surgeon", Role.PHYSICIAN),
        ("resident", Role.TRAINEE),
        ("PGY-2", Role.TRAINEE),
        ("med student", Role.TRAINEE),
        ("nursing student", Role.TRAINEE),
        ("residente", Role.TRAINEE),
        ("NP", Role.APP),
        ("nurse practitioner", Role.APP),
        ("PA-C", Role.APP),
        ("physician assistant", Role.APP),
        ("CRNA", Role.APP),
        ("midwife", Role.APP),
        ("enfermera practicante", Role.APP),
        ("pharmacist", Role.ALLIED),
        ("pharmacy tech", Role.ALLIED),
        ("lab tech", Role.ALLIED),
        ("respiratory therapist", Role.ALLIED),
        ("x-ray tech", Role.ALLIED),
        ("farmacéutica", Role.ALLIED),
        ("tech", Role.TECH),
        ("CNA", Role.TECH),
        ("nursing assistant", Role.TECH),
        ("EMS", Role.TECH),
        ("EMT", Role.TECH),
        ("paramedic", Role.TECH),
        ("paramédico", Role.TECH),
        ("auxiliar de enfermería", Role.TECH),
        ("housekeeping", Role.SUPPORT),
        ("security", Role.SUPPORT),
        ("unit clerk", Role.SUPPORT),
        ("chaplain", Role.OTHER),
        ("social worker", Role.OTHER),
        ("nurse manager", Role.OTHER),
        ("capellán", Role.OTHER),
        ("trabajadora social", Role.OTHER),
        ("prefer not to say", Role.UNSPECIFIED),
        ("prefiero no decir", Role.UNSPECIFIED),
        ("1 nurse", Role.NURSE),  # digit and word agree
        ("one", Role.NURSE),
        ("option two", Role.PHYSICIAN),
        ("opción 3", Role.TRAINEE),
    ],
)
def test_role_words(text: str, role: Role) -> None:
    assert key_for(State.ROLE, text, EN) == key(State.ROLE, role)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "1"),
        ("1.", "1"),
        (" 2 ", "2"),
        ("#3", "3"),
        ("(4)", "4"),
        ("5)", "5"),
        ("3\ufe0f\u20e3", "3"),  # keycap emoji
        ("0", "0"),
        ("Option 8", "8"),
        ("9", CRISIS_KEY),
        ("crisis", CRISIS_KEY),
        ("988", CRISIS_KEY),
    ],
)
def test_digits_with_noise(text: str, expected: str) -> None:
    assert key_for(State.ROLE, text, EN) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "?",
        "2 nurse",  # digit and word disagree
        "1 or 2",
        "nurse or doctor",
        "a fellow nurse",
        "I need to talk to someone",
        "12",
        "hello",
    ],
)
def test_unclear_roles(text: str) -> None:
    assert key_for(State.ROLE, text, EN) is None


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("today", Urgency.URGENT),
        ("now", Urgency.URGENT),
        ("ASAP", Urgency.URGENT),
        ("urgent", Urgency.URGENT),
        ("as soon as possible", Urgency.URGENT),
        ("tonight please", Urgency.URGENT),
        ("hoy", Urgency.URGENT),
        ("lo antes posible", Urgency.URGENT),
        ("tomorrow", Urgency.SOON),
        ("soon", Urgency.SOON),
        ("in a day or two", Urgency.SOON),
        ("in 2 days", Urgency.SOON),
        ("not today", Urgency.SOON),
        ("mañana", Urgency.SOON),
        ("pronto", Urgency.SOON),
        ("no rush", Urgency.ROUTINE),
        ("not urgent", Urgency.ROUTINE),  # not "urgent"
        ("whenever", Urgency.ROUTINE),
        ("next week", Urgency.ROUTINE),
        ("sin prisa", Urgency.ROUTINE),
        ("no es urgente", Urgency.ROUTINE),
    ],
)
def test_urgency_words(text: str, urgency: Urgency) -> None:
    assert key_for(State.URGENCY, text, EN) == key(State.URGENCY, urgency)


@pytest.mark.parametrize(
    ("text", "pref"),
    [
        ("outside my organization", OrgPreference.OUTSIDE),
        ("someone outside", OrgPreference.OUTSIDE),
        ("not my hospital", OrgPreference.OUTSIDE),
        ("alguien de fuera de mi hospital", OrgPreference.OUTSIDE),
        ("my org is fine", OrgPreference.SAME_OK),
        ("same hospital", OrgPreference.SAME_OK),
        ("no preference", OrgPreference.ANY),
        ("doesn't matter", OrgPreference.ANY),
        ("me da igual", OrgPreference.ANY),
    ],
)
def test_org_preference_words(text: str, pref: OrgPreference) -> None:
    assert key_for(State.ORG_PREF, text, EN) == key(State.ORG_PREF, pref)


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("call me now", ContactMode.CALLBACK),  # by text, "now" is a call back right away
        ("now", ContactMode.CALLBACK),
        ("call me back", ContactMode.CALLBACK),
        ("call back later", ContactMode.CALLBACK),
        ("llámame ahora", ContactMode.CALLBACK),
        ("más tarde", ContactMode.CALLBACK),
        ("text me first", ContactMode.TEXT_FIRST),
        ("mensaje primero", ContactMode.TEXT_FIRST),
    ],
)
def test_contact_words(text: str, mode: ContactMode) -> None:
    assert key_for(State.CONTACT, text, EN) == key(State.CONTACT, mode)


def test_contact_both_ways_is_unclear() -> None:
    assert key_for(State.CONTACT, "call me or text me", EN) is None


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("asap", CallbackWindow.ASAP),
        ("any time", CallbackWindow.ASAP),
        ("morning", CallbackWindow.MORNING),
        ("9am", CallbackWindow.MORNING),
        ("at 10", CallbackWindow.MORNING),
        ("afternoon", CallbackWindow.AFTERNOON),
        ("at 2", CallbackWindow.AFTERNOON),  # an hour, not key 2
        ("around 3 pm", CallbackWindow.AFTERNOON),
        ("evening", CallbackWindow.EVENING),
        ("after 5", CallbackWindow.EVENING),
        ("after 6pm", CallbackWindow.EVENING),
        ("tonight", CallbackWindow.EVENING),
        ("por la mañana", CallbackWindow.MORNING),
        ("por la tarde", CallbackWindow.AFTERNOON),
        ("mañana por la tarde", CallbackWindow.AFTERNOON),
        ("a las 7", CallbackWindow.EVENING),
        ("noche", CallbackWindow.EVENING),
    ],
)
def test_callback_window_words(text: str, window: CallbackWindow) -> None:
    assert key_for(State.CALLBACK_WINDOW, text, EN) == key(State.CALLBACK_WINDOW, window)


@pytest.mark.parametrize(
    "text", ["mañana", "más tarde", "before 5", "11pm", "morning or evening", "I am free"]
)
def test_unclear_callback_windows(text: str) -> None:
    assert key_for(State.CALLBACK_WINDOW, text, EN) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("español", "es"),
        ("Espanol", "es"),
        ("spanish", "es"),
        ("en español por favor", "es"),
        ("english", "en"),
        ("inglés", "en"),
        ("2", "es"),
    ],
)
def test_language_words(text: str, language: str) -> None:
    assert key_for(State.LANGUAGE, text, EN) == key(State.LANGUAGE, language)


def test_the_sessions_language_is_tried_first() -> None:
    urgent, routine = key(State.URGENCY, Urgency.URGENT), key(State.URGENCY, Urgency.ROUTINE)
    # "ya" is Spanish for "right now", and English texting for "yeah".
    assert key_for(State.URGENCY, "ya, whenever", EN) == routine
    assert key_for(State.URGENCY, "ya, whenever", ES) == urgent  # Spanish answered first
    assert key_for(State.URGENCY, "ya", ES) == urgent
    assert key_for(State.URGENCY, "ya", EN) == urgent  # English has no opinion: ask Spanish


def test_job_titles_cross_languages() -> None:
    assert key_for(State.ROLE, "RN", ES) == key(State.ROLE, Role.NURSE)
    assert key_for(State.ROLE, "enfermera", EN) == key(State.ROLE, Role.NURSE)
    assert key_for(State.ROLE, "soy nurse", ES) == key(State.ROLE, Role.NURSE)


def test_a_digit_outside_the_menu_is_unclear() -> None:
    assert key_for(State.URGENCY, "5", EN) is None
    assert key_for(State.URGENCY, "today 5", EN) is None


@pytest.mark.parametrize("state", [State.ORG_NAME, State.DONE, State.CRISIS, State.ENDED])
def test_states_without_a_menu_have_no_keys(state: State) -> None:
    assert key_for(state, "1", EN) is None


SPANISH = [
    (State.ROLE, "enfermera", Role.NURSE),
    (State.ROLE, "doctora", Role.PHYSICIAN),
    (State.ROLE, "estudiante de medicina", Role.TRAINEE),
    (State.ROLE, "asistente médico", Role.APP),
    (State.ROLE, "laboratorio", Role.ALLIED),
    (State.ROLE, "técnico", Role.TECH),
    (State.ROLE, "limpieza", Role.SUPPORT),
    (State.ROLE, "supervisora", Role.OTHER),
    (State.ROLE, "prefiero no decirlo", Role.UNSPECIFIED),
    (State.URGENCY, "ahorita", Urgency.URGENT),
    (State.URGENCY, "en uno o dos días", Urgency.SOON),
    (State.URGENCY, "cuando puedan", Urgency.ROUTINE),
    (State.ORG_PREF, "otro hospital", OrgPreference.OUTSIDE),
    (State.ORG_PREF, "mi organización está bien", OrgPreference.SAME_OK),
    (State.ORG_PREF, "cualquiera", OrgPreference.ANY),
    (State.CONTACT, "hablar ahora", ContactMode.CALLBACK),
    (State.CONTACT, "escríbanme", ContactMode.TEXT_FIRST),
    (State.CONTACT, "devuélvanme la llamada", ContactMode.CALLBACK),
    (State.CALLBACK_WINDOW, "cuanto antes", CallbackWindow.ASAP),
    (State.CALLBACK_WINDOW, "temprano", CallbackWindow.MORNING),
    (State.CALLBACK_WINDOW, "al mediodía", CallbackWindow.AFTERNOON),
    (State.CALLBACK_WINDOW, "esta noche", CallbackWindow.EVENING),
    (State.OTHER_ROLE, "sí, está bien", Consent.YES),
    (State.OTHER_ROLE, "prefiero esperar", Consent.NO),
    (State.FOLLOW_UP, "sí", Consent.YES),
    (State.FOLLOW_UP, "no gracias", Consent.NO),
    (State.OTHER_LANGUAGE, "Sí", Consent.YES),
    (State.OTHER_LANGUAGE, "no gracias", Consent.NO),
]


@pytest.mark.parametrize(
    ("text", "value"),
    [("yes", "yes"), ("Sure, that's fine", "yes"), ("no", "no"), ("I'll wait", "no")],
)
def test_consent_in_words(text: str, value: str) -> None:
    assert key_for(State.OTHER_ROLE, text, EN) == key(State.OTHER_ROLE, value)


def test_an_unclear_consent_is_asked_again_not_guessed() -> None:
    assert key_for(State.OTHER_ROLE, "maybe", EN) is None
    assert key_for(State.OTHER_ROLE, "yes no", EN) is None


@pytest.mark.parametrize(("state", "text", "value"), SPANISH)
def test_spanish_words_for_every_option(state: State, text: str, value: str) -> None:
    assert key_for(state, text, ES) == key(state, value)


def test_spanish_table_covers_every_option() -> None:
    for state in MENUS:
        if state is State.LANGUAGE:
            continue
        covered = {value for s, _, value in SPANISH if s is state}
        assert covered == {o.value for o in menu_for(state, Channel.SMS).options}, state


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("9", True),
        (" 9. ", True),
        ("nine", True),
        ("nueve", True),
        ("crisis", True),
        ("988", True),
        ("línea de crisis", True),
        ("19", False),
        ("9 english", False),  # two answers at once: unclear
        ("1", False),
        ("hello", False),
        ("", False),
    ],
)
def test_a_text_asking_for_the_crisis_line(text: str, asks: bool) -> None:
    assert asks_for_crisis_line(text) is asks
