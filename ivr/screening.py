"""Screen every inbound text for risk language (suicide, self-harm, lethal means). Pure.

It errs on the side of safety. A configured phrase anywhere in the text raises the flag,
whatever is around it: "I'm not suicidal" and "my patient overdosed" flag too, because
negation and context are too unreliable to trust. Phrases match whole words only, so
"pillow" is not "pills". Idioms are left out of the list on purpose: "killed it",
"killing me", "dying to", a bare "end it" ("in the end it worked"). On a peer line for
healthcare workers these are everyday venting, and paging a coordinator for each one
would teach coordinators to ignore pages.

The text and the phrases are normalised the same way. Case and accents are folded.
Apostrophes are dropped ("don't" = "dont"). Leetspeak inside words is undone ("k1ll",
"$uicide"). Runs of a repeated letter are squeezed, so "killlll", "kill" and "kil" are
one word. A phrase still matches when the text spaces it differently ("killmyself",
"kill my self"). Words of 7 or more letters also match with one typo ("suicde",
"acetominophen").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate

_APOSTROPHES = re.compile("['`\u2018\u2019\u02bc\u00b4]")
_SYMBOL_LEET = re.compile(r"(?<=[a-z])[@$!](?=[a-z])|(?<![^\W_])[@$](?=[a-z])")
_REPEATS = re.compile(r"([^\W\d_])\1+")
_LEET_SYMBOLS = str.maketrans("@$!", "asi")
_LEET_DIGITS = str.maketrans("013457", "oieast")
_FUZZY_MIN = 7  # shorter words must match exactly ("hang" is not "hand")
_COMPACT_MIN = 5  # "g u n" is not worth a match
# Real words one typo away from a phrase word: never read them as typos.
_REAL_WORDS = frozenset({"overdoes", "overdone"})


@dataclass(frozen=True)
class Phrase:
    id: str  # the configured phrase, case-folded; reported instead of the text
    words: tuple[str, ...]

    @property
    def compact(self) -> str:
        return "".join(self.words)


@dataclass(frozen=True)
class RiskPhrases:
    """A list of risk phrases, normalised once for matching."""

    phrases: tuple[Phrase, ...]
    vocabulary: frozenset[str] = field(init=False, repr=False, compare=False)
    fuzzy: frozenset[str] = field(init=False, repr=False, compare=False)  # typo-tolerant

    def __post_init__(self) -> None:
        # A listed word is never read as a typo of another ("suicida" is not "suicide").
        words = frozenset(w for p in self.phrases for w in p.words)
        object.__setattr__(self, "vocabulary", words)
        fuzzy = frozenset(w for w in words if len(w) >= _FUZZY_MIN and w.isalpha())
        object.__setattr__(self, "fuzzy", fuzzy)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> RiskPhrases:
        """One phrase per line; blank lines and ``#`` comments are ignored."""
        phrases: dict[tuple[str, ...], Phrase] = {}
        for number, raw in enumerate(lines, start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            words = tuple(_tokens(line))
            if not words:
                raise ValueError(f"risk phrase on line {number} has no words: {line!r}")
            phrases.setdefault(words, Phrase(" ".join(line.casefold().split()), words))
        return cls(tuple(phrases.values()))

    def extended(self, lines: Iterable[str]) -> RiskPhrases:
        """This list plus the phrases in ``lines`` (same format as ``from_lines``)."""
        extra = RiskPhrases.from_lines(lines).phrases
        known = {p.words for p in self.phrases}
        return RiskPhrases(self.phrases + tuple(p for p in extra if p.words not in known))


@dataclass(frozen=True)
class Screen:
    risk: bool
    matched: tuple[str, ...]  # ids of the phrases found, never the text


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.category(c).startswith("M")).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _SYMBOL_LEET.sub(lambda m: m.group().translate(_LEET_SYMBOLS), text)
    tokens: list[str] = []
    word: list[str] = []
    for char in text + " ":
        if char.isalnum():
            word.append(char)
            continue
        if word:
            tokens.append(_fold_word("".join(word)))
            word = []
        if unicodedata.category(char) == "So":  # emoji such as the pill are words here
            tokens.append(char)
    return tokens


