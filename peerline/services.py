"""The connections a process holds (database, Redis, the carrier) and the adapters built
straight over them. Built once per process by ``build``; nothing here runs at import time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from twilio.request_validator import RequestValidator

from console.live import RedisBoardFeed
from jobs.crisis_marks import CrisisMarks
from jobs.enqueue import RqJobs
from jobs.queues import Queues
from jobs.sends import RedisSendLog
from jobs.throttle import Throttle
from peerline.policies import COOL_OFF, follow_up_config, outbound_policy
from peerline.redis_server import RedisAddress, embedded_url
from peerline.settings import Settings
from storage.blocklist import BlocklistStore
from storage.callbacks import CallbackLedger
from storage.crypto import FieldCipher, decode_key, load_or_create_key
from storage.dispatch import DispatchStore
from storage.engine import make_engine
from storage.follow_ups import FollowUpStore
from storage.repository import Store
from storage.roster import RosterStore
from storage.self_care import SelfCareStore
from storage.sms import SmsStore
from telephony.security import WebhookGuard
from usecases.candidates import zone as zone_named
from usecases.destinations import Destinations
from usecases.follow_up import FollowUpTexts
from usecases.follow_up_replies import FollowUpReplies
from usecases.intake import KnownOrganizations
from usecases.live_board import BoardRelay
from usecases.outbound import Outbound
from usecases.ports import Carrier
from usecases.self_care import SelfCare
from usecases.withdrawal import Withdrawals


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
    # The web process builds its Twilio client at the first call it places (LazyCarrier);
    # a worker at once, before it forks or runs its first job.
    lazy_carrier: bool = False

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


def build(
    settings: Settings, *, fast_fail_redis: bool = False, lazy_carrier: bool = False
) -> Services:
    keep: list[Any] = []
    store_ = store(settings)
    address = redis_address(settings, keep)
    redis = address.connect(fast_fail=fast_fail_redis)
    feed = RedisBoardFeed(redis, address.url, connect=address.connect_async)
    store_.on_request_event(BoardRelay(feed))  # feeds the live board
    return Services(
        settings, store_, redis, address.url, Queues(redis), keep, address, lazy_carrier
    )


def jobs(services: Services) -> RqJobs:
    return RqJobs(services.queues)


def webhook_guard(settings: Settings) -> WebhookGuard:
    return WebhookGuard(
        validator=RequestValidator(settings.twilio_auth_token.get_secret_value()),
        public_base=settings.public_base,
        max_body_bytes=settings.max_body_bytes,
    )


def carrier(settings: Settings) -> Carrier:
    from telephony.carrier import TwilioCarrier, twilio_client  # the SDK's REST half: ~15 MB

    client = twilio_client(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        settings.twilio_api_url,
    )
    return TwilioCarrier(client, settings.public_base)


class LazyCarrier:
    """``carrier(settings)``, built at its first use. The web process places calls only on a
    few call-control webhooks, and the twilio SDK's REST client costs ~15 MB resident
    there (B12). Workers build theirs at once (``worker_deps``): they use it every job."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._carrier: Carrier | None = None

    def __getattr__(self, name: str) -> Any:
        if self._carrier is None:
            self._carrier = carrier(self._settings)
        return getattr(self._carrier, name)


def carrier_for(services: Services) -> Carrier:
    """The process's carrier: built now, or at its first use (``Services.lazy_carrier``)."""
    if services.lazy_carrier:
        return cast(Carrier, LazyCarrier(services.settings))
    return carrier(services.settings)


def known_organizations(services: Services) -> KnownOrganizations:
    return KnownOrganizations(services.store)


def withdrawals(services: Services) -> Withdrawals:
    return Withdrawals(
        services.store,
        DispatchStore(services.store.engine),
        jobs(services),
        CrisisMarks(services.redis),
    )


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
        follow_ups=FollowUpStore(engine, cipher),
    )
    return Outbound(
        carrier_ or carrier_for(services),
        settings.hotline_number,
        destinations,
        calls=Throttle(services.redis, "calls", settings.calls_per_second),
        messages=Throttle(services.redis, "sms", settings.sms_per_second),
        ledger=SmsStore(services.store.engine, services.store.cipher),
        sends=RedisSendLog(services.redis),
        crisis_number=settings.crisis_number,
    )


def follow_up_replies(services: Services) -> FollowUpReplies:
    """The answers to the follow-up text: the webhook side (no carrier)."""
    engine, cipher = services.store.engine, services.store.cipher
    return FollowUpReplies(
        services.store,
        FollowUpStore(engine, cipher),
        jobs(services),
        follow_up_config(services.settings),
        services.settings.hotline_number,
    )


def follow_up_texts(services: Services, out: Outbound) -> FollowUpTexts:
    """The scheduler's pass that sends the follow-up texts."""
    engine, cipher = services.store.engine, services.store.cipher
    return FollowUpTexts(
        services.store, FollowUpStore(engine, cipher), out, follow_up_config(services.settings)
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
