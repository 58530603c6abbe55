"""Read a free-text SMS reply as a menu key of the current question. Pure.

People answer texts in words ("RN", "no rush", "call me back", "español") or with
decorated digits ("1.", "#3", "3️⃣"). ``key_for`` turns such a reply into the key the
flow expects, and returns None when it is unsure. The flow then re-asks, which costs
one text; a wrong guess would cost a wrong match.

How a reply is read:
- Phrases are matched longest first, so "nurse practitioner" is not also "nurse" and
  "not urgent" is not "urgent".
- Phrases of the session's language are tried first. The other language's phrases are
  tried only when those gave no answer, because people switch languages for job titles.
- Number words count as digits ("two" = "2").
- A lone digit left over after the phrases is a vote for that key. A lone digit that is
  not a key of the menu makes the whole reply unclear.
- A reply whose votes disagree ("2 nurse", "mañana por la tarde") is unclear.
- "9", "crisis" and "988" mean the crisis key in every menu.
"""

from __future__ import annotations

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
from ivr.organizations import normalize

EN, ES = Language.EN, Language.ES
_UNCLEAR = "?"

_NUMBERS = {
    word: str(n)
    for names in (
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
        ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"),
    )
    for n, word in enumerate(names)
}

_CRISIS = "crisis|crisis line|988|linea de crisis"
_PGY = "|".join(f"pgy{n}|pgy {n}" for n in range(1, 9))  # "PGY-2" is a resident, not key 2

# Phrases are "|"-separated and normalised like the reply. A value of None means a
# phrase is read and then ignored: it is there to hide a misleading word inside it.
_Table = dict[str | None, str]

_BOTH_LANGUAGES: dict[State, _Table] = {
    State.LANGUAGE: {
        "en": "english|eng|ingles|in english|en ingles",
        "es": "spanish|espanol|castellano|in spanish|en espanol",
    },
}

# May the match widen (another role, English)? A clear yes or no; anything else is asked again.
_CONSENT: dict[Language, _Table] = {
    EN: {
        Consent.YES: "yes|y|yeah|yep|ok|okay|sure|fine|thats fine|that is fine|anyone|"
        "anyone is fine|yes please",
        Consent.NO: "no|n|nope|no thanks|wait|ill wait|i will wait|rather wait|id rather wait",
    },
    ES: {
        Consent.YES: "si|vale|claro|esta bien|de acuerdo|cualquiera|si por favor",
        Consent.NO: "no|no gracias|espero|prefiero esperar|mejor espero",
    },
}

