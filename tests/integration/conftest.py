from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import Engine
from starlette.testclient import TestClient

from jobs import context
from peerline import bootstrap
from peerline.app import create_app
from peerline.settings import Settings
from storage.models import RequestStatus
from storage.roster import NewSupporter, RosterStore
from tests.e2e.conftest import AUTH_TOKEN, PUBLIC_URL, make_settings
from tests.fakes import RecordingCarrier
from tests.twilio_driver import TwilioDriver


class Line:
    """A running Peerline with a recording carrier: web app, worker deps, roster, driver."""

    def __init__(
        self,
        settings: Settings,
        services: bootstrap.Services,
        client: TestClient,
        carrier: RecordingCarrier,
    ) -> None:
        self.settings, self.services, self.client, self.carrier = (
            settings,
            services,
            client,
            carrier,
        )
        self.deps = bootstrap.dispatch_deps(services, carrier)
        self.roster = RosterStore(services.store.engine, services.store.cipher)
        self.twilio = TwilioDriver(client, AUTH_TOKEN, PUBLIC_URL)
        context.install(lambda: self.deps)

    def supporter(
        self,
        name: str,
        phone: str,
        role: str = "nurse",
        organization: str | None = "Tufts Medical Center",
        on_shift: bool = True,
        languages: tuple[str, ...] = ("en",),
    ) -> str:
        [sid] = self.roster.add_supporters(
            [
                NewSupporter(
                    name=name,
                    phone=phone,
                    role=role,
                    organization=organization,
                    languages=languages,
                    on_shift=on_shift,
                )
            ]
        )
        return sid

    def status(self, request_id: str) -> RequestStatus:
        request = self.services.store.get_request(request_id)
        assert request is not None
        return request.status

    def work(self) -> None:
        """Run every queued job (not the delayed ones) on a real RQ worker."""
        SimpleWorker(
            self.services.queues.all(), connection=self.services.redis, serializer=JSONSerializer
        ).work(burst=True)

    def scheduled(self) -> list[str]:
        return [
            jid
            for q in self.services.queues.all()
            for jid in q.scheduled_job_registry.get_job_ids()
        ]


@pytest.fixture
def line(
    database_url: str, redis_url: str, var_dir: Path, engine: Engine, redis_conn: Redis
) -> Iterator[Line]:
    settings = make_settings(database_url, redis_url, var_dir)
    settings.calls_per_second = 1000.0  # tests don't wait for Twilio's CPS
    settings.sms_per_second = 1000.0
    services = bootstrap.build(settings, fast_fail_redis=True)
    carrier = RecordingCarrier()
    with TestClient(create_app(settings, services), base_url=PUBLIC_URL) as client:
        yield Line(settings, services, client, carrier)
    services.close()


class Leg(NamedTuple):
    """A call Peerline placed to a supporter: its offer, the SID the carrier gave, the number."""

    offer_id: str
    sid: str
    to: str


def sid_of(line: Line, index: int) -> str:
    """The SID RecordingCarrier handed out for ``line.carrier.calls[index]``."""
    return f"CAfa{index % len(line.carrier.calls) + 1:030x}"


def supporter_leg(line: Line, index: int = -1) -> Leg:
    call = line.carrier.calls[index]
    assert call["kind"] == "offer", call
    return Leg(call["offer_id"], sid_of(line, index), call["to"])


def leg_post(line: Line, path: str, sid: str, to: str, **extra: str) -> ET.Element:
    """Twilio requesting ``path`` for an outbound leg (from the hotline to ``to``)."""
    params = {
        "CallSid": sid,
        "From": line.settings.hotline_number,
        "To": to,
        "CallStatus": "in-progress",
        "Direction": "outbound-api",
        **extra,
    }
    response = line.twilio.signed_post(path, params)
    assert response.status_code == 200, response.text
    return ET.fromstring(response.text)


class Console:
    """The web app with the console, an admin and a coordinator account and a bearer token
    for each; ``login`` signs the test client in with a session cookie."""

    ADMIN_PASSWORD = "admin-password-1"
    COORDINATOR_PASSWORD = "coordinator-password-1"

    def __init__(
        self, settings: Settings, services: bootstrap.Services, client: TestClient
    ) -> None:
        from usecases.access import Role, cli_actor
        from usecases.accounts import NewAccount

        self.settings, self.services, self.client = settings, services, client
        self.app = client.app
        self.use = bootstrap.console_services(services)
        cli = cli_actor("test")
        self.admin = self.use.accounts.create(
            cli, NewAccount("ada", "Ada Admin", Role.ADMIN, self.ADMIN_PASSWORD, "ada@example.org")
        )
        self.coordinator = self.use.accounts.create(
            cli, NewAccount("cory", "Cory Coordinator", Role.COORDINATOR, self.COORDINATOR_PASSWORD)
        )
        _record, self.admin_token = self.use.tokens.create(cli, "admin-token", Role.ADMIN)
        _record, self.coordinator_token = self.use.tokens.create(
            cli, "coord-token", Role.COORDINATOR
        )
        self.roster = RosterStore(services.store.engine, services.store.cipher)

    def bearer(self, admin: bool = True) -> dict[str, str]:
        token = self.admin_token if admin else self.coordinator_token
        return {"Authorization": f"Bearer {token}"}

    def login(self, username: str = "ada", password: str | None = None) -> str:
        """Sign in through the API; returns the session's CSRF token."""
        if password is None:
            password = self.ADMIN_PASSWORD if username == "ada" else self.COORDINATOR_PASSWORD
        response = self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["csrf_token"])


@pytest.fixture
def console(
    database_url: str, redis_url: str, var_dir: Path, engine: Engine, redis_conn: Redis
) -> Iterator[Console]:
    settings = make_settings(database_url, redis_url, var_dir)
    services = bootstrap.build(settings, fast_fail_redis=True)
    with TestClient(create_app(settings, services), base_url=PUBLIC_URL) as client:
        yield Console(settings, services, client)
    services.close()
