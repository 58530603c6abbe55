"""Every word the flow says, in English and Spanish, for voice and for SMS.

Voice prompts are read by Twilio's ``<Say>``; SMS prompts are kept under 160 GSM-7
characters where possible. The numbers spoken are the public contract of the menus in
``ivr.menus`` — change both together.
"""

from __future__ import annotations

from ivr.menus import menu_for
from ivr.model import Channel, Input, Language, Msg, Prompt, State
from ivr.number_text import NUMBER_TEXT
from ivr.sms_text import SMS_TEXT

EN, ES = Language.EN, Language.ES

TEXT: dict[Language, dict[Msg, str]] = {
    EN: {
        **NUMBER_TEXT[EN],
        Msg.SAFETY: (
            "Thank you for calling Peerline. This is a confidential peer-support line, "
            "not a crisis line. If you are in danger, hang up and call 911. If you are "
            "thinking about suicide, press 9 at any time to be connected to the 988 Lifeline."
        ),
        Msg.SPANISH_OFFER: "For Spanish, press 2.",
        Msg.ENGLISH_STAY: "To continue in English, press 1 or stay on the line.",
        Msg.CONFIDENTIALITY: (
            "What you share stays confidential, except when someone's safety is at risk "
            "or the law requires us to report. Calls are never recorded."
        ),
        Msg.NO_INPUT: "Sorry, I didn't hear a choice.",
        Msg.INVALID: "Sorry, that's not an option.",
        Msg.ASK_ROLE: "Which best describes your role?",
        Msg.ASK_URGENCY: "How soon would you like to talk with a peer?",
        Msg.ASK_ORG_PREF: "Who would you rather talk to?",
        Msg.ASK_ORG_NAME: (
            "Please say the name of your hospital or organization, so we can match you "
            "with someone outside it."
        ),
        Msg.ORG_NOT_HEARD: "I didn't catch that. Please say it once more.",
        Msg.ASK_CONTACT: "How would you like to talk?",
        Msg.ASK_CALLBACK_WINDOW: "When is a good time for us to call you back?",
        Msg.CRISIS_REMINDER: "Press 9 at any time for the crisis line.",
        Msg.CONFIRM_HOLD: (
            "Thank you. We are finding a peer supporter for you now. Please stay on the line."
        ),
        Msg.CONFIRM_CALLBACK: (
            "Thank you. A peer supporter will call you from this Peerline number"
        ),
        Msg.ETA_URGENT: "We aim to reach you within two hours.",
        Msg.ETA_SOON: "We aim to reach you within one business day.",
        Msg.ETA_ROUTINE: "We aim to reach you within two business days.",
        Msg.WINDOW_ASAP: "as soon as one is free.",
        Msg.WINDOW_MORNING: "in the morning, between 8 and noon.",
        Msg.WINDOW_AFTERNOON: "in the afternoon, between noon and 5.",
        Msg.WINDOW_EVENING: "in the evening, between 5 and 9.",
        Msg.CRISIS_CONNECTING: "Connecting you to the 988 Suicide and Crisis Lifeline now.",
        Msg.CRISIS_FAILED: (
            "If the call did not connect, please dial 988, or 911 if you are in danger. Take care."
        ),
        Msg.CONFIRM_TEXT_FIRST: (
            "Thank you. We'll text you from this Peerline number to set up the call."
        ),
        Msg.CRISIS_TEXT: (
            "If you are in danger, call 911 now. To reach the 988 Suicide and Crisis "
            "Lifeline, call or text 988, any time."
        ),
        Msg.HOLD_FIRST: (
            "Thank you for waiting. We are reaching out to a peer supporter for you now."
        ),
        Msg.HOLD_AGAIN: "We are still finding a peer supporter. Thank you for staying on the line.",
        Msg.HOLD_GIVE_UP: (
            "We're sorry: no peer supporter has been able to pick up yet. We have kept your "
            "request, and a peer supporter will call you back from this Peerline number."
        ),
        Msg.HOLD_GIVE_UP_NO_NUMBER: (
            "We're sorry: no peer supporter has been able to pick up yet, and your number is "
            "hidden, so we can't call you back. Please call again a little later. If you are "
            "in danger, call 911, or dial 988."
        ),
        Msg.TECHNICAL_PROBLEM: (
            "We're sorry, Peerline is having a technical problem. To reach the 988 Lifeline "
            "now, press 9. Otherwise, please call again in a few minutes."
        ),
        Msg.GOODBYE: (
            "We didn't get an answer, so we'll end the call here. Please call again any "
            "time. If you are in danger, call 911, or dial 988. Take care."
        ),
    },
    ES: {
        **NUMBER_TEXT[ES],
        Msg.SAFETY: (
            "Gracias por llamar a Peerline. Esta es una línea confidencial de apoyo entre "
            "colegas, no una línea de crisis. Si está en peligro, cuelgue y llame al 911. "
            "Si está pensando en el suicidio, oprima 9 en cualquier momento para "
            "comunicarse con la Línea 988."
        ),
        Msg.SPANISH_OFFER: "Para español, oprima 2.",
        Msg.ENGLISH_STAY: "Para inglés, oprima 1 o espere en la línea.",
        Msg.CONFIDENTIALITY: (
            "Lo que comparta es confidencial, salvo cuando la seguridad de alguien está en "
            "riesgo o la ley nos obliga a informar. Las llamadas nunca se graban."
        ),
        Msg.NO_INPUT: "Perdón, no escuché ninguna opción.",
        Msg.INVALID: "Perdón, esa no es una opción.",
        Msg.ASK_ROLE: "¿Qué describe mejor su función?",
        Msg.ASK_URGENCY: "¿Qué tan pronto le gustaría hablar con un colega?",
        Msg.ASK_ORG_PREF: "¿Con quién prefiere hablar?",
        Msg.ASK_ORG_NAME: (
            "Por favor, diga el nombre de su hospital u organización, para buscarle a "
            "alguien de fuera."
        ),
        Msg.ORG_NOT_HEARD: "No le entendí. Por favor, dígalo una vez más.",
        Msg.ASK_CONTACT: "¿Cómo prefiere hablar?",
        Msg.ASK_CALLBACK_WINDOW: "¿Cuándo es un buen momento para devolverle la llamada?",
        Msg.CRISIS_REMINDER: "Oprima 9 en cualquier momento para la línea de crisis.",
        Msg.CONFIRM_HOLD: (
            "Gracias. Estamos buscando a un colega de apoyo. Por favor, no cuelgue."
        ),
        Msg.CONFIRM_CALLBACK: (
            "Gracias. Un colega de apoyo le llamará desde este número de Peerline"
        ),
        Msg.ETA_URGENT: "Procuramos comunicarnos con usted en menos de dos horas.",
        Msg.ETA_SOON: "Procuramos comunicarnos con usted en un día hábil.",
        Msg.ETA_ROUTINE: "Procuramos comunicarnos con usted en dos días hábiles.",
        Msg.WINDOW_ASAP: "en cuanto haya alguien disponible.",
        Msg.WINDOW_MORNING: "por la mañana, entre las 8 y el mediodía.",
        Msg.WINDOW_AFTERNOON: "por la tarde, entre el mediodía y las 5.",
        Msg.WINDOW_EVENING: "por la noche, entre las 5 y las 9.",
        Msg.CRISIS_CONNECTING: "Le estamos comunicando con la Línea 988 de crisis.",
        Msg.CRISIS_FAILED: (
            "Si la llamada no se conectó, marque 988, o 911 si está en peligro. Cuídese."
        ),
        Msg.CONFIRM_TEXT_FIRST: (
            "Gracias. Le escribiremos desde este número de Peerline para acordar la llamada."
        ),
        Msg.CRISIS_TEXT: (
            "Si está en peligro, llame al 911 ahora. Para la Línea 988 de crisis, llame o "
            "envíe un texto al 988, a cualquier hora."
        ),
        Msg.HOLD_FIRST: (
            "Gracias por esperar. Estamos contactando a un colega de apoyo para usted."
        ),
        Msg.HOLD_AGAIN: "Seguimos buscando a un colega de apoyo. Gracias por esperar.",
        Msg.HOLD_GIVE_UP: (
            "Lo sentimos: ningún colega de apoyo ha podido atender todavía. Guardamos su "
            "solicitud, y un colega de apoyo le llamará desde este número de Peerline."
        ),
        Msg.HOLD_GIVE_UP_NO_NUMBER: (
            "Lo sentimos: ningún colega de apoyo ha podido atender todavía, y su número está "
            "oculto, así que no podemos devolverle la llamada. Por favor, llame de nuevo más "
            "tarde. Si está en peligro, llame al 911 o marque 988."
        ),
        Msg.TECHNICAL_PROBLEM: (
            "Lo sentimos, Peerline tiene un problema técnico. Para comunicarse con la Línea "
            "988 ahora, oprima 9. Si no, por favor llame de nuevo en unos minutos."
        ),
        Msg.GOODBYE: (
            "No recibimos respuesta, así que terminaremos la llamada. Llámenos cuando "
            "quiera. Si está en peligro, llame al 911 o marque 988. Cuídese."
        ),
    },
}

