"""The composition root: the only place that reads settings and builds adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from redis import Redis
from twilio.request_validator import RequestValidator

from console.attempts import RedisAttempts
from console.live import RedisBoardFeed
from console.services import ConsoleConfig, ConsoleServices
from ivr.screening import DEFAULT as DEFAULT_PHRASES
from ivr.screening import RiskPhrases
from jobs.candidates import candidate, match_request
from jobs.candidates import zone as zone_named
from jobs.dispatcher import DispatchConfig, Dispatcher
from jobs.enqueue import JobSink, enqueue_dispatch
from jobs.escalation import Escalation, EscalationConfig, paging_order
from jobs.escalation import _on_call as on_call_now
from jobs.outbound import Outbound
from jobs.queues import Queues
from jobs.sla import due_by
from jobs.texts import Texts
from jobs.throttle import Throttle
from peerline.ports import Carrier
from peerline.redis_server import connect, embedded_url
from peerline.settings import Settings
from storage.accounts import AccountStore
from storage.alerts import AlertStore
from storage.audit import AuditStore
from storage.board import BoardQueries
from storage.console_sessions import SessionStore
from storage.crypto import FieldCipher, decode_key, load_or_create_key
from storage.dispatch import DispatchStore
from storage.engine import make_engine
from storage.repository import Store
from storage.roster import RosterStore
from storage.roster_edits import RosterEdits
from storage.sms import SmsStore
from telephony.carrier import TwilioCarrier, twilio_client
from telephony.intake import IntakeConfig, VoiceIntake
from telephony.legs import Legs
from telephony.numbers import to_e164
from telephony.security import WebhookGuard
from telephony.sms import SmsDesk
from telephony.sms_commands import Commands
from telephony.sms_intake import SmsIntake
from usecases.accounts import Accounts
from usecases.audit import AuditTrail
from usecases.board import Board
from usecases.coordinators import Coordinators
from usecases.explain import MatchExplainer
from usecases.roster_import import RosterImport
from usecases.roster_rules import reserved_numbers
from usecases.signin import SignIn
from usecases.supporters import Supporters
from usecases.tokens import Tokens

HOLD_CYCLE_SECONDS = 30
LONG_CALL = timedelta(minutes=45)  # a call this long earns the supporter a cool-off
COOL_OFF = timedelta(minutes=30)


@dataclass
class Services:
    """Everything a process needs, built once from settings."""

    settings: Settings
    store: Store
    redis: Redis
    redis_url: str
    queues: Queues
    keep_alive: list[Any] = field(default_factory=list)  # e.g. the embedded Redis handle

    def close(self) -> None:
        self.redis.close()
        self.store.engine.dispose()


def cipher_for(settings: Settings) -> FieldCipher:
    if settings.secret_key is not None:
        return FieldCipher(decode_key(settings.secret_key.get_secret_value()))
    return FieldCipher(load_or_create_key(settings.var_dir / "secret.key"))


def redis_url(settings: Settings, keep_alive: list[Any]) -> str:
    if settings.redis_url:
        return settings.redis_url
    url, handle = embedded_url(settings.var_dir)
    keep_alive.append(handle)
    return url


def store(settings: Settings) -> Store:
    """The database alone, for commands that need no Redis."""
    return Store(make_engine(settings.database_url), cipher_for(settings))


def build(settings: Settings, *, fast_fail_redis: bool = False) -> Services:
    keep: list[Any] = []
    store_ = store(settings)
    url = redis_url(settings, keep)
    redis = connect(url, fast_fail=fast_fail_redis)
    return Services(settings, store_, redis, url, Queues(redis), keep)


def voice_intake(services: Services) -> VoiceIntake:
    settings = services.settings
    config = IntakeConfig(
        crisis_number=settings.crisis_number,
        hold_cycles=max(1, settings.hold_max_minutes * 60 // HOLD_CYCLE_SECONDS),
    )
    return VoiceIntake(
        services.store,
        partial(enqueue_dispatch, services.queues),
        config,
        DispatchStore(services.store.engine),
        JobSink(services.queues),
    )


def webhook_guard(settings: Settings) -> WebhookGuard:
    return WebhookGuard(
        validator=RequestValidator(settings.twilio_auth_token.get_secret_value()),
        public_base=settings.public_base,
        max_body_bytes=settings.max_body_bytes,
    )


def outbound(services: Services) -> Outbound:
    settings = services.settings
    client = twilio_client(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        settings.twilio_api_url,
    )
    roster = RosterStore(services.store.engine, services.store.cipher)

    def allowed(number: str) -> bool:
        return (
            number == settings.crisis_number
            or roster.is_known_number(number)
            or services.store.is_open_caller(number)
        )

    return Outbound(
        TwilioCarrier(client),
        settings.hotline_number,
        allowed,
        calls=Throttle(services.redis, "calls", settings.calls_per_second),
        messages=Throttle(services.redis, "sms", settings.sms_per_second),
        ledger=SmsStore(services.store.engine, services.store.cipher),
    )


def legs(services: Services) -> Legs:
    return Legs(
        services.store,
        DispatchStore(services.store.engine),
        JobSink(services.queues),
        services.settings.crisis_number,
        long_call=LONG_CALL,
        cool_off=COOL_OFF,
    )


def risk_phrases(settings: Settings) -> RiskPhrases:
    if settings.risk_phrases_file is None:
        return DEFAULT_PHRASES
    lines = settings.risk_phrases_file.read_text(encoding="utf-8").splitlines()
    return DEFAULT_PHRASES.extended(lines)


def sms_desk(services: Services) -> SmsDesk:
    settings = services.settings
    engine, cipher = services.store.engine, services.store.cipher
    alerts, roster = AlertStore(engine), RosterStore(engine, cipher)
    intake = SmsIntake(
        services.store, JobSink(services.queues), idle=timedelta(hours=settings.sms_idle_hours)
    )
    commands = Commands(services.store, alerts, roster)
    return SmsDesk(
        services.store, SmsStore(engine, cipher), roster, intake, commands, risk_phrases(settings)
    )


@dataclass
class WorkerDeps:
    services: Services
    dispatcher: Dispatcher
    escalation: Escalation
    texts: Texts


def worker_deps(settings: Settings, carrier: Carrier | None = None) -> WorkerDeps:
    """Built inside each job-running process (RQ forks), never shared across a fork."""
    services = build(settings)
    return dispatch_deps(services, carrier)


def dispatch_deps(services: Services, carrier: Carrier | None = None) -> WorkerDeps:
    """The dispatcher and escalation over ``services``; ``carrier`` replaces Twilio in tests."""
    settings = services.settings
    engine, cipher = services.store.engine, services.store.cipher
    roster = RosterStore(engine, cipher)
    out = outbound(services)
    if carrier is not None:
        out.carrier = carrier
    sink = JobSink(services.queues)
    escalation = Escalation(
        services.store,
        AlertStore(engine),
        roster,
        out,
        sink,
        EscalationConfig(zone=zone_named(settings.timezone), holidays=settings.holiday_dates),
    )
    config = DispatchConfig(
        public_base=settings.public_base,
        ring_seconds=settings.ring_seconds,
        long_call=LONG_CALL,
        cool_off=COOL_OFF,
    )
    dispatcher = Dispatcher(
        services.store, DispatchStore(engine), roster, out, sink, escalation, config
    )
    return WorkerDeps(services, dispatcher, escalation, Texts(services.store, out, sink))


# -- the coordinator console ------------------------------------------------------------
def console_services(services: Services) -> ConsoleServices:
    """The console's use cases over ``services``' stores; Redis carries live board events
    and failed sign-in counters. jobs/ and telephony/ decisions reach the use cases as
    functions (the SLA, candidate conversion, phone parsing, the paging order)."""
    settings = services.settings
    engine, cipher = services.store.engine, services.store.cipher
    roster, edits = RosterStore(engine, cipher), RosterEdits(engine, cipher)
    accounts, sessions = AccountStore(engine, cipher), SessionStore(engine)
    audit = AuditTrail(AuditStore(engine))
    feed = RedisBoardFeed(services.redis, services.redis_url)
    reserved = reserved_numbers(settings.hotline_number, settings.crisis_number, to_e164)
    zone, holidays = zone_named(settings.timezone), settings.holiday_dates
    queries = BoardQueries(engine)
    return ConsoleServices(
        config=ConsoleConfig(secure_cookies=settings.public_base.startswith("https://")),
        signin=SignIn(accounts, sessions, RedisAttempts(services.redis), audit),
        accounts=Accounts(accounts, sessions, audit),
        tokens=Tokens(sessions, audit),
        audit=audit,
        supporters=Supporters(
            services.store, roster, edits, to_e164, reserved, candidate, audit, feed
        ),
        roster_import=RosterImport(services.store, roster, to_e164, reserved, audit, feed),
        coordinators=Coordinators(
            roster, edits, to_e164, reserved, paging_order, on_call_now, audit
        ),
        board=Board(
            services.store,
            queries,
            roster,
            AlertStore(engine),
            lambda created, urgency: due_by(created, urgency, zone, holidays),
            audit,
            feed,
        ),
        explainer=MatchExplainer(
            services.store, roster, queries, DispatchStore(engine), candidate, match_request
        ),
        feed=feed,
    )


def board_notifier(services: Services) -> RedisBoardFeed:
    """The hook for intake and dispatch: ``publish("request.created", request_id)`` etc."""
    return RedisBoardFeed(services.redis, services.redis_url)
