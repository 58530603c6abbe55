"""The composition root: the only place that reads settings and builds adapters.

It is four modules besides this one: ``policies`` (rules read from settings), ``services``
(a process's connections and the adapters straight over them), ``worker_wiring`` (what jobs
call) and ``console_wiring`` (the console's use cases). This module builds the webhook side
and hands the others' builders on, so callers keep one name: ``bootstrap``.
"""

from __future__ import annotations

from datetime import time, timedelta

from ivr.numbers import to_e164
from jobs.crisis_marks import CrisisMarks
from jobs.once import RedisOnce
from jobs.rate_limits import RedisRateLimiter
from jobs.text_spool import TextSpool
from peerline.console_wiring import (  # the composition root's face
    console_services as console_services,
)
from peerline.console_wiring import (
    coordinators as coordinators,
)
from peerline.console_wiring import (
    coverage as coverage,
)
from peerline.console_wiring import (
    web_requests as web_requests,
)
from peerline.policies import (
    COOL_OFF as COOL_OFF,
)
from peerline.policies import (  # the composition root's face
    HOLD_CYCLE_SECONDS as HOLD_CYCLE_SECONDS,
)
from peerline.policies import (
    LONG_CALL as LONG_CALL,
)
from peerline.policies import (
    calling_hours as calling_hours,
)
from peerline.policies import (
    closures as closures,
)
from peerline.policies import (
    lifecycle_config as lifecycle_config,
)
from peerline.policies import (
    outbound_policy as outbound_policy,
)
from peerline.policies import (
    risk_phrases as risk_phrases,
)
from peerline.policies import (
    training_policy as training_policy,
)
from peerline.services import (  # the composition root's face
    Services as Services,
)
from peerline.services import (
    build as build,
)
from peerline.services import (
    carrier as carrier,
)
from peerline.services import (
    cipher_for as cipher_for,
)
from peerline.services import (
    follow_up_replies as follow_up_replies,
)
from peerline.services import (
    jobs as jobs,
)
from peerline.services import (
    known_organizations as known_organizations,
)
from peerline.services import (
    master_key as master_key,
)
from peerline.services import (
    outbound as outbound,
)
from peerline.services import (
    redis_address as redis_address,
)
from peerline.services import (
    redis_url as redis_url,
)
from peerline.services import (
    self_care as self_care,
)
from peerline.services import (
    store as store,
)
from peerline.services import (
    webhook_guard as webhook_guard,
)
from peerline.services import (
    withdrawals as withdrawals,
)
from peerline.worker_wiring import (  # the composition root's face
    WorkerDeps as WorkerDeps,
)
from peerline.worker_wiring import (
    dispatch_deps as dispatch_deps,
)
from peerline.worker_wiring import (
    worker_deps as worker_deps,
)
from storage.alerts import AlertStore
from storage.audit import AuditStore
from storage.blocklist import BlocklistStore
from storage.dispatch import DispatchStore
from storage.recovery import RecoveryQueries
from storage.repository import Store
from storage.roster import RosterStore
from storage.sms import SmsStore
from telephony.twiml import TwimlRenderer
from usecases.admission import Admission, Limits
from usecases.audit import AuditTrail
from usecases.blocklist import Blocklist
from usecases.coverage_text import CoverageText, CoverageTextConfig
from usecases.intake import IntakeTurn, KnownOrganizations
from usecases.lifecycle import Lifecycle
from usecases.outbound import Outbound
from usecases.roster_commands import Commands
from usecases.supporter_leg import SupporterLeg
from usecases.text_desk import TextDesk
from usecases.text_intake import TextIntake
from usecases.text_replay import TextReplay
from usecases.unfinished import Unfinished
from usecases.voice_intake import IntakeConfig, VoiceIntake


def voice_intake(services: Services, organizations: KnownOrganizations) -> VoiceIntake:
    settings = services.settings
    config = IntakeConfig(
        hold_cycles=max(1, settings.hold_max_minutes * 60 // HOLD_CYCLE_SECONDS),
        policy=outbound_policy(settings),
        phrases=risk_phrases(settings),
    )
    return VoiceIntake(
        services.store,
        IntakeTurn(services.store, jobs(services)),
        TwimlRenderer(settings.crisis_number),
        config,
        withdrawals(services),
        organizations,
    )


def supporter_leg(services: Services) -> SupporterLeg:
    return SupporterLeg(
        services.store,
        DispatchStore(services.store.engine),
        jobs(services),
        long_call=LONG_CALL,
        cool_off=COOL_OFF,
        marks=CrisisMarks(services.redis),
    )


def text_desk(services: Services, organizations: KnownOrganizations) -> TextDesk:
    settings = services.settings
    engine, cipher = services.store.engine, services.store.cipher
    alerts, roster = AlertStore(engine), RosterStore(engine, cipher)
    intake = TextIntake(
        services.store,
        IntakeTurn(services.store, jobs(services)),
        jobs(services),
        organizations,
        idle=timedelta(hours=settings.sms_idle_hours),
        policy=outbound_policy(settings),
    )
    lifecycle = Lifecycle(services.store, withdrawals(services))
    commands = Commands(
        services.store,
        alerts,
        roster,
        lifecycle,
        coverage=coverage(services),
        training=training_policy(settings),
    )
    return TextDesk(
        services.store,
        SmsStore(engine, cipher),
        roster,
        intake,
        commands,
        risk_phrases(settings),
        lifecycle,
        self_care(services, outbound(services)),
        follow_up_replies(services),
    )


def text_spool(services: Services) -> TextSpool:
    """Where texts wait while the database is away (Redis, else ``var_dir/spool/sms``)."""
    directory = services.settings.var_dir / "spool" / "sms"
    return TextSpool(services.redis, directory, services.store.cipher)


def text_replay(services: Services, outbound_: Outbound) -> TextReplay:
    """The scheduler's replay of kept texts through the same desk the webhook uses."""
    desk = text_desk(services, known_organizations(services))
    return TextReplay(text_spool(services), desk, outbound_)


def unfinished(services: Services) -> Unfinished:
    """What connected call backs are owed when Redis lost their jobs (the reconciler)."""
    engine = services.store.engine
    return Unfinished(RecoveryQueries(engine), DispatchStore(engine))


def blocklist(store_: Store) -> Blocklist:
    """The blocklist use case over the database alone (``peerline blocklist``, tests)."""
    engine, cipher = store_.engine, store_.cipher
    return Blocklist(BlocklistStore(engine, cipher), to_e164, AuditTrail(AuditStore(engine)))


def admission(services: Services) -> Admission:
    """The webhooks' gate: the blocklist and the inbound rate limits."""
    settings = services.settings
    limits = Limits(
        calls_per_number_per_hour=settings.calls_per_number_per_hour,
        texts_per_number_per_hour=settings.texts_per_number_per_hour,
        calls_per_second=settings.inbound_calls_per_second,
        texts_per_second=settings.inbound_texts_per_second,
    )
    store_ = services.store
    blocked = BlocklistStore(store_.engine, store_.cipher)
    return Admission(blocked, RedisRateLimiter(services.redis), store_.cipher.blind_index, limits)


def coverage_text(services: Services, outbound_: Outbound) -> CoverageText | None:
    """The scheduler's daily coverage text, or None when PEERLINE_COVERAGE_TEXT_AT is empty."""
    at = services.settings.coverage_text_at.strip()
    if not at:
        return None
    return CoverageText(
        coverage(services),
        RosterStore(services.store.engine, services.store.cipher),
        outbound_,
        RedisOnce(services.redis),
        CoverageTextConfig(at=time.fromisoformat(at)),
    )
