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
