"""The composition root: the only place that reads settings and builds adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from redis import Redis
from twilio.request_validator import RequestValidator

from jobs.dispatcher import Dispatcher
from jobs.enqueue import enqueue_dispatch
from jobs.queues import Queues
from peerline.redis_server import connect, embedded_url
from peerline.settings import Settings
from storage.crypto import FieldCipher, decode_key, load_or_create_key
from storage.engine import make_engine
from storage.repository import Store
from telephony.intake import IntakeConfig, VoiceIntake
from telephony.security import WebhookGuard

HOLD_CYCLE_SECONDS = 30


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


def build(settings: Settings, *, fast_fail_redis: bool = False) -> Services:
    keep: list[Any] = []
    store = Store(make_engine(settings.database_url), cipher_for(settings))
    url = redis_url(settings, keep)
    redis = connect(url, fast_fail=fast_fail_redis)
    return Services(settings, store, redis, url, Queues(redis), keep)


def voice_intake(services: Services) -> VoiceIntake:
    settings = services.settings
    config = IntakeConfig(
        crisis_number=settings.crisis_number,
        hold_cycles=max(1, settings.hold_max_minutes * 60 // HOLD_CYCLE_SECONDS),
    )
    return VoiceIntake(services.store, partial(enqueue_dispatch, services.queues), config)


def webhook_guard(settings: Settings) -> WebhookGuard:
    return WebhookGuard(
        validator=RequestValidator(settings.twilio_auth_token.get_secret_value()),
        public_base=settings.public_base,
        max_body_bytes=settings.max_body_bytes,
    )


@dataclass
class WorkerDeps:
    services: Services
    dispatcher: Dispatcher


def worker_deps(settings: Settings) -> WorkerDeps:
    """Built inside each job-running process (RQ forks), never shared across a fork."""
    services = build(settings)
    return WorkerDeps(services, Dispatcher(services.store))
