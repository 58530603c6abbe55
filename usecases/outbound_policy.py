"""The outbound policy: which numbers Peerline may call or text from the hotline. Pure.

Toll fraud turns a call back into someone else's revenue: a premium-rate or satellite
number, a country billed at international rates, or our own number ringing itself. A
caller can key in any number, so every destination passes ``OutboundPolicy.check`` — in
the one sender (``usecases.outbound``) and at intake, where a keyed-in number is refused with a
spoken reason before anyone relies on it.

The rule, in order: a complete number; never the crisis line or one of the program's own
numbers; no refused prefix (NANP 900/976, 5XX personal numbers, 700); no international
network (satellite and the like); only the allowed countries, by region code (NANP +1
spans Canada and the Caribbean, so "US" refuses +1 809); no refused number type (premium
rate, shared cost, personal, UAN, pager, voicemail); for a call back, a daily cap per number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberType

NON_GEOGRAPHIC = "001"  # phonenumbers' region for +800, +870, +881, +882, +883, +979 …
# Satellite and international networks: billed far above any country rate.
INTERNATIONAL_NETWORKS = frozenset({800, 808, 870, 878, 881, 882, 883, 888, 979, 991})
# NANP service codes refused whatever the metadata says: premium rate (900, 976),
# personal communication services (500, 533, 544, 566, 577, 588) and 700 carrier services.
NANP_REFUSED = ("900", "976", "500", "533", "544", "566", "577", "588", "700")
DEFAULT_REFUSED_PREFIXES = tuple(f"+1{code}" for code in NANP_REFUSED)
# NANP area codes of countries other than the US and Canada (the Caribbean and Bermuda,
# home of the "one-ring scam"), by region. Refused by this list, whatever phonenumbers'
# metadata knows of the number, unless the program allows that very country.
CARIBBEAN_NANP = {
    "242": "BS", "246": "BB", "264": "AI", "268": "AG", "284": "VG", "345": "KY",
    "441": "BM", "473": "GD", "649": "TC", "658": "JM", "664": "MS", "721": "SX",
    "758": "LC", "767": "DM", "784": "VC", "809": "DO", "829": "DO", "849": "DO",
    "868": "TT", "869": "KN", "876": "JM",
}  # fmt: skip
DEFAULT_REFUSED_TYPES = frozenset(
    {
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.PERSONAL_NUMBER,
        PhoneNumberType.UAN,
        PhoneNumberType.PAGER,  # nobody to talk to
        PhoneNumberType.VOICEMAIL,  # straight to a mailbox: never leave our words there
    }
)
DEFAULT_DAILY_CALLBACKS = 3


class Purpose(StrEnum):
    """Why Peerline is contacting a number; the sender is told by every caller."""

    CALL_BACK = "call_back"  # calling a caller back (a number the caller gave us)
    TEXT = "text"  # texting a caller
    FAREWELL = "farewell"  # the one last text to a caller whose request just ended
    FOLLOW_UP = "follow_up"  # the one text after a connected session, to a caller who said yes
    SUPPORTER = "supporter"  # the offer leg to a supporter on the roster
    COORDINATOR = "coordinator"  # a page to a coordinator
    # The one exception to "never the crisis line": the supporter's help key adds the
    # crisis line to the live conference of their call (warm transfer, the caller stays).
    CRISIS_CONFERENCE = "crisis_conference"


class Refusal(StrEnum):
    INVALID = "invalid"  # not a complete, valid number
    CRISIS_LINE = "crisis_line"  # reached only by <Dial> inside the caller's own call
    OWN_NUMBER = "own_number"  # the hotline or another of the program's numbers
    PREFIX = "prefix"  # a refused prefix (NANP 900/976, 5XX, 700, or configured)
    NETWORK = "network"  # satellite or another international network
    COUNTRY = "country"  # outside the allowed countries (Caribbean NANP included)
    NUMBER_TYPE = "number_type"  # premium rate, shared cost, personal, UAN, pager, voicemail
    DAILY_CAP = "daily_cap"  # called back often enough today
    NOT_A_CONTACT = "not_a_contact"  # the sender's allow-list: nobody we know has this number
    BLOCKED = "blocked"  # on the blocklist: never called or texted
    NOT_CRISIS_LINE = "not_crisis_line"  # CRISIS_CONFERENCE calls the crisis line, nothing else


@dataclass(frozen=True)
class Verdict:
    reason: Refusal | None = None

    @property
    def allowed(self) -> bool:
        return self.reason is None


ALLOWED = Verdict()


@dataclass(frozen=True)
class OutboundPolicy:
    """Built once from settings by the composition root (see ``build``)."""

    countries: frozenset[str]  # region codes, e.g. {"US"}; not country calling codes
    crisis_number: str
    own_numbers: frozenset[str]  # E.164: the hotline and every other program number
    refused_prefixes: tuple[str, ...] = DEFAULT_REFUSED_PREFIXES
    refused_types: frozenset[int] = DEFAULT_REFUSED_TYPES
    daily_callbacks: int = DEFAULT_DAILY_CALLBACKS

    @classmethod
    def build(
        cls,
        *,
        hotline: str,
        crisis_number: str,
        own_numbers: Iterable[str] = (),
        countries: Iterable[str] = (),
        extra_prefixes: Iterable[str] = (),
        daily_callbacks: int = DEFAULT_DAILY_CALLBACKS,
    ) -> OutboundPolicy:
        """The policy for a hotline; no ``countries`` means the hotline's own region."""
        own = frozenset(_e164(n) for n in (hotline, *own_numbers))
        regions = frozenset(c.strip().upper() for c in countries if c.strip())
        if not regions:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(hotline, None))
            if not region or region == NON_GEOGRAPHIC:
                raise ValueError("cannot tell the hotline's country: set the allowed countries")
            regions = frozenset({region})
        prefixes = tuple(_prefix(p) for p in extra_prefixes if p.strip())
        if daily_callbacks < 1:
            raise ValueError("the daily call-back cap must be at least 1")
        return cls(
            countries=regions,
            crisis_number=_e164(crisis_number),
            own_numbers=own,
            refused_prefixes=DEFAULT_REFUSED_PREFIXES + prefixes,
            daily_callbacks=daily_callbacks,
        )

    def check(self, number: str, purpose: Purpose, *, callbacks_today: int = 0) -> Verdict:
        """May the hotline call or text ``number`` (E.164) for ``purpose``?

        ``callbacks_today``: call backs already placed to this number today (CALL_BACK only).
        """
        try:
            parsed = phonenumbers.parse(number, None)
        except phonenumbers.NumberParseException:
            return Verdict(Refusal.INVALID)
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if purpose is Purpose.CRISIS_CONFERENCE:  # exactly the configured crisis line
            return ALLOWED if e164 == self.crisis_number else Verdict(Refusal.NOT_CRISIS_LINE)
        if e164 == self.crisis_number:
            return Verdict(Refusal.CRISIS_LINE)
        if e164 in self.own_numbers:
            return Verdict(Refusal.OWN_NUMBER)
        if e164.startswith(self.refused_prefixes):
            return Verdict(Refusal.PREFIX)
        region = phonenumbers.region_code_for_number(parsed)
        if parsed.country_code in INTERNATIONAL_NETWORKS or region == NON_GEOGRAPHIC:
            return Verdict(Refusal.NETWORK)
        caribbean = CARIBBEAN_NANP.get(e164[2:5]) if parsed.country_code == 1 else None
        if caribbean is not None and caribbean not in self.countries:
            return Verdict(Refusal.COUNTRY)
        if not phonenumbers.is_valid_number(parsed):
            return Verdict(Refusal.INVALID)
        if region not in self.countries:
            return Verdict(Refusal.COUNTRY)
        if phonenumbers.number_type(parsed) in self.refused_types:
            return Verdict(Refusal.NUMBER_TYPE)
        if purpose is Purpose.CALL_BACK and callbacks_today >= self.daily_callbacks:
            return Verdict(Refusal.DAILY_CAP)
        return ALLOWED

    @property
    def us_only(self) -> bool:
        """Whether "we can only call numbers in the United States" is the whole truth."""
        return self.countries == frozenset({"US"})


def _e164(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number.strip(), None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not an E.164 number in the outbound policy settings") from exc
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _prefix(raw: str) -> str:
    prefix = raw.strip()
    if not prefix.startswith("+") or not prefix[1:].isdigit():
        raise ValueError("a refused prefix is '+' and digits, e.g. +1900 or +4487")
    return prefix
