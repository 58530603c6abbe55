"""Match what a caller said or typed to a known organization name. Pure.

Speech recognition mangles hospital names, and people use acronyms ("MGH", "B and W"),
so the match compares normalized tokens, acronyms and configured aliases, and accepts
only a clear winner.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from rapidfuzz import fuzz

_STOP = {
    "the",
    "of",
    "and",
    "at",
    "hospital",
    "center",
    "centre",
    "medical",
    "health",
    "de",
    "la",
    "el",
    "del",
    "hospitales",
    "my",
    "i",
    "work",
    "im",
    "am",
    "a",
    "an",
    "in",
    "for",
}
_THRESHOLD = 0.82


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Lowercase, strip accents and punctuation, fold '&'/'and', collapse spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ").replace("'", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _acronym(name: str) -> str:
    words = [w for w in normalize(name).split() if w not in {"of", "the", "and", "at"}]
    return "".join(w[0] for w in words)


def _core(text: str) -> str:
    return " ".join(w for w in normalize(text).split() if w not in _STOP)


def _score(said: str, candidate: str) -> float:
    said_n, cand_n = normalize(said), normalize(candidate)
    if not said_n or not cand_n:
        return 0.0
    if said_n == cand_n:
        return 1.0
    compact = said_n.replace(" ", "")
    if len(compact) >= 2 and compact in (_acronym(candidate), cand_n.replace(" ", "")):
        return 0.97  # "MGH", "m g h", "ucsf"
    if set(said_n.split()) < set(cand_n.split()):
        return 0.97  # every word said is one of the name's: "boston medical", "tufts"
    said_c, cand_c = _core(said), _core(candidate)
    if said_c and said_c == cand_c:
        return 0.95
    if said_c and cand_c and f" {said_c} " in f" {cand_c} ":
        return 0.93  # close enough to 0.95 that "Boston" can't pick one of two Bostons
    if said_c and cand_c and f" {cand_c} " in f" {said_c} ":
        return 0.85  # words the name lacks were said: "Boston Children's" isn't "Boston MC"
    if said_c and cand_c and _abbreviates(said_c.split(), cand_c.split()):
        return 0.92  # "mass general" for "massachusetts general"
    # Typos, speech-recognition slips and another word order ("general massachusetts").
    return fuzz.token_sort_ratio(said_c or said_n, cand_c or cand_n) / 100


def _abbreviates(said: list[str], name: list[str]) -> bool:
    """Each word said starts the corresponding word of the name (3+ letters, or equal)."""
    return len(said) == len(name) and all(
        n.startswith(w) and (len(w) >= 3 or w == n) for w, n in zip(said, name, strict=True)
    )


def match(
    said: str, organizations: Iterable[str], aliases: Mapping[str, str] | None = None
) -> str | None:
    """The known organization ``said`` names, or None when no candidate is a clear match.

    ``aliases`` maps an alias ("MGH") to an organization's canonical name.
    """
    if not normalize(said):
        return None
    names: dict[str, str] = {name: name for name in organizations}
    for alias, canonical in (aliases or {}).items():
        names.setdefault(alias, canonical)
    scored = sorted(((_score(said, cand), canon) for cand, canon in names.items()), reverse=True)
    if not scored or scored[0][0] < _THRESHOLD:
        return None
    best_score, best = scored[0]
    rivals = [c for s, c in scored[1:] if c != best and s >= best_score - 0.03]
    return None if rivals else best