# label id -> (voice phrase, short SMS label)
LABELS: dict[Language, dict[str, tuple[str, str]]] = {
    EN: {
        "language.en": ("For English", "English"),
        "language.es": ("For Spanish", "Español"),
        "role.nurse": ("A nurse", "Nurse"),
        "role.physician": ("A physician", "Physician"),
        "role.trainee": ("A resident, fellow or student", "Resident/fellow/student"),
        "role.app": ("A nurse practitioner, PA, CRNA or midwife", "NP/PA/CRNA/midwife"),
        "role.allied": (
            "Pharmacy, lab, imaging, therapy or allied health",
            "Pharmacy/lab/imaging/therapy/allied",
        ),
        "role.tech": ("A nursing assistant, patient-care tech or EMS", "CNA/PCT/EMS"),
        "role.support": ("Support or non-clinical staff", "Support/non-clinical"),
        "role.other": (
            "A leader, chaplain, social worker or other role",
            "Leader/chaplain/SW/other",
        ),
        "role.unspecified": ("If you'd rather not say", "Prefer not to say"),
        "urgency.urgent": ("To talk today", "Today"),
        "urgency.soon": ("In the next day or two", "Next day or two"),
        "urgency.routine": ("If there's no rush", "No rush"),
        "org_pref.outside": ("For someone outside your organization", "Someone outside my org"),
        "org_pref.same_ok": ("If your own organization is fine", "My org is fine"),
        "org_pref.any": ("For no preference", "No preference"),
        "contact.hold": ("To stay on the line and be connected now", "Connect now"),
        "contact.callback": ("For a call back", "Call me back"),
        "contact.text_first": ("To be texted first", "Text me first to set up the call"),
        "callback_window.asap": ("As soon as possible", "ASAP"),
        "callback_window.morning": ("In the morning", "Morning 8-12"),
        "callback_window.afternoon": ("In the afternoon", "Afternoon 12-5"),
        "callback_window.evening": ("In the evening", "Evening 5-9"),
    },
    ES: {
        "language.en": ("Para inglés", "English"),
        "language.es": ("Para español", "Español"),
        "role.nurse": ("Enfermería", "Enfermería"),
        "role.physician": ("Médico", "Médico"),
        "role.trainee": ("Residente, fellow o estudiante", "Residente/estudiante"),
        "role.app": (
            "Enfermera practicante, asistente médico, anestesista o partera",
            "NP/PA/anestesista/partera",
        ),
        "role.allied": (
            "Farmacia, laboratorio, imágenes, terapia u otra profesión de salud",
            "Farmacia/lab/imágenes/terapia",
        ),
        "role.tech": (
            "Asistente de enfermería, técnico de atención o paramédico",
            "Asistente/técnico/paramédico",
        ),
        "role.support": ("Personal de apoyo o no clínico", "Apoyo/no clínico"),
        "role.other": ("Dirección, capellán, trabajo social u otra función", "Dirección/otro"),
        "role.unspecified": ("Si prefiere no decirlo", "Prefiero no decir"),
        "urgency.urgent": ("Para hablar hoy", "Hoy"),
        "urgency.soon": ("En uno o dos días", "En 1-2 días"),
        "urgency.routine": ("Si no hay prisa", "Sin prisa"),
        "org_pref.outside": ("Para alguien de fuera de su organización", "Alguien de fuera"),
        "org_pref.same_ok": ("Si su organización está bien", "Mi organización está bien"),
        "org_pref.any": ("Si le da igual", "Me da igual"),
        "contact.hold": ("Para esperar en la línea y hablar ahora", "Hablar ahora"),
        "contact.callback": ("Para que le devuelvan la llamada", "Devolverme la llamada"),
        "contact.text_first": ("Para recibir un mensaje primero", "Escribirme primero"),
        "callback_window.asap": ("Lo antes posible", "Lo antes posible"),
        "callback_window.morning": ("Por la mañana", "Mañana 8-12"),
        "callback_window.afternoon": ("Por la tarde", "Tarde 12-5"),
        "callback_window.evening": ("Por la noche", "Noche 5-9"),
    },
}

