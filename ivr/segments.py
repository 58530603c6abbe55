"""SMS encoding and segment arithmetic (GSM 03.38 / UCS-2), as carriers bill it. Pure.

One character outside the GSM-7 alphabet turns the whole message into UCS-2, so a
single curly quote cuts a 160-character segment to 70. ``fit_one_segment`` swaps
look-alike punctuation for its GSM-7 twin. It never changes letters: Spanish "á", "í",
"ó", "ú" are not in GSM-7, and a message that has them stays UCS-2.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# GSM 03.38 default alphabet, in table order (0x1B is the escape to the extension table).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs two septets (escape + code).
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_MULTI = 160, 153  # septets; a multipart header takes 7
UCS2_SINGLE, UCS2_MULTI = 70, 67  # UTF-16 code units


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True)
class Segments:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    count: int


_LOOKALIKES = str.maketrans(
    {
        "\u2018": "'",  # left single quote
        "\u2019": "'",  # right single quote
        "\u201a": "'",  # low single quote
        "\u201b": "'",  # reversed single quote
        "\u2032": "'",  # prime
        "\u02bc": "'",  # modifier apostrophe
        "\u201c": '"',  # left double quote
        "\u201d": '"',  # right double quote
        "\u201e": '"',  # low double quote
        "\u201f": '"',  # reversed double quote
        "\u2033": '"',  # double prime
        "\u00ab": '"',  # left guillemet
        "\u00bb": '"',  # right guillemet
        "\u2039": "<",  # single left guillemet
        "\u203a": ">",  # single right guillemet
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
        "\u2022": "-",  # bullet
        "\u2026": "...",  # ellipsis
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space
        "\u2007": " ",  # figure space
        "\u2009": " ",  # thin space
        "\u200a": " ",  # hair space
        "\u2002": " ",  # en space
        "\u2003": " ",  # em space
        "\t": " ",
        "\u200b": None,  # zero-width space
        "\u200c": None,  # zero-width non-joiner
        "\u2060": None,  # word joiner
        "\ufeff": None,  # byte-order mark
        "\u00ad": None,  # soft hyphen
    }
)


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 default alphabet or its extension."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def encoding(text: str) -> Encoding:
    return Encoding.GSM7 if is_gsm7(text) else Encoding.UCS2


def measure(text: str) -> Segments:
    """The encoding, length and segment count of ``text`` as one SMS body.

    Parts are packed greedily without splitting an escape sequence or a surrogate pair,
    as handsets and carriers do, so the count can exceed ``ceil(units / 153)``.
    """
    if is_gsm7(text):
        sizes = [2 if c in GSM7_EXTENSION else 1 for c in text]
        single, multi, enc = GSM7_SINGLE, GSM7_MULTI, Encoding.GSM7
    else:
        sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]
        single, multi, enc = UCS2_SINGLE, UCS2_MULTI, Encoding.UCS2
    units = sum(sizes)
    if units <= single:
        return Segments(enc, units, 1 if units else 0)
    count, room = 1, multi
    for size in sizes:
        if size > room:
            count, room = count + 1, multi
        room -= size
    return Segments(enc, units, count)


def segment_count(text: str) -> int:
    """How many segments ``text`` is billed as (0 for an empty body)."""
    return measure(text).count


def fit_one_segment(text: str) -> str:
    """``text`` with look-alike punctuation replaced by GSM-7 characters, when that helps.

    Curly quotes, dashes, the ellipsis and odd spaces become ASCII. The result is used
    only if it is pure GSM-7. Otherwise the message is UCS-2 either way (say, Spanish
    "í"), and ``text`` comes back unchanged, since "..." would cost more than "…".
    Words are never cut: callers check ``measure`` when one segment matters.
    """
    plain = text.translate(_LOOKALIKES)
    return plain if is_gsm7(plain) else text