_SYNONYMS: dict[State, dict[Language, _Table]] = {
    State.ROLE: {
        EN: {
            Role.NURSE: "nurse|rn|lpn|lvn|bsn|registered nurse|nursing|charge nurse",
            Role.PHYSICIAN: "physician|doctor|doc|dr|md|attending|hospitalist|surgeon|"
            "anesthesiologist|psychiatrist|pediatrician|internist|intensivist|er doctor",
            Role.TRAINEE: "resident|fellow|intern|student|trainee|med student|medical student|"
            "nursing student|student nurse|chief resident|pgy|" + _PGY,
            Role.APP: "np|nurse practitioner|pa|physician assistant|physician associate|crna|"
            "nurse anesthetist|midwife|cnm|aprn|app|advanced practice|dnp",
            Role.ALLIED: "pharmacist|pharmacy|pharmacy tech|pharmacy technician|lab|"
            "laboratory|lab tech|medical technologist|mlt|mls|phlebotomist|radiology|"
            "imaging|rad tech|x ray tech|xray tech|sonographer|ultrasound tech|mri tech|"
            "ct tech|respiratory therapist|rt|physical therapist|physical therapy|physio|"
            "occupational therapist|speech therapist|slp|therapist|dietitian|"
            "nutritionist|allied|allied health|surgical tech|perfusionist|audiologist",
            Role.TECH: "tech|technician|cna|nursing assistant|nurse aide|nurses aide|aide|"
            "pct|patient care tech|patient care technician|ems|emt|paramedic|medic|lna|"
            "medical assistant|mental health tech|er tech",
            Role.SUPPORT: "support staff|non clinical|nonclinical|evs|"
            "environmental services|housekeeping|housekeeper|dietary|food service|security|"
            "reception|receptionist|front desk|registration|unit clerk|unit secretary|"
            "clerk|admin|administrative|transport|transporter|janitor|custodian|billing",
            Role.OTHER: "leader|manager|nurse manager|director|executive|supervisor|"
            "administrator|chaplain|social worker|social work|case manager|msw|lcsw|"
            "psychologist|counselor|other role|something else",
            Role.UNSPECIFIED: "prefer not to say|rather not say|prefer not|rather not|skip|pass",
        },
        ES: {
            Role.NURSE: "enfermera|enfermero|enfermeria|enfermera registrada",
            Role.PHYSICIAN: "medico|medica|doctor|doctora|cirujano|cirujana",
            Role.TRAINEE: "residente|estudiante|interno|interna|estudiante de medicina|"
            "estudiante de enfermeria",
            Role.APP: "enfermera practicante|enfermero practicante|asistente medico|"
            "asistente medica|partera|comadrona|anestesista|enfermera anestesista",
            Role.ALLIED: "farmaceutico|farmaceutica|farmacia|laboratorio|"
            "tecnico de laboratorio|tecnica de laboratorio|radiologia|imagenes|terapeuta|"
            "fisioterapeuta|terapeuta respiratorio|nutricionista|dietista",
            Role.TECH: "tecnico|tecnica|auxiliar|auxiliar de enfermeria|"
            "asistente de enfermeria|paramedico|paramedica|tecnico de emergencias",
            Role.SUPPORT: "personal de apoyo|no clinico|limpieza|seguridad|recepcion|"
            "recepcionista|cocina|administrativo|administrativa|transporte",
            Role.OTHER: "capellan|trabajador social|trabajadora social|trabajo social|gerente|"
            "director|directora|supervisor|supervisora|jefe|jefa|psicologo|psicologa|"
            "otro rol|otra funcion|otra cosa",
            Role.UNSPECIFIED: "prefiero no decir|prefiero no decirlo|prefiero no",
        },
    },
    State.URGENCY: {
        EN: {
            Urgency.URGENT: "today|now|right now|asap|as soon as possible|soon as possible|"
            "urgent|urgently|immediately|tonight|this morning|this afternoon|"
            "this evening|same day|emergency",
            Urgency.SOON: "tomorrow|soon|day or 2|next day or 2|1 or 2 days|1 2 days|"
            "couple days|couple of days|1 day|2 days|next day|not today|not now",
            Urgency.ROUTINE: "no rush|not urgent|no hurry|not in a rush|whenever|later|"
            "eventually|next week|anytime|any time|when you can|sometime",
        },
        ES: {
            Urgency.URGENT: "hoy|ahora|ahorita|ya|ya mismo|urgente|cuanto antes|"
            "lo antes posible|lo mas pronto posible|esta noche|hoy mismo",
            Urgency.SOON: "manana|pronto|en 1 o 2 dias|1 o 2 dias|1 2 dias|dia o 2|1 dia|2 dias|"
            "pasado manana|hoy no|no hoy",
            Urgency.ROUTINE: "sin prisa|no hay prisa|no es urgente|no urge|cuando sea|"
            "cuando puedan|mas adelante|la proxima semana|la semana que viene",
        },
    },
    State.ORG_PREF: {
        EN: {
            OrgPreference.OUTSIDE: "outside|someone outside|outside my org|"
            "outside my organization|another hospital|different hospital|other hospital|"
            "not my hospital|not my org|not my organization|elsewhere|external",
            OrgPreference.SAME_OK: "same|same hospital|my org is fine|"
            "my organization is fine|my hospital is fine|my own|inside|internal",
            OrgPreference.ANY: "no preference|no pref|either|either is fine|either way|"
            "doesnt matter|dont care|dont mind|anyone|any|whatever",
        },
        ES: {
            OrgPreference.OUTSIDE: "fuera|de fuera|afuera|alguien de fuera|otra organizacion|"
            "otro hospital|externo|externa|fuera de mi hospital|fuera de mi organizacion",
            OrgPreference.SAME_OK: "mi organizacion esta bien|mi hospital esta bien|misma|"
            "mismo|la misma|el mismo",
            OrgPreference.ANY: "me da igual|da igual|cualquiera|sin preferencia|no importa|"
            "lo que sea",
        },
    },
    # By text, "now" and "later" both mean a call back (the window question follows).
    State.CONTACT: {
        EN: {
            ContactMode.CALLBACK: "now|right now|call me now|call me|connect now|connect me|"
            "talk now|call back|call me back|callback|call me later|later|ring me back|phone|"
            "call",
            ContactMode.TEXT_FIRST: "text|text me|text first|text me first|sms|message me",
        },
        ES: {
            ContactMode.CALLBACK: "ahora|ahora mismo|llamame ahora|hablar ahora|llamame|"
            "llamenme|devolver la llamada|devolverme la llamada|devuelvanme|llamenme despues|"
            "llamame despues|mas tarde|despues|luego|llamada",
            ContactMode.TEXT_FIRST: "texto|mensaje|escribanme|escribeme|mensaje primero",
        },
    },
    State.CALLBACK_WINDOW: {
        EN: {
            CallbackWindow.ASAP: "asap|as soon as possible|soon as possible|now|anytime|"
            "any time|whenever|first available",
            CallbackWindow.MORNING: "morning|mornings|in the morning|before noon",
            CallbackWindow.AFTERNOON: "afternoon|afternoons|after lunch|noon|midday",
            CallbackWindow.EVENING: "evening|evenings|tonight|night|after work",
        },
        ES: {
            CallbackWindow.ASAP: "lo antes posible|cuanto antes|ahora|cuando sea",
            CallbackWindow.MORNING: "por la manana|en la manana|temprano|manana por la manana",
            CallbackWindow.AFTERNOON: "tarde|por la tarde|mediodia|manana por la tarde",
            CallbackWindow.EVENING: "noche|por la noche|esta noche|manana por la noche",
            None: "mas tarde|manana",  # "later" is no window; a bare "mañana" is "tomorrow"
        },
    },
    State.OTHER_ROLE: _CONSENT,
    State.OTHER_LANGUAGE: _CONSENT,
    State.FOLLOW_UP: _CONSENT,
}


