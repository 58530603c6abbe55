"""The composition root: the only place that reads settings and builds adapters."""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import partial
from typing import Any

import holidays
from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from twilio.request_validator import RequestValidator

from console.attempts import RedisAttempts
from console.live import RedisBoardFeed
from console.services import ConsoleConfig, ConsoleServices, WebRequests
from ivr.model import Language, Urgency
from ivr.numbers import to_e164
from ivr.screening import DEFAULT as DEFAULT_PHRASES
from ivr.screening import RiskPhrases
from jobs.crisis_marks import CrisisMarks
from jobs.enqueue import RqJobs
from jobs.once import RedisOnce
from jobs.queues import Queues
from jobs.rate_limits import RedisRateLimiter
from jobs.sends import RedisSendLog
from jobs.text_spool import TextSpool
from jobs.throttle import Throttle
from matching import TrainingPolicy
from matching.calling import CallingHours, QuietHours
from matching.coverage import ROLE_GROUPS, CoverageRules
from matching.sla import Closures, due_by
from peerline.redis_server import RedisAddress, embedded_url
from peerline.settings import Settings
from storage.accounts import AccountStore
from storage.alerts import AlertStore
from storage.audit import AuditStore
from storage.blocklist import BlocklistStore
from storage.board import BoardQueries
from storage.callbacks import CallbackLedger
from storage.console_sessions import SessionStore
from storage.crypto import FieldCipher, decode_key, load_or_create_key
from storage.dispatch import DispatchStore
from storage.engine import make_engine
from storage.reports import ReportQueries
from storage.repository import Store
from storage.roster import RosterStore
from storage.roster_edits import RosterEdits
from storage.self_care import SelfCareStore
from storage.sms import SmsStore
from storage.training import TrainingStore
from telephony.carrier import TwilioCarrier, twilio_client
from telephony.security import WebhookGuard
from telephony.twiml import TwimlRenderer
from usecases.accounts import Accounts
from usecases.admission import Admission, Limits
from usecases.audit import AuditTrail
from usecases.blocklist import Blocklist
from usecases.board import Board
from usecases.board_actions import BoardActions
from usecases.caller_leg import CallBackPolicy, CallerLeg
from usecases.candidates import candidate, match_request
from usecases.candidates import zone as zone_named
from usecases.check_ins import CheckIns
from usecases.coordinators import Coordinators
from usecases.coverage import Coverage
from usecases.coverage_text import CoverageText, CoverageTextConfig
from usecases.destinations import Destinations
from usecases.dispatch import DispatchConfig, Dispatcher
from usecases.escalation import Escalation, EscalationConfig, on_call, paging_order
from usecases.explain import MatchExplainer
from usecases.follow_up_figures import FollowUpTables
from usecases.help_key import HelpKey
from usecases.intake import IntakeTurn, KnownOrganizations
from usecases.lifecycle import Expiry, Lifecycle, LifecycleConfig
from usecases.live_board import BoardRelay
from usecases.notices import Notices
from usecases.outbound import Outbound
from usecases.outbound_policy import OutboundPolicy
from usecases.page_groups import PageGroups
from usecases.ports import Carrier
from usecases.reports import ReportConfig, Reports
from usecases.roster_commands import Commands
from usecases.roster_import import RosterImport
from usecases.roster_rules import reserved_numbers
from usecases.self_care import SelfCare
from usecases.signin import SignIn
from usecases.supporter_leg import SupporterLeg
from usecases.supporters import Supporters
from usecases.text_desk import TextDesk
from usecases.text_intake import TextIntake
from usecases.text_replay import TextReplay
from usecases.tokens import Tokens
from usecases.training import TrainingLedger
from usecases.voice_intake import IntakeConfig, VoiceIntake
from usecases.web_form import FormGuard, FormLimits, form_key
from usecases.web_intake import WebIntake
from usecases.withdrawal import Withdrawals

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
    redis_address: RedisAddress | None = None  # how to open more connections (Sentinel)

    def redis_async(self) -> Callable[[], AsyncRedis]:
        """Opens an asyncio client to the same Redis (the console's live board)."""
        address = self.redis_address or RedisAddress(self.redis_url)
        return address.connect_async

    def close(self) -> None:
        self.redis.close()
        self.store.engine.dispose()


def master_key(settings: Settings) -> bytes:
    """PEERLINE_SECRET_KEY, or (laptop mode) the key kept in var_dir/secret.key."""
    if settings.secret_key is not None:
        return decode_key(settings.secret_key.get_secret_value())
    return load_or_create_key(settings.var_dir / "secret.key")


def cipher_for(settings: Settings) -> FieldCipher:
    """The current key writes; PEERLINE_OLD_SECRET_KEYS are read during a rotation."""
    old = [decode_key(key) for key in settings.old_keys()]
    return FieldCipher(master_key(settings), old)


def redis_url(settings: Settings, keep_alive: list[Any]) -> str:
    if settings.redis_url:
        return settings.redis_url
    url, handle = embedded_url(settings.var_dir)
    keep_alive.append(handle)
    return url


