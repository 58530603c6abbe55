"""The job side of the composition root: the use cases a worker's jobs call, built once
per process over its own connections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from jobs.crisis_marks import CrisisMarks
from jobs.rate_limits import RedisRateLimiter
from peerline.policies import calling_hours, closures, lifecycle_config, training_policy
from peerline.services import (
    Services,
    build,
    follow_up_texts,
    jobs,
    outbound,
    self_care,
    withdrawals,
)
from peerline.settings import Settings
from storage.alerts import AlertStore
from storage.dispatch import DispatchStore
from storage.roster import RosterStore
from usecases.caller_leg import CallBackPolicy, CallerLeg
from usecases.candidates import zone as zone_named
from usecases.dispatch import DispatchConfig, Dispatcher
from usecases.escalation import Escalation, EscalationConfig
from usecases.follow_up import FollowUpTexts
from usecases.help_key import HelpKey
from usecases.lifecycle import Expiry
from usecases.notices import Notices
from usecases.outbound import Outbound
from usecases.page_groups import PageGroups
from usecases.ports import Carrier
from usecases.self_care import SelfCare


@dataclass
class WorkerDeps:
    """The use cases jobs call, over one process's connections."""

    services: Services
    outbound: Outbound
    escalation: Escalation
    caller_leg: CallerLeg
    dispatcher: Dispatcher
    notices: Notices
    expiry: Expiry
    self_care: SelfCare
    help_key: HelpKey
    follow_ups: FollowUpTexts


def worker_deps(settings: Settings, carrier_: Carrier | None = None) -> WorkerDeps:
    """Built inside each job-running process (RQ forks), never shared across a fork."""
    return dispatch_deps(build(settings), carrier_)


def dispatch_deps(services: Services, carrier_: Carrier | None = None) -> WorkerDeps:
    """The job-side use cases over ``services``; ``carrier_`` replaces Twilio in tests."""
    settings = services.settings
    engine, cipher = services.store.engine, services.store.cipher
    roster, offers, queue = RosterStore(engine, cipher), DispatchStore(engine), jobs(services)
    out = outbound(services, carrier_)
    escalation = Escalation(
        services.store,
        AlertStore(engine),
        roster,
        out,
        queue,
        EscalationConfig(
            zone=zone_named(settings.timezone),
            holidays=closures(settings),
            page_share=settings.page_at_share,
        ),
        groups=PageGroups(
            RedisRateLimiter(services.redis), timedelta(minutes=settings.page_interval_minutes)
        ),
    )
    expiry = Expiry(
        services.store, withdrawals(services), out, escalation, lifecycle_config(settings)
    )
    caller_leg = CallerLeg(
        services.store,
        offers,
        out,
        queue,
        escalation,
        withdrawals(services),
        CrisisMarks(services.redis),
        CallBackPolicy(
            ring_seconds=settings.ring_seconds,
            max_attempts=settings.callback_attempts,
            calling=calling_hours(settings),
        ),
        expiry,
    )
    dispatcher = Dispatcher(
        services.store,
        offers,
        roster,
        out,
        queue,
        escalation,
        DispatchConfig(
            ring_seconds=settings.ring_seconds,
            training=training_policy(settings),
            calling=calling_hours(settings),
        ),
    )
    notices = Notices(services.store, out, queue)
    care = self_care(services, out)
    helper = HelpKey(services.store, offers, out, queue)
    return WorkerDeps(
        services,
        out,
        escalation,
        caller_leg,
        dispatcher,
        notices,
        expiry,
        care,
        helper,
        follow_up_texts(services, out),
    )
