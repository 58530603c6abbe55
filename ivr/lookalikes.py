"""Whether a new organization name is a probable typo of a known one. Pure.

A roster may add organizations, but a misspelling of a known one ("Brigam and Women's")
stored as new would never equal the organization a caller names, and the caller could be
offered a peer from their own workplace. Names of different places often differ in one
word, though ("St. Mary's North", "St. Mary's South"), and character similarity alone
cannot tell the two apart (those two are 88% alike, "Brigam and Women's" and "Brigham
and Women's Hospital" only 78%). So the rule works on words:

1. Words are paired when they are the same word mistyped (rapidfuzz's ratio >= 80), one
   abbreviates the other ("mass" for "massachusetts"), or they are equal. Order is free.
   Numbers, and words such as "north" or "II" with each other, pair only when equal.
2. When *both* names keep a word the other lacks, and one of those words is distinctive
   (not "hospital", "medical", "center" …), they name different places.
3. Otherwise the distinctive words left, in any order, must say the same thing: rapidfuzz's
   token-set ratio of the two (after pairing) is at least 90. Extra words on one side
   only ("Tufts" for "Tufts Medical Center") still look alike.

Initials look alike too: "MGH" or "B.M.C." for the name they abbreviate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz

from ivr.organizations import normalize


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


CONNECTORS = _words("the of and at for a an de la el del")  # left out of initials
# Words that say what kind of place, not which one.
GENERIC = _words(
    "the of and at for a an de la el del st saint hospital hospitals medical center centre"
    " centers health healthcare clinic clinics care system inc llc"
)
# Words that tell branches of one name apart: two of them never pair as a typo of each
# other ("Northeast" and "Northwest" are 89% alike, "II" and "III" 80%).
EXACT = _words(
    "north south east west northeast northwest southeast southwest northern southern"
    " eastern western central upper lower downtown uptown i ii iii iv v vi vii viii ix x"
    " first second third fourth fifth"
)
SAME_WORD = 80  # rapidfuzz ratio (0-100) at which two words are one word mistyped
ALIKE = 90  # token-set ratio of the distinctive words at which two names look alike
ABBREVIATION = 3  # letters a word needs to abbreviate a longer one


def probable_typo(name: str, known: str) -> bool:
    """Whether ``name`` probably means ``known`` (a typo, other word order, a short form).

    Symmetric; False for names that normalize the same (those are simply equal).
    """
    ours, theirs = normalize(name).split(), normalize(known).split()
    if not ours or not theirs or ours == theirs:
        return False
    if _initials(ours, theirs) or _initials(theirs, ours):
        return True  # "MGH", "B.M.C."
    ours = [_counterpart(word, theirs) for word in ours]  # mistyped words, corrected
    only_ours = set(ours) - set(theirs)
    only_theirs = {w for w in theirs if not any(_same_word(w, o) for o in ours)}
    if only_ours and only_theirs and (only_ours | only_theirs) - GENERIC:
        return False  # each keeps a word of its own, and one of them names a place
    core_ours = " ".join(w for w in ours if w not in GENERIC)
    core_theirs = " ".join(w for w in theirs if w not in GENERIC)
    return fuzz.token_set_ratio(core_ours, core_theirs) >= ALIKE


def look_alike(
    name: str, organizations: Iterable[str], aliases: Mapping[str, str] | None = None
) -> str | None:
    """The known organization ``name`` is probably a typo of, else None.

    ``aliases`` maps an alias ("Mass General") to its organization's name: a typo of an
    alias is a typo of that organization.
    """
    names = {known: known for known in organizations}
    for alias, canonical in (aliases or {}).items():
        names.setdefault(alias, canonical)
    scored = [
        (fuzz.token_sort_ratio(normalize(name), normalize(known)), canonical)
        for known, canonical in names.items()
        if probable_typo(name, known)
    ]
    return max(scored)[1] if scored else None


def _initials(short: list[str], name: list[str]) -> bool:
    """``short`` spells the initials of ``name``'s words, with or without "of", "the" …"""
    letters = "".join(short)
    if len(letters) < 2 or len(name) < 2:
        return False
    every = "".join(word[0] for word in name)
    named = "".join(word[0] for word in name if word not in CONNECTORS)
    return letters in (every, named)


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if (a in EXACT and b in EXACT) or any(c.isdigit() for c in a + b):
        return False  # "Clinic 12" and "Clinic 13" are two clinics
    short, long = sorted((a, b), key=len)
    if len(short) >= ABBREVIATION and long.startswith(short):
        return True
    return fuzz.ratio(a, b) >= SAME_WORD


def _counterpart(word: str, others: list[str]) -> str:
    """``word`` as the other name spells it, when it is one of its words mistyped."""
    if word in others:
        return word
    paired = [other for other in others if _same_word(word, other)]
    return max(paired, key=lambda other: fuzz.ratio(word, other)) if paired else word