def _hour_window(hour: int, meridiem: str = "") -> str | None:
    """The callback window of a clock hour; without am/pm, the likelier half of the day."""
    if meridiem == "am" or (not meridiem and 8 <= hour <= 11):
        return CallbackWindow.MORNING if 6 <= hour <= 11 else None
    if hour == 12 or 1 <= hour <= 4:
        return CallbackWindow.AFTERNOON
    return CallbackWindow.EVENING if 5 <= hour <= 8 else None


def _clock_phrases() -> dict[str, str | None]:
    """ "at 3", "after 5pm", "a las 7" … so that an hour is not read as a menu key."""
    phrases: dict[str, str | None] = {}
    for hour in range(1, 13):
        for m in ("am", "pm"):
            for before in ("", "at ", "after ", "around ", "by "):
                window = _hour_window(hour, m)
                phrases[f"{before}{hour}{m}"] = phrases[f"{before}{hour} {m}"] = window
        for before in ("at", "after", "around", "a las", "despues de las"):
            phrases[f"{before} {hour}"] = _hour_window(hour)
        for before in ("before", "by", "antes de las", "until"):
            phrases[f"{before} {hour}"] = None
    return phrases


def _words(text: str) -> tuple[str, ...]:
    return tuple(_NUMBERS.get(w, w) for w in normalize(text).split())


def _index(state: State, language: Language) -> dict[tuple[str, ...], str | None]:
    keys = {option.value: option.key for option in menu_for(state, Channel.SMS).options}
    table = {**_BOTH_LANGUAGES.get(state, {}), **_SYNONYMS.get(state, {}).get(language, {})}
    index: dict[tuple[str, ...], str | None] = {_words(p): CRISIS_KEY for p in _CRISIS.split("|")}
    if state is State.CALLBACK_WINDOW:
        index |= {_words(p): None if v is None else keys[v] for p, v in _clock_phrases().items()}
    for value, phrases in table.items():
        key = None if value is None else keys[value]
        for words in map(_words, phrases.split("|")):
            if index.setdefault(words, key) != key:
                raise ValueError(f"{state} phrase {' '.join(words)!r} has two meanings")
    return index


_INDEX = {(s, lang): _index(s, lang) for s in MENUS for lang in Language}
_LONGEST = max(len(p) for index in _INDEX.values() for p in index)


def _read(
    words: tuple[str, ...], index: dict[tuple[str, ...], str | None]
) -> tuple[set[str], list[str]]:
    """The keys the phrases found vote for, and the words no phrase covered."""
    votes: set[str] = set()
    rest: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            if (phrase := words[i : i + size]) in index:
                key = index[phrase]
                if key is not None:
                    votes.add(key)
                i += size
                break
        else:
            rest.append(words[i])
            i += 1
    return votes, rest


def key_for(state: State, text: str, language: Language) -> str | None:
    """The menu key ``text`` answers at ``state`` ("1", "9" …), or None when unclear."""
    if state not in MENUS:
        return None
    words = _words(text)
    other = Language.ES if language is Language.EN else Language.EN
    votes, rest = _read(words, _INDEX[(state, language)])
    if not votes:
        votes, rest = _read(words, _INDEX[(state, other)])
    keys = {option.key for option in menu_for(state, Channel.SMS).options} | {CRISIS_KEY}
    for word in rest:
        if len(word) == 1 and word.isdigit():
            votes.add(word if word in keys else _UNCLEAR)
    return votes.pop() if len(votes) == 1 and _UNCLEAR not in votes else None


def asks_for_crisis_line(text: str) -> bool:
    """Whether a text, with no question pending, asks for the crisis numbers: the voice
    crisis key ("9"), "crisis" or "988", in either language."""
    return key_for(State.LANGUAGE, text, Language.EN) == CRISIS_KEY
