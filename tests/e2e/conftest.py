from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from redis import Redis
from sqlalchemy import Engine
from starlette.testclient import TestClient

from jobs import context
from peerline import bootstrap
from peerline.app import create_app
from peerline.settings import Settings
from tests.conftest import TEST_KEY
from tests.fakes import RecordingCarrier
from tests.twilio_driver import TwilioDriver

PUBLIC_URL = "https://peerline.example.org"
AUTH_TOKEN = "e2e-auth-token"
CRISIS = "+18002738255"


def make_settings(database_url: str, redis_url: str, var_dir: Path) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        public_url=PUBLIC_URL,
        twilio_auth_token=SecretStr(AUTH_TOKEN),
        secret_key=SecretStr(base64.urlsafe_b64encode(TEST_KEY).decode()),
        var_dir=var_dir,
        crisis_number=CRISIS,
        hold_max_minutes=1,
    )


@pytest.fixture
def settings(database_url: str, redis_url: str, var_dir: Path) -> Settings:
    return make_settings(database_url, redis_url, var_dir)


@pytest.fixture
def services(settings: Settings, engine: Engine, redis_conn: Redis) -> Iterator[bootstrap.Services]:
    services = bootstrap.build(settings, fast_fail_redis=True)
    deps = bootstrap.dispatch_deps(services, RecordingCarrier())
    context.install(lambda: deps)
    yield services
    services.close()


@pytest.fixture
def client(settings: Settings, services: bootstrap.Services) -> Iterator[TestClient]:
    with TestClient(create_app(settings, services), base_url=PUBLIC_URL) as test_client:
        yield test_client


@pytest.fixture
def twilio(client: TestClient) -> TwilioDriver:
    return TwilioDriver(client, AUTH_TOKEN, PUBLIC_URL)
