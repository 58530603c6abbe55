"""The outbound policy's settings by their documented environment names."""

from __future__ import annotations

import pytest

from peerline.bootstrap import outbound_policy
from peerline.settings import Settings
from usecases.outbound_policy import DEFAULT_REFUSED_PREFIXES, Purpose, Refusal


def test_the_defaults_are_the_hotlines_country_and_three_call_backs() -> None:
    policy = outbound_policy(Settings())
    assert policy.countries == frozenset({"US"})
    assert policy.own_numbers == frozenset({Settings().hotline_number})
    assert policy.refused_prefixes == DEFAULT_REFUSED_PREFIXES
    assert policy.daily_callbacks == 3


def test_every_setting_is_read_from_its_environment_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERLINE_OUTBOUND_COUNTRIES", "US, CA")
    monkeypatch.setenv("PEERLINE_OWN_NUMBERS", "+16175550199,+16175550198")
    monkeypatch.setenv("PEERLINE_REFUSED_PREFIXES", "+1617555012")
    monkeypatch.setenv("PEERLINE_CALLBACKS_PER_DAY", "5")
    policy = outbound_policy(Settings())
    assert policy.countries == frozenset({"US", "CA"})
    assert policy.check("+16135550123", Purpose.CALL_BACK).allowed
    assert policy.check("+16175550198", Purpose.TEXT).reason is Refusal.OWN_NUMBER
    assert policy.check("+16175550123", Purpose.TEXT).reason is Refusal.PREFIX
    assert policy.daily_callbacks == 5


def test_a_bad_value_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERLINE_OWN_NUMBERS", "617-555-0199")
    with pytest.raises(ValueError):
        outbound_policy(Settings())