_OPTION: dict[tuple[Channel, Language], str] = {
    (Channel.VOICE, EN): "{label}, press {key}.",
    (Channel.VOICE, ES): "{label}, oprima {key}.",
    (Channel.SMS, EN): "{key} {label}",
    (Channel.SMS, ES): "{key} {label}",
}

# Voice reads these; the "Say" of a Twilio number needs a voice that speaks the language.
SAY_LANGUAGE = {EN: "en-US", ES: "es-MX"}
SAY_VOICE = {EN: "Polly.Joanna", ES: "Polly.Mia"}


def text(msg: Msg, language: Language, channel: Channel = Channel.VOICE) -> str:
    """The words for ``msg``; a text message uses its own wording where it has one."""
    if channel is Channel.SMS and msg in SMS_TEXT[language]:
        return SMS_TEXT[language][msg]
    return TEXT[language][msg]


def _words(msg: Msg, language: Language, channel: Channel, readback: str) -> str:
    words = text(msg, language, channel)
    return words.format(digits=readback) if msg is Msg.READ_BACK else words


def options(menu: State, language: Language, channel: Channel) -> list[str]:
    """The menu's options as sentences ("For a nurse, press 1.") in key order of the menu."""
    template = _OPTION[(channel, language)]
    if menu is State.LANGUAGE:  # the language gate offers only its own sentence
        return []
    short = channel is Channel.SMS
    return [
        template.format(label=LABELS[language][o.label][short], key=o.key)
        for o in menu_for(menu, channel).options
    ]


def sentences(prompt: Prompt, channel: Channel, readback: str = "") -> list[tuple[str, Language]]:
    """Everything the prompt says, in order, each with the language to say it in.

    ``readback``: what a ``READ_BACK`` line says for the digits, e.g. ``spoken_digits(…)``
    (the edge has the number; the flow never does)."""
    said = [
        (_words(line.msg, line.language, channel, readback), line.language) for line in prompt.lines
    ]
    if prompt.menu is not None:
        said += [(s, prompt.language) for s in options(prompt.menu, prompt.language, channel)]
    if prompt.input is not Input.NONE and prompt.menu is not State.LANGUAGE:
        # The greeting already names the crisis key; every other question repeats it.
        said.append((text(Msg.CRISIS_REMINDER, prompt.language, channel), prompt.language))
    return said
