"""The outbound policy as a table: every refused class with its reason, and what stays allowed."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from usecases.outbound_policy import (
    CARIBBEAN_NANP,
    DEFAULT_REFUSED_PREFIXES,
    OutboundPolicy,
    Purpose,
    Refusal,
)

HOTLINE, CRISIS, OFFICE = "+16175550100", "+18002738255", "+16175550199"
P = Purpose
# Every purpose but the help key's one exception (tested on its own below).
ORDINARY = [p for p in Purpose if p is not Purpose.CRISIS_CONFERENCE]


def policy(**overrides: object) -> OutboundPolicy:
    settings: dict[str, object] = {
        "hotline": HOTLINE,
        "crisis_number": CRISIS,
        "own_numbers": [OFFICE],
    }
    settings.update(overrides)
    return OutboundPolicy.build(**settings)  # type: ignore[arg-type]


# Written out by hand from the issue and the NANP/ITU plans, not derived from the module.
REFUSED: list[tuple[str, str, Refusal]] = [
    ("premium rate, NANP 900", "+19005550123", Refusal.PREFIX),
    ("premium rate, NANP 976", "+19765550123", Refusal.PREFIX),
    ("personal communication service 500", "+15005550123", Refusal.PREFIX),
    ("personal communication service 533", "+15335550123", Refusal.PREFIX),
    ("personal communication service 588", "+15885550123", Refusal.PREFIX),
    ("NANP 700 carrier services", "+17005550123", Refusal.PREFIX),
    ("personal number 521 (by type)", "+15215550123", Refusal.NUMBER_TYPE),
    ("satellite, GMSS +881", "+881612345678", Refusal.NETWORK),
    ("international network +882", "+882164001234", Refusal.NETWORK),
    ("international network +883", "+883510012345", Refusal.NETWORK),
    ("international freephone +800", "+80012345678", Refusal.NETWORK),
    ("United Kingdom mobile", "+447400123456", Refusal.COUNTRY),
    ("United Kingdom landline", "+442079460000", Refusal.COUNTRY),
    ("Dominican Republic, NANP 809", "+18095550123", Refusal.COUNTRY),
    ("Jamaica, NANP 876", "+18765550123", Refusal.COUNTRY),
    ("Antigua, NANP 268", "+12684601234", Refusal.COUNTRY),
    ("Antigua, a number phonenumbers doesn't know", "+12685550123", Refusal.COUNTRY),
    ("Canada, NANP 613", "+16135550123", Refusal.COUNTRY),
    ("Puerto Rico, NANP 787", "+17875550123", Refusal.COUNTRY),
    ("the crisis line", CRISIS, Refusal.CRISIS_LINE),
    ("the hotline", HOTLINE, Refusal.OWN_NUMBER),
    ("another program number", OFFICE, Refusal.OWN_NUMBER),
    ("too short", "+1617555", Refusal.INVALID),
    ("no plus sign", "6175551234", Refusal.INVALID),
    ("not a number", "anonymous", Refusal.INVALID),
    ("an unassigned area code", "+11235550123", Refusal.INVALID),
]


@pytest.mark.parametrize(("what", "number", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
@pytest.mark.parametrize("purpose", ORDINARY)
def test_each_refused_class_has_its_reason_for_every_purpose(
    what: str, number: str, reason: Refusal, purpose: Purpose
) -> None:
    verdict = policy().check(number, purpose)
    assert not verdict.allowed
    assert verdict.reason is reason, what


ALLOWED = [
    ("Boston landline or mobile", "+16175551234"),
    ("North Carolina, area code starting with 9", "+19195551234"),
    ("New Jersey", "+12015550101"),
    ("toll free: costs the callee, not us", "+18885550123"),
]


@pytest.mark.parametrize(("what", "number"), ALLOWED, ids=[a[0] for a in ALLOWED])
@pytest.mark.parametrize("purpose", ORDINARY)
def test_numbers_in_the_hotlines_country_are_allowed(
    what: str, number: str, purpose: Purpose
) -> None:
    assert policy().check(number, purpose).allowed, what


def test_the_default_country_is_the_hotlines_region_not_its_calling_code() -> None:
    assert policy().countries == frozenset({"US"})
    assert policy().us_only
    canadian = policy(hotline="+14165550100")  # a Toronto hotline
    assert canadian.countries == frozenset({"CA"})
    assert canadian.check("+14165551234", P.CALL_BACK).allowed
    assert canadian.check("+16175551234", P.CALL_BACK).reason is Refusal.COUNTRY


def test_a_program_can_allow_canada_and_the_caribbean_stays_refused() -> None:
    both = policy(countries=["us", " CA "])
    assert both.countries == frozenset({"US", "CA"}) and not both.us_only
    assert both.check("+16135550123", P.CALL_BACK).allowed
    assert both.check("+18095550123", P.CALL_BACK).reason is Refusal.COUNTRY
    assert both.check("+14414123456", P.CALL_BACK).reason is Refusal.COUNTRY  # Bermuda
    assert both.check("+19005550123", P.CALL_BACK).reason is Refusal.PREFIX


def test_the_caribbean_list_agrees_with_phonenumbers_and_yields_to_a_named_country() -> None:
    for area, region in CARIBBEAN_NANP.items():
        example = phonenumbers.example_number_for_type(region, PhoneNumberType.FIXED_LINE)
        assert example is not None
        number = phonenumbers.parse(f"+1{area}{str(example.national_number)[3:]}")
        assert phonenumbers.region_code_for_number(number) == region, area
        assert policy().check(f"+1{area}{str(example.national_number)[3:]}", P.TEXT).reason is (
            Refusal.COUNTRY
        )
    assert phonenumbers.region_code_for_number(phonenumbers.parse("+18092345678")) == "DO"
    dominican = policy(countries=["US", "DO"])
    assert dominican.check("+18092345678", P.CALL_BACK).allowed
    assert dominican.check("+18765230123", P.CALL_BACK).reason is Refusal.COUNTRY  # Jamaica


def test_a_configured_country_is_allowed_but_its_premium_numbers_are_not() -> None:
    uk = policy(countries=["US", "GB"])
    assert uk.check("+447400123456", P.CALL_BACK).allowed
    assert uk.check("+442079460000", P.CALL_BACK).allowed
    assert uk.check("+449012345678", P.CALL_BACK).reason is Refusal.NUMBER_TYPE  # premium 09
    assert uk.check("+448712345678", P.CALL_BACK).reason is Refusal.NUMBER_TYPE  # 087x
    assert uk.check("+447012345678", P.CALL_BACK).reason is Refusal.NUMBER_TYPE  # personal 070
    assert uk.check("+443001234567", P.CALL_BACK).reason is Refusal.NUMBER_TYPE  # UAN 03
    assert uk.check("+33891234567", P.CALL_BACK).reason is Refusal.COUNTRY  # France: not added


def test_extra_prefixes_are_refused_in_addition_to_the_built_in_ones() -> None:
    strict = policy(extra_prefixes=["+1617555012", ""])
    assert strict.refused_prefixes[: len(DEFAULT_REFUSED_PREFIXES)] == DEFAULT_REFUSED_PREFIXES
    assert strict.check("+16175550123", P.CALL_BACK).reason is Refusal.PREFIX
    assert strict.check("+16175551234", P.CALL_BACK).allowed


@pytest.mark.parametrize(("today", "allowed"), [(0, True), (2, True), (3, False), (9, False)])
def test_the_daily_cap_counts_call_backs_only(today: int, allowed: bool) -> None:
    rule = policy()
    verdict = rule.check("+16175551234", P.CALL_BACK, callbacks_today=today)
    assert verdict.allowed is allowed
    if not allowed:
        assert verdict.reason is Refusal.DAILY_CAP
    for purpose in (P.TEXT, P.SUPPORTER, P.COORDINATOR):
        assert rule.check("+16175551234", purpose, callbacks_today=today).allowed


def test_the_cap_is_configurable() -> None:
    assert policy(daily_callbacks=1).check("+16175551234", P.CALL_BACK, callbacks_today=1).reason
    assert policy(daily_callbacks=10).check("+16175551234", P.CALL_BACK, callbacks_today=9).allowed


def test_a_worse_reason_wins_over_the_cap() -> None:
    verdict = policy().check("+19005550123", P.CALL_BACK, callbacks_today=99)
    assert verdict.reason is Refusal.PREFIX


def test_own_numbers_are_compared_as_numbers_not_as_text() -> None:
    rule = policy(own_numbers=["+1 (617) 555-0199"])
    assert rule.check(OFFICE, P.CALL_BACK).reason is Refusal.OWN_NUMBER


@pytest.mark.parametrize(
    "bad",
    [
        {"own_numbers": ["617-555-0199"]},  # not E.164
        {"extra_prefixes": ["1900"]},
        {"daily_callbacks": 0},
        {"hotline": "+80012345678"},  # a non-geographic hotline: no country to default to
    ],
)
def test_bad_settings_fail_at_start_not_at_the_first_call(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        policy(**bad)


def test_the_crisis_line_is_called_only_into_a_conference_and_nothing_else_is() -> None:
    """The supporter's help key (usecases.help_key): the one purpose that reaches the crisis
    line, and the crisis line is all it reaches."""
    rule = policy()
    assert rule.check(CRISIS, Purpose.CRISIS_CONFERENCE).reason is None
    for other in ("+16175550123", "+19005550123", HOTLINE):
        assert rule.check(other, Purpose.CRISIS_CONFERENCE).reason is Refusal.NOT_CRISIS_LINE
    for purpose in ORDINARY:
        assert rule.check(CRISIS, purpose).reason is Refusal.CRISIS_LINE
