import pytest

from ivr.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    Encoding,
    Segments,
    encoding,
    fit_one_segment,
    is_gsm7,
    measure,
    segment_count,
)

GSM, UCS = Encoding.GSM7, Encoding.UCS2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Segments(GSM, 0, 0)),
        ("a", Segments(GSM, 1, 1)),
        ("a" * 160, Segments(GSM, 160, 1)),
        ("a" * 161, Segments(GSM, 161, 2)),
        ("a" * 306, Segments(GSM, 306, 2)),  # 2 x 153
        ("a" * 307, Segments(GSM, 307, 3)),
        ("€" * 80, Segments(GSM, 160, 1)),  # extension characters cost two septets
        ("€" * 81, Segments(GSM, 162, 2)),
        ("a" * 159 + "^", Segments(GSM, 161, 2)),
        ("á" * 70, Segments(UCS, 70, 1)),
        ("á" * 71, Segments(UCS, 71, 2)),
        ("á" * 134, Segments(UCS, 134, 2)),  # 2 x 67
        ("á" * 135, Segments(UCS, 135, 3)),
        ("😀", Segments(UCS, 2, 1)),  # one emoji = a surrogate pair = 2 units
        ("😀" * 35, Segments(UCS, 70, 1)),
        ("😀" * 36, Segments(UCS, 72, 2)),
        ("a" * 159 + "😀", Segments(UCS, 161, 3)),  # the emoji drags all 160 into UCS-2
    ],
)
def test_known_vectors(text: str, expected: Segments) -> None:
    assert measure(text) == expected
    assert segment_count(text) == expected.count


def test_one_emoji_switches_the_whole_message() -> None:
    text = "Peerline: ticket K7Q2, urgent."
    assert encoding(text) is GSM
    assert encoding(text + " 💊") is UCS


def test_escape_sequences_are_not_split_across_parts() -> None:
    # 152 plain + "{" = 154 septets: the escape pair cannot straddle the 153 boundary.
    text = "a" * 152 + "{" + "a" * 152
    assert measure(text).units == 306
    assert measure(text).count == 3


def test_surrogate_pairs_are_not_split_across_parts() -> None:
    text = "á" * 66 + "😀" + "á" * 66
    assert measure(text).units == 134
    assert measure(text).count == 3


@pytest.mark.parametrize(
    ("char", "in_gsm"),
    [
        ("é", True),
        ("É", True),
        ("ñ", True),
        ("Ñ", True),
        ("ü", True),
        ("Ü", True),
        ("¿", True),
        ("¡", True),
        ("à", True),
        ("è", True),
        ("ì", True),
        ("ò", True),
        ("ù", True),
        ("Ç", True),
        ("ß", True),
        ("Δ", True),
        ("€", True),
        ("\n", True),
        ("á", False),
        ("í", False),
        ("ó", False),
        ("ú", False),
        ("Á", False),
        ("Í", False),
        ("Ó", False),
        ("Ú", False),
        ("ç", False),
        ("\u2019", False),  # right single quote
        ("\u201c", False),  # left double quote
        ("\u2014", False),  # em dash
        ("\u2026", False),  # ellipsis
        ("\u00a0", False),  # no-break space
        ("\t", False),
        ("`", False),
    ],
)
def test_gsm_alphabet(char: str, in_gsm: bool) -> None:
    assert is_gsm7(char) is in_gsm


def test_alphabet_sizes_match_gsm_03_38() -> None:
    assert len(GSM7_BASIC) == 127  # 128 codes, one of them the escape
    assert set("\f^{}\\[~]|€") == GSM7_EXTENSION
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It\u2019s ok", "It's ok"),
        ("\u201cYes\u201d", '"Yes"'),
        ("\u2018a\u2019", "'a'"),
        ("8\u201312", "8-12"),
        ("wait\u2014what", "wait-what"),
        ("so\u2026", "so..."),
        ("a\u00a0b\u202fc", "a b c"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("\u00abhola\u00bb", '"hola"'),
        ("plain text", "plain text"),
        ("ñandú", "ñandú"),  # "ú" keeps it UCS-2: nothing to gain, nothing replaced
        ("Línea \u201c988\u201d\u2026", "Línea \u201c988\u201d\u2026"),
        ("¿Cómo está?", "¿Cómo está?"),
        ("Reply YES \u2014 thanks 💊", "Reply YES \u2014 thanks 💊"),
        ("Señor, ¿qué tal? \u2014 ¡bien!", "Señor, ¿qué tal? - ¡bien!"),
    ],
)
def test_fit_one_segment(text: str, expected: str) -> None:
    assert fit_one_segment(text) == expected


def test_fit_one_segment_turns_a_two_part_text_into_one() -> None:
    text = "We\u2019re here \u2014 a peer will call you back\u2026 " * 3
    assert measure(text) == Segments(UCS, 120, 2)
    assert measure(fit_one_segment(text)) == Segments(GSM, 126, 1)


def test_fit_one_segment_never_cuts_words() -> None:
    text = "x" * 200 + "\u2019"
    assert fit_one_segment(text) == "x" * 200 + "'"
    assert segment_count(fit_one_segment(text)) == 2
