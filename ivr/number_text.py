"""Every word about the call-back number a caller keys in: asking for it, refusing it with a
reason, and reading it back digit by digit for the caller to confirm."""

from __future__ import annotations

from ivr.model import Language, Msg

NUMBER_TEXT: dict[Language, dict[Msg, str]] = {
    Language.EN: {
        Msg.ASK_CALLBACK_NUMBER: (
            "Your number is hidden, so we don't know where to call you back. Please enter "
            "the number to call, starting with the area code, then press the pound key. "
            "Or press star to stay on the line instead."
        ),
        Msg.ASK_OTHER_NUMBER: (
            "We can't call back the number you are calling from. Please enter another number "
            "to call, starting with the area code, then press the pound key. Or press star to "
            "stay on the line instead."
        ),
        Msg.ASK_NUMBER_AGAIN: (
            "Please enter the number to call, starting with the area code, then press the "
            "pound key. Or press star to stay on the line instead."
        ),
        Msg.BAD_NUMBER: "Sorry, that number doesn't look right.",
        Msg.NUMBER_US_ONLY: "We can only call numbers in the United States.",
        Msg.NUMBER_COUNTRY: "We can't call numbers in that country.",
        Msg.NUMBER_REFUSED: "We can't call that number.",
        Msg.READ_BACK: "You entered {digits}.",
        Msg.CONFIRM_NUMBER: "Press 1 if that is right, or 2 to enter it again.",
        Msg.NUMBER_NOT_NEEDED: "All right, let's connect you now instead.",
    },
    Language.ES: {
        Msg.ASK_CALLBACK_NUMBER: (
            "Su número está oculto, así que no sabemos a dónde devolverle la llamada. Marque "
            "el número al que debemos llamar, con el código de área, y después la tecla de "
            "numeral. O bien oprima asterisco para esperar en la línea."
        ),
        Msg.ASK_OTHER_NUMBER: (
            "No podemos devolver la llamada al número desde el que llama. Marque otro número "
            "al que debamos llamar, con el código de área, y después la tecla de numeral. O "
            "bien oprima asterisco para esperar en la línea."
        ),
        Msg.ASK_NUMBER_AGAIN: (
            "Marque el número al que debemos llamar, con el código de área, y después la "
            "tecla de numeral. O bien oprima asterisco para esperar en la línea."
        ),
        Msg.BAD_NUMBER: "Perdón, ese número no parece correcto.",
        Msg.NUMBER_US_ONLY: "Solo podemos llamar a números de los Estados Unidos.",
        Msg.NUMBER_COUNTRY: "No podemos llamar a números de ese país.",
        Msg.NUMBER_REFUSED: "No podemos llamar a ese número.",
        Msg.READ_BACK: "Usted marcó {digits}.",
        Msg.CONFIRM_NUMBER: "Oprima 1 si es correcto, o 2 para marcarlo de nuevo.",
        Msg.NUMBER_NOT_NEEDED: "De acuerdo, le comunicaremos ahora.",
    },
}


def spoken_digits(digits: str) -> str:
    """Digits to be read one by one, grouped as people say them: "6 1 7, 5 5 5, 0 1 5 0"."""
    digits = "".join(d for d in digits if d.isdigit())
    if len(digits) == 11 and digits[0] == "1":
        groups = [digits[:1], digits[1:4], digits[4:7], digits[7:]]
    elif len(digits) == 10:
        groups = [digits[:3], digits[3:6], digits[6:]]
    else:
        groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
        if len(groups) > 1 and len(groups[-1]) == 1:  # no lone digit at the end
            groups[-2:] = [groups[-2] + groups[-1]]
    return ", ".join(" ".join(group) for group in groups)
