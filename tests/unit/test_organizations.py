from __future__ import annotations

import pytest

from ivr.organizations import match, normalize

ORGS = [
    "Massachusetts General Hospital",
    "Brigham and Women's Hospital",
    "Boston Medical Center",
    "Beth Israel Deaconess Medical Center",
    "Boston Children's Hospital",
    "Tufts Medical Center",
]
ALIASES = {
    "MGH": "Massachusetts General Hospital",
    "Mass General": "Massachusetts General Hospital",
    "BWH": "Brigham and Women's Hospital",
    "The Brigham": "Brigham and Women's Hospital",
}


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Massachusetts General Hospital", "Massachusetts General Hospital"),
        ("massachusetts general", "Massachusetts General Hospital"),
        ("MGH", "Massachusetts General Hospital"),
        ("m g h", "Massachusetts General Hospital"),
        ("mass general", "Massachusetts General Hospital"),
        ("the brigham", "Brigham and Women's Hospital"),
        ("Brigham & Womens", "Brigham and Women's Hospital"),
        ("beth israel", "Beth Israel Deaconess Medical Center"),
        ("Tufts", "Tufts Medical Center"),
        ("Mass General Hospital", "Massachusetts General Hospital"),  # no alias needed
        ("beth israel deac", "Beth Israel Deaconess Medical Center"),
        ("ma ge", None),  # two letters are not an abbreviation
        ("tufts medical centre", "Tufts Medical Center"),
        ("Boston", None),  # two Boston hospitals: no clear winner, exclude nothing
        ("Boston Children's", "Boston Children's Hospital"),  # not Boston Medical Center
        ("boston medical", "Boston Medical Center"),  # not Boston Children's
        ("general hospital massachusetts", "Massachusetts General Hospital"),  # word order
        ("massachusets general", "Massachusetts General Hospital"),  # a typo
        ("Mayo Clinic", None),
        ("", None),
        ("   ", None),
    ],
)
def test_match(said: str, expected: str | None) -> None:
    assert match(said, ORGS, ALIASES) == expected


def test_normalize_folds_accents_case_and_punctuation() -> None:
    assert (
        normalize("  Hospital  Universitario  de San José! ")
        == "hospital universitario de san jose"
    )
    assert normalize("Brigham & Women's") == "brigham and womens"
