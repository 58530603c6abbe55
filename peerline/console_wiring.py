"""The console's part of the composition root: its use cases over one process's services."""

from __future__ import annotations

from functools import partial

from console.attempts import RedisAttempts
from console.live import RedisBoardFeed
from console.services import ConsoleConfig, ConsoleServices, WebRequests
from ivr.model import Language
from ivr.numbers import to_e164
from jobs.rate_limits import RedisRateLimiter
from matching.coverage import ROLE_GROUPS, CoverageRules
from peerline.policies import (
    calling_hours,
    closures,
    outbound_policy,
    risk_phrases,
    training_policy,
)
from peerline.services import (
    Services,
    jobs,
    known_organizations,
    master_key,
    withdrawals,
)
from peerline.settings import Settings
from storage.accounts import AccountStore
from storage.alerts import AlertStore
from storage.audit import AuditStore
from storage.blocklist import BlocklistStore
from storage.board import BoardQueries
from storage.console_sessions import SessionStore
from storage.dispatch import DispatchStore
from storage.reports import ReportQueries
from storage.repository import Store
from storage.roster import RosterStore
from storage.roster_edits import RosterEdits
from storage.training import TrainingStore
from usecases.accounts import Accounts
from usecases.audit import AuditTrail
from usecases.blocklist import Blocklist
from usecases.board import Board
from usecases.board_actions import BoardActions
from usecases.candidates import candidate, match_request
from usecases.candidates import zone as zone_named
from usecases.check_ins import CheckIns
from usecases.coordinators import Coordinators
from usecases.coverage import Coverage
from usecases.escalation import on_call, paging_order
from usecases.explain import MatchExplainer
from usecases.follow_up_figures import FollowUpTables
from usecases.intake import IntakeTurn
from usecases.lifecycle import Lifecycle
from usecases.promise import Promises
from usecases.reports import ReportConfig, Reports
from usecases.roster_import import RosterImport
from usecases.roster_rules import reserved_numbers
from usecases.signin import SignIn
from usecases.supporters import Supporters
from usecases.tokens import Tokens
from usecases.training import TrainingLedger
from usecases.web_form import FormGuard, FormLimits, form_key
from usecases.web_intake import WebIntake


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
    promises = Promises(zone, holidays, calling_hours(settings))
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
            promises,
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
            promises,
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