def redis_address(settings: Settings, keep_alive: list[Any]) -> RedisAddress:
    """The configured Redis: Sentinel's master, a URL, or the embedded server."""
    if sentinels := RedisAddress.parse_sentinels(settings.redis_sentinels):
        password = settings.redis_sentinel_password
        return RedisAddress(
            settings.redis_url or "",
            sentinels,
            settings.redis_sentinel_master,
            password.get_secret_value() if password else None,
        )
    return RedisAddress(redis_url(settings, keep_alive))


def store(settings: Settings) -> Store:
    """The database alone, for commands that need no Redis."""
    return Store(make_engine(settings.database_url), cipher_for(settings))


def build(settings: Settings, *, fast_fail_redis: bool = False) -> Services:
    keep: list[Any] = []
    store_ = store(settings)
    address = redis_address(settings, keep)
    redis = address.connect(fast_fail=fast_fail_redis)
    feed = RedisBoardFeed(redis, address.url, connect=address.connect_async)
    store_.on_request_event(BoardRelay(feed))  # feeds the live board
    return Services(settings, store_, redis, address.url, Queues(redis), keep, address)


def jobs(services: Services) -> RqJobs:
    return RqJobs(services.queues)


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


def known_organizations(services: Services) -> KnownOrganizations:
    return KnownOrganizations(services.store)


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


def withdrawals(services: Services) -> Withdrawals:
    return Withdrawals(
        services.store,
        DispatchStore(services.store.engine),
        jobs(services),
        CrisisMarks(services.redis),
    )


def webhook_guard(settings: Settings) -> WebhookGuard:
    return WebhookGuard(
        validator=RequestValidator(settings.twilio_auth_token.get_secret_value()),
        public_base=settings.public_base,
        max_body_bytes=settings.max_body_bytes,
    )


def carrier(settings: Settings) -> Carrier:
    client = twilio_client(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        settings.twilio_api_url,
    )
    return TwilioCarrier(client, settings.public_base)


def outbound(services: Services, carrier_: Carrier | None = None) -> Outbound:
    settings = services.settings
    engine, cipher = services.store.engine, services.store.cipher
    destinations = Destinations(
        outbound_policy(settings),
        RosterStore(engine, cipher),
        services.store,
        CallbackLedger(engine, cipher),
        zone_named(settings.timezone),
        BlocklistStore(engine, cipher),
    )
    return Outbound(
        carrier_ or carrier(settings),
        settings.hotline_number,
        destinations,
        calls=Throttle(services.redis, "calls", settings.calls_per_second),
        messages=Throttle(services.redis, "sms", settings.sms_per_second),
        ledger=SmsStore(services.store.engine, services.store.cipher),
        sends=RedisSendLog(services.redis),
        crisis_number=settings.crisis_number,
    )


def supporter_leg(services: Services) -> SupporterLeg:
    return SupporterLeg(
        services.store,
        DispatchStore(services.store.engine),
        jobs(services),
        long_call=LONG_CALL,
        cool_off=COOL_OFF,
    )


def self_care(services: Services, out: Outbound) -> SelfCare:
    engine, cipher = services.store.engine, services.store.cipher
    return SelfCare(
        SelfCareStore(engine),
        RosterStore(engine, cipher),
        services.store,
        out,
        jobs(services),
        COOL_OFF,
    )


def risk_phrases(settings: Settings) -> RiskPhrases:
    if settings.risk_phrases_file is None:
        return DEFAULT_PHRASES
    lines = settings.risk_phrases_file.read_text(encoding="utf-8").splitlines()
    return DEFAULT_PHRASES.extended(lines)


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
    )


def closures(settings: Settings) -> Closures:
    """Days without business hours: the country's (and state's) public holidays, from the
    ``holidays`` package, and PEERLINE_HOLIDAYS, the program's own closures."""
    public: Container[date] = ()
    if settings.holiday_country:
        subdivision = settings.holiday_subdivision or None
        public = holidays.country_holidays(settings.holiday_country, subdiv=subdivision)
    return Closures(public, settings.holiday_dates)


def calling_hours(settings: Settings) -> CallingHours:
    return CallingHours(zone_named(settings.timezone), QuietHours.parse(settings.quiet_hours))


def lifecycle_config(settings: Settings) -> LifecycleConfig:
    return LifecycleConfig(
        zone=zone_named(settings.timezone),
        holidays=closures(settings),
        grace=timedelta(minutes=settings.expiry_grace_minutes),
        callback_attempts=settings.callback_attempts,
    )


def text_spool(services: Services) -> TextSpool:
    """Where texts wait while the database is away (Redis, else ``var_dir/spool/sms``)."""
    directory = services.settings.var_dir / "spool" / "sms"
    return TextSpool(services.redis, directory, services.store.cipher)


def text_replay(services: Services, outbound_: Outbound) -> TextReplay:
    """The scheduler's replay of kept texts through the same desk the webhook uses."""
    desk = text_desk(services, known_organizations(services))
    return TextReplay(text_spool(services), desk, outbound_)


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
        services, out, escalation, caller_leg, dispatcher, notices, expiry, care, helper
    )