def _fold_word(word: str) -> str:
    if word[0].isalpha() and any(c.isdigit() for c in word):  # "k1ll", but not "800mg"
        word = word.translate(_LEET_DIGITS)
    return _REPEATS.sub(r"\1", word)


@dataclass(frozen=True)
class _Reading:
    """A text's words, each with the listed words it may be a typo of."""

    readings: tuple[frozenset[str], ...]
    starts: dict[str, list[int]]  # listed or typed word -> where it can be read
    joined: str  # the words without spaces, for "killmyself"
    bounds: frozenset[int]  # offsets in ``joined`` where a word starts or ends


def _read(text: str, phrases: RiskPhrases) -> _Reading:
    tokens = _tokens(text)
    known = phrases.vocabulary | _REAL_WORDS
    cache: dict[str, frozenset[str]] = {}
    for token in tokens:
        if token not in cache:
            typo_of = (w for w in phrases.fuzzy if _is_typo(w, token, known))
            cache[token] = frozenset((token, *typo_of))
    readings = tuple(cache[t] for t in tokens)
    starts: dict[str, list[int]] = {}
    for i, reading in enumerate(readings):
        for word in reading:
            starts.setdefault(word, []).append(i)
    bounds = frozenset(accumulate((len(t) for t in tokens), initial=0))
    return _Reading(readings, starts, "".join(tokens), bounds)


def _found(phrase: Phrase, text: _Reading) -> bool:
    words, readings = phrase.words, text.readings
    for i in text.starts.get(words[0], ()):
        if i + len(words) <= len(readings) and all(
            word in readings[i + k] for k, word in enumerate(words)
        ):
            return True
    compact = phrase.compact
    if len(compact) < _COMPACT_MIN:
        return False
    at = text.joined.find(compact)
    while at >= 0:
        if at in text.bounds and at + len(compact) in text.bounds:
            return True
        at = text.joined.find(compact, at + 1)
    return False


def _is_typo(word: str, token: str, known: frozenset[str]) -> bool:
    return token.isalpha() and token not in known and _one_edit(word, token)


def _one_edit(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or swap of neighbours (``a != b``)."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1:
        return False
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


DEFAULT_LINES = """
# English: intent
suicide
suicidal
kill myself
killing myself
killed myself
kms
hang myself
hanging myself
shoot myself
want to die
wanna die
want to be dead
wish i was dead
wish i were dead
better off dead
better off without me
no reason to live
nothing to live for
not worth living
dont want to live
dont want to be alive
dont want to be here anymore
dont want to wake up
end it all
end my life
ending my life
take my life
take my own life
want to end it
wanna end it
going to end it
gonna end it
no way out
im a burden
hurt myself
hurting myself
cut myself
cutting myself
self harm
slit my wrists
jump off a bridge
jump in front of
poison myself
drink bleach
noose
# English: means (Crisis Text Line found these predict rescue better than "suicide")
overdose
overdosing
overdosed
800mg
800 milligrams
acetaminophen
tylenol
excedrin
antifreeze
pills
💊
gun
guns
# Spanish: intent
suicidio
suicida
suicidarme
matarme
me voy a matar
quiero morir
quiero morirme
me quiero morir
no quiero vivir
no quiero seguir viviendo
no quiero despertar
acabar con todo
acabar con mi vida
terminar con todo
terminar con mi vida
quitarme la vida
mejor muerto
mejor muerta
no vale la pena vivir
sin razón para vivir
no tengo razón para vivir
no tengo por qué vivir
soy una carga
hacerme daño
lastimarme
cortarme las venas
ahorcarme
dispararme
quiero desaparecer
# Spanish: means
sobredosis
pastillas
acetaminofén
paracetamol
anticongelante
veneno
pistola
""".splitlines()

DEFAULT = RiskPhrases.from_lines(DEFAULT_LINES)


def screen(text: str, phrases: RiskPhrases = DEFAULT) -> Screen:
    """Whether ``text`` contains risk language, and which configured phrases it matched."""
    reading = _read(text, phrases)
    matched = tuple(p.id for p in phrases.phrases if _found(p, reading))
    return Screen(bool(matched), matched)
