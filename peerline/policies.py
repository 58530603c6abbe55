"""Rules read from settings: pure values the use cases are built with (no connections)."""

from __future__ import annotations

import threading
from collections.abc import Container
from datetime import date, timedelta
from typing import Any

from ivr.model import Urgency
from ivr.screening import DEFAULT as DEFAULT_PHRASES
from ivr.screening import RiskPhrases
from matching import TrainingPolicy
from matching.calling import CallingHours, QuietHours
from matching.sla import Closures
from peerline.settings import Settings
from usecases.candidates import zone as zone_named
from usecases.follow_up import FollowUpConfig
from usecases.lifecycle import LifecycleConfig
from usecases.outbound_policy import OutboundPolicy

HOLD_CYCLE_SECONDS = 30


LONG_CALL = timedelta(minutes=45)  # a call this long earns the supporter a cool-off


COOL_OFF = timedelta(minutes=30)


def outbound_policy(settings: Settings) -> OutboundPolicy:
    return OutboundPolicy.build(
        hotline=settings.hotline_number,
        crisis_number=settings.crisis_number,
        own_numbers=settings.listed(settings.own_numbers),
        countries=settings.listed(settings.outbound_countries),
        extra_prefixes=settings.listed(settings.refused_prefixes),
        daily_callbacks=settings.callbacks_per_day,
    )


def training_policy(settings: Settings) -> TrainingPolicy:
    return TrainingPolicy(
        refresher_months=settings.refresher_months,
        trainee_urgencies=frozenset(
            Urgency(u) for u in settings.listed(settings.trainee_urgencies)
        ),
    )


def risk_phrases(settings: Settings) -> RiskPhrases:
    if settings.risk_phrases_file is None:
        return DEFAULT_PHRASES
    lines = settings.risk_phrases_file.read_text(encoding="utf-8").splitlines()
    return DEFAULT_PHRASES.extended(lines)


def closures(settings: Settings) -> Closures:
    """Days without business hours: the country's (and state's) public holidays, from the
    ``holidays`` package, and PEERLINE_HOLIDAYS, the program's own closures."""
    public: Container[date] = ()
    if settings.holiday_country:
        public = PublicHolidays(settings.holiday_country, settings.holiday_subdivision or None)
    return Closures(public, settings.holiday_dates)


class PublicHolidays:
    """``holidays.country_holidays(country, subdiv=...)``, loaded at the first question.

    The package imports every country it knows (about 450 modules, 19 MB resident): a
    process that never asks about a date (most webhooks) never pays for it (B12).
    """

    def __init__(self, country: str, subdivision: str | None) -> None:
        self.country, self.subdivision = country, subdivision
        self._calendar: Container[Any] | None = None
        self._lock = threading.Lock()

    def __contains__(self, day: object) -> bool:
        if self._calendar is None:
            with self._lock:
                if self._calendar is None:
                    import holidays

                    self._calendar = holidays.country_holidays(
                        self.country, subdiv=self.subdivision
                    )
        return day in self._calendar


def calling_hours(settings: Settings) -> CallingHours:
    return CallingHours(zone_named(settings.timezone), QuietHours.parse(settings.quiet_hours))


def follow_up_config(settings: Settings) -> FollowUpConfig:
    return FollowUpConfig(
        calling=calling_hours(settings),
        after=timedelta(hours=settings.follow_up_after_hours),
        sessions=settings.follow_up_sessions,
    )


def lifecycle_config(settings: Settings) -> LifecycleConfig:
    return LifecycleConfig(
        zone=zone_named(settings.timezone),
        holidays=closures(settings),
        grace=timedelta(minutes=settings.expiry_grace_minutes),
        callback_attempts=settings.callback_attempts,
    )
