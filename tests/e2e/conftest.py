from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr
from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import Engine
from starlette.testclient import TestClient

from jobs import context
from peerline import bootstrap
from peerline.app import create_app
from peerline.settings import Settings
from sandbox import ManualClock, Sandbox, SandboxConfig
from sandbox.app import create_sandbox_app
from sandbox.server import SandboxServer
from storage.roster import NewSupporter, RosterStore
from telephony.carrier import TwilioCarrier, twilio_client
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
        # Tests run at any hour: quiet hours are tested with a clock of their own
        # (tests/integration/test_calling_hours.py), not by the time CI happens to run.
        quiet_hours="",
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


@dataclass
class World:
    box: Sandbox
    services: bootstrap.Services
    deps: bootstrap.WorkerDeps
    roster: RosterStore
    hotline: str

    def work(self) -> None:
        SimpleWorker(
            self.services.queues.all(), connection=self.services.redis, serializer=JSONSerializer
        ).work(burst=True)
        self.box.settle()

    def supporter(self, name: str, phone: str, role: str = "nurse") -> None:
        self.roster.add_supporters(
            [
                NewSupporter(
                    name=name,
                    phone=phone,
                    role=role,
                    organization="Tufts Medical Center",
                    on_shift=True,
                )
            ]
        )

    def request_id(self) -> str:
        [request] = self.services.store.waiting_requests() or [None]  # type: ignore[list-item]
        assert request is not None
        return request.id


@pytest.fixture
def world(client: TestClient, settings: Settings, services: bootstrap.Services) -> Iterator[World]:
    config = SandboxConfig(
        account_sid=settings.twilio_account_sid,
        auth_token=AUTH_TOKEN,
        hotline_number=settings.hotline_number,
        peerline_url=PUBLIC_URL,
        public_url=PUBLIC_URL,
        cps=1000,
        sms_per_second=1000,
    )
    settings.calls_per_second = settings.sms_per_second = 1000.0
    box = Sandbox(config, clock=ManualClock(), http=client)
    with SandboxServer(create_sandbox_app(config, sandbox=box)) as server:
        client = twilio_client(settings.twilio_account_sid, AUTH_TOKEN, server.url)
        carrier = TwilioCarrier(client, settings.public_base)
        deps = bootstrap.dispatch_deps(services, carrier)
        context.install(lambda: deps)
        roster = RosterStore(services.store.engine, services.store.cipher)
        yield World(box, services, deps, roster, settings.hotline_number)
        assert box.notices() == [], "every TwiML document Peerline served ran cleanly"
        assert all(d.status_code == 200 for d in box.deliveries()), "every webhook accepted"
    box.close()