def console_services(services: Services) -> ConsoleServices:
    """The console's use cases over ``services``' stores; Redis carries live board events
    and failed sign-in counters. jobs/ and telephony/ decisions reach the use cases as
    functions (the SLA, candidate conversion, phone parsing, the paging order)."""
    settings = services.settings
    engine, cipher = services.store.engine, services.store.cipher
    roster, edits = RosterStore(engine, cipher), RosterEdits(engine, cipher)
    accounts, sessions = AccountStore(engine, cipher), SessionStore(engine)
    audit = AuditTrail(AuditStore(engine))
    feed = RedisBoardFeed(services.redis, services.redis_url, connect=services.redis_async())
    reserved = reserved_numbers(settings.hotline_number, settings.crisis_number, to_e164)
    zone, holidays = zone_named(settings.timezone), closures(settings)
    queries = BoardQueries(engine)
    training = training_policy(settings)
    candidate_now = partial(candidate, training=training)
    explainer = MatchExplainer(
        services.store,
        roster,
        queries,
        DispatchStore(engine),
        candidate_now,
        match_request,
        training=training,
    )
    return ConsoleServices(
        config=ConsoleConfig(secure_cookies=settings.public_base.startswith("https://")),
        signin=SignIn(accounts, sessions, RedisAttempts(services.redis), audit),
        accounts=Accounts(accounts, sessions, audit),
        tokens=Tokens(sessions, audit),
        audit=audit,
        supporters=Supporters(
            services.store, roster, edits, to_e164, reserved, candidate_now, audit, feed
        ),
        roster_import=RosterImport(services.store, roster, to_e164, reserved, audit, feed),
        coordinators=coordinators(settings, services.store, audit),
        board=Board(
            services.store,
            queries,
            roster,
            AlertStore(engine),
            lambda created, urgency: due_by(created, urgency, zone, holidays),
            audit,
        ),
        explainer=explainer,
        actions=BoardActions(
            services.store,
            DispatchStore(engine),
            roster,
            explainer,
            jobs(services),
            Lifecycle(services.store, withdrawals(services)),
            audit,
        ),
        feed=feed,
        blocklist=Blocklist(BlocklistStore(engine, cipher), to_e164, audit),
        training=TrainingLedger(roster, TrainingStore(engine), training, zone, audit),
        check_ins=CheckIns(roster, TrainingStore(engine), audit),
        reports=Reports(
            ReportQueries(engine),
            roster,
            audit,
            ReportConfig(zone, holidays, settings.report_min_cell),
            FollowUpTables(ReportQueries(engine)),
        ),
        web_requests=web_requests(services),
        coverage=coverage(services),
    )


def coverage(services: Services) -> Coverage:
    """The coverage forecast: the console's page and the scheduler's daily text."""
    settings = services.settings
    groups = tuple(settings.listed(settings.coverage_role_groups))
    languages = tuple(settings.listed(settings.coverage_languages))
    if unknown := [g for g in groups if g not in ROLE_GROUPS]:
        known = ", ".join(ROLE_GROUPS)
        raise ValueError(f"PEERLINE_COVERAGE_ROLE_GROUPS: {unknown[0]!r} is not one of {known}")
    if unknown := [x for x in languages if x not in Language._value2member_map_]:
        raise ValueError(f"PEERLINE_COVERAGE_LANGUAGES: {unknown[0]!r} is not en or es")
    rules = CoverageRules(
        min_on_shift=settings.coverage_min_on_shift,
        role_groups=groups,
        languages=tuple(Language(x) for x in languages),
    )
    return Coverage(
        RosterStore(services.store.engine, services.store.cipher),
        partial(candidate, training=training_policy(settings)),
        paging_order,
        rules,
        zone_named(settings.timezone),
    )


def web_requests(services: Services) -> WebRequests:
    """The public request form: its guard (token, timing, per-address rate) and the intake."""
    settings = services.settings
    limits = FormLimits(
        min_seconds=settings.web_form_min_seconds,
        per_address_per_hour=settings.web_requests_per_address_per_hour,
    )
    guard = FormGuard(form_key(master_key(settings)), RedisRateLimiter(services.redis), limits)
    intake = WebIntake(
        services.store,
        IntakeTurn(services.store, jobs(services)),
        jobs(services),
        known_organizations(services),
        outbound_policy(settings),
        risk_phrases(settings),
        BlocklistStore(services.store.engine, services.store.cipher),
    )
    return WebRequests(guard, intake, settings.hotline_number)


def coordinators(
    settings: Settings, store_: Store, audit: AuditTrail | None = None
) -> Coordinators:
    """Coordinators' on-call hours and paging order over the database alone (the console,
    ``peerline coordinators set``)."""
    engine, cipher = store_.engine, store_.cipher
    reserved = reserved_numbers(settings.hotline_number, settings.crisis_number, to_e164)
    return Coordinators(
        RosterStore(engine, cipher),
        RosterEdits(engine, cipher),
        to_e164,
        reserved,
        paging_order,
        on_call,
        audit or AuditTrail(AuditStore(engine)),
    )


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
