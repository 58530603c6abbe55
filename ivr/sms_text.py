"""Where a text message needs other words than the voice line: short, no "press", and
"reply" instead. Kept to one GSM-7 segment where the content allows."""

from __future__ import annotations

from ivr.model import Language, Msg

SMS_TEXT: dict[Language, dict[Msg, str]] = {
    Language.EN: {
        Msg.SAFETY: (
            "Peerline: confidential peer support for healthcare workers. Not a crisis line: "
            "in danger, call 911. Thinking of suicide? Call or text 988."
        ),
        Msg.SPANISH_OFFER: "Para español, responda 2.",
        Msg.ENGLISH_STAY: "Reply 1 to continue in English.",
        Msg.CONFIDENTIALITY: (
            "What you share is confidential unless someone's safety is at risk or the law "
            "requires a report. Reply STOP to opt out."
        ),
        Msg.INVALID: "Sorry, I didn't get that. Reply with a number from the list.",
        Msg.NO_INPUT: "Sorry, I didn't get that.",
        Msg.ASK_ORG_NAME: (
            "What is the name of your hospital or organization? (So we match you with "
            "someone outside it.)"
        ),
        Msg.ORG_NOT_HEARD: "Please type the name of your hospital or organization.",
        Msg.CRISIS_REMINDER: "Reply 9 for crisis numbers.",
        Msg.CONFIRM_CALLBACK: "Thank you. A peer supporter will call you from this number",
        Msg.TEXTER_US_ONLY: (
            "Peerline: sorry, we can only call numbers in the United States, so we can't call "
            "you back at this number. Please call or text us from a US number. In danger? "
            "Call 911 or your local emergency number. In the US, call or text 988."
        ),
        Msg.TEXTER_NOT_CALLABLE: (
            "Peerline: sorry, we can't call this number, so we can't take a request from it. "
            "Please call or text us from another phone. In danger? Call 911 or your local "
            "emergency number. In the US, call or text 988."
        ),
        Msg.GOODBYE: (
            "We've closed this conversation. Text us any time to start again. In danger? "
            "Call 911, or call or text 988."
        ),
    },
    Language.ES: {
        Msg.SAFETY: (
            "Peerline: apoyo confidencial entre colegas de salud. No es una línea de crisis: "
            "si está en peligro, llame al 911. ¿Piensa en el suicidio? Llame o escriba al 988."
        ),
        Msg.SPANISH_OFFER: "Para español, responda 2.",
        Msg.ENGLISH_STAY: "Reply 1 to continue in English.",
        Msg.CONFIDENTIALITY: (
            "Lo que comparta es confidencial salvo riesgo para alguien o si la ley obliga a "
            "informar. Responda STOP para no recibir más mensajes."
        ),
        Msg.INVALID: "Perdón, no entendí. Responda con un número de la lista.",
        Msg.NO_INPUT: "Perdón, no entendí.",
        Msg.ASK_ORG_NAME: (
            "¿Cómo se llama su hospital u organización? (Para buscarle a alguien de fuera.)"
        ),
        Msg.ORG_NOT_HEARD: "Escriba el nombre de su hospital u organización.",
        Msg.CRISIS_REMINDER: "Responda 9 para números de crisis.",
        Msg.CONFIRM_CALLBACK: "Gracias. Un colega de apoyo le llamará desde este número",
        Msg.TEXTER_US_ONLY: (
            "Peerline: lo sentimos, solo podemos llamar a números de los Estados Unidos, así "
            "que no podemos llamarle a este número. Llámenos o escríbanos desde un número de "
            "EE. UU. ¿En peligro? Llame al 911 o al número de emergencias local. En EE. UU., "
            "llame o escriba al 988."
        ),
        Msg.TEXTER_NOT_CALLABLE: (
            "Peerline: lo sentimos, no podemos llamar a este número, así que no podemos "
            "registrar una solicitud desde él. Llámenos o escríbanos desde otro teléfono. ¿En "
            "peligro? Llame al 911 o al número de emergencias local. En EE. UU., llame o "
            "escriba al 988."
        ),
        Msg.GOODBYE: (
            "Cerramos esta conversación. Escríbanos cuando quiera. ¿En peligro? Llame al 911, "
            "o llame o escriba al 988."
        ),
    },
}
