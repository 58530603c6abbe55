"""Which new organization names are probable typos of a known one (refused until confirmed)
and which name another place (accepted). Each pair is asked both ways round."""

from __future__ import annotations

import pytest

from ivr.lookalikes import look_alike, probable_typo

TYPO, OTHER = True, False
PAIRS = [
    # Names of different places that differ in a distinguishing word.
    ("Boston Children's Hospital", "Boston Medical Center", OTHER),
    ("St. Mary's North", "St. Mary's South", OTHER),
    ("St. Mary's Northeast", "St. Mary's Northwest", OTHER),  # 89% alike as characters
    ("Org B", "Org A", OTHER),
    ("Clinic 12", "Clinic 13", OTHER),
    ("Building II", "Building III", OTHER),
    ("Massachusetts Eye and Ear", "Massachusetts General Hospital", OTHER),
    ("Lowell General Hospital", "Massachusetts General Hospital", OTHER),
    ("Beth Israel Lahey Health", "Beth Israel Deaconess Medical Center", OTHER),
    ("University of Massachusetts Medical School", "Massachusetts General Hospital", OTHER),
    ("Boston Childrens", "Boston Medical Center", OTHER),
    ("Cambridge Health Alliance", "Cambridge Hospital", OTHER),
    ("Medical Center", "Boston Medical Center", OTHER),  # kind-of-place words say nothing
    # Typos, other word orders, short forms and abbreviations of the same place.
    ("Brigam and Women's", "Brigham and Women's Hospital", TYPO),
    ("Massachusets General Hospital", "Massachusetts General Hospital", TYPO),
    ("General Hospital Massachusetts", "Massachusetts General Hospital", TYPO),
    ("Mass General", "Massachusetts General Hospital", TYPO),  # an abbreviation
    ("Mass General Hosp", "Massachusetts General Hospital", TYPO),
    ("Mass Eye and Ear", "Massachusetts Eye and Ear", TYPO),
    ("Tufts Medical Centre", "Tufts Medical Center", TYPO),
    ("Tufts Hospital", "Tufts Medical Center", TYPO),
    ("Tufts", "Tufts Medical Center", TYPO),
    ("Bostn Medical Center", "Boston Medical Center", TYPO),
    ("Childrens Hospital Boston", "Boston Children's Hospital", TYPO),
    ("Brigham & Women's", "Brigham and Women's Hospital", TYPO),
    ("Beth Isreal Deaconess", "Beth Israel Deaconess Medical Center", TYPO),
    ("St Marys Nort", "St. Mary's North", TYPO),
    # Initials are the organization's own, unless a roster lists them as an alias.
    ("MGH", "Massachusetts General Hospital", TYPO),
    ("B.M.C.", "Boston Medical Center", TYPO),
    ("BWH", "Brigham and Women's Hospital", TYPO),
    ("BCH", "Boston Medical Center", OTHER),
]


@pytest.mark.parametrize(("name", "known", "typo"), PAIRS)
def test_probable_typo_both_ways(name: str, known: str, typo: bool) -> None:
    assert probable_typo(name, known) is typo
    assert probable_typo(known, name) is typo


@pytest.mark.parametrize("name", ["Tufts Medical Center", "tufts medical center!", ""])
def test_the_same_name_is_not_a_typo_of_itself(name: str) -> None:
    assert probable_typo(name, "Tufts Medical Center") is False


KNOWN = [
    "Massachusetts General Hospital",
    "Brigham and Women's Hospital",
    "Boston Medical Center",
    "St. Mary's North",
]
ALIASES = {"Mass General": "Massachusetts General Hospital", "BWH": "Brigham and Women's Hospital"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Brigam and Women's", "Brigham and Women's Hospital"),
        ("General Hospital Massachusetts", "Massachusetts General Hospital"),
        ("Mass Generl", "Massachusetts General Hospital"),  # a typo of an alias
        ("Bostn Medical Center", "Boston Medical Center"),
        ("St. Mary's South", None),
        ("Boston Children's Hospital", None),
        ("Mayo Clinic", None),
    ],
)
def test_look_alike_names_the_known_organization(name: str, expected: str | None) -> None:
    assert look_alike(name, KNOWN, ALIASES) == expected
