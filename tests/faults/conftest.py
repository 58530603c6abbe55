"""A Peerline plant with real processes to break: ``peerline worker`` and ``peerline scheduler``
as child processes, a private redis-server, PostgreSQL behind a proxy that can refuse (or
SQLite when there is no PostgreSQL), the real twilio SDK talking to a fake Twilio, and the
web app in-process (the webhook code is the same; only uvicorn is left out)."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from peerline import bootstrap
from peerline.app import create_app
from peerline.settings import Settings
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.roster import RosterStore
from tests.conftest import PG_URL, REQUIRE, TEST_KEY, _postgres_reachable
from tests.faults.plant import Plant
from tests.faults.services import FakeTwilio, PrivateRedis, RefusingProxy
from tests.twilio_driver import TwilioDriver

PUBLIC_URL = "https://faults.peerline.example.org"
AUTH_TOKEN = "faults-auth-token"
ACCOUNT_SID = "AC" + "f" * 32


@pytest.fixture(scope="session")
def postgres() -> bool:
    if _postgres_reachable():
        return True
    if REQUIRE:
        pytest.fail(f"PostgreSQL required but unreachable at {PG_URL}")
    return False


@pytest.fixture
def plant(tmp_path: Path, postgres: bool) -> Iterator[Plant]:
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    carrier = FakeTwilio()
    server, carrier_url = carrier.serve()
    proxy: RefusingProxy | None = None
    schema = f"peerline_faults_{uuid.uuid4().hex[:12]}"
    if postgres:
        pg = make_url(PG_URL)
        proxy = RefusingProxy((pg.host or "127.0.0.1", pg.port or 5432))
        proxy.up()
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        direct = f"{PG_URL}?options=-csearch_path%3D{schema}"
        through_proxy = pg.set(port=proxy.port).render_as_string(hide_password=False)
        database_url = f"{through_proxy}?options=-csearch_path%3D{schema}"
    else:
        direct = database_url = f"sqlite:///{tmp_path / 'peerline.db'}"
    engine = make_engine(direct)
    upgrade(engine)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PEERLINE_")},
        "PEERLINE_DATABASE_URL": database_url,
        "PEERLINE_REDIS_URL": redis.url,
        "PEERLINE_PUBLIC_URL": PUBLIC_URL,
        "PEERLINE_TWILIO_API_URL": carrier_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PEERLINE_SECRET_KEY": base64.urlsafe_b64encode(TEST_KEY).decode(),
        "PEERLINE_VAR_DIR": str(tmp_path / "var"),
        "PEERLINE_CALLS_PER_SECOND": "1000",
        "PEERLINE_SMS_PER_SECOND": "1000",
        "PEERLINE_CALLS_PER_NUMBER_PER_HOUR": "0",
        "PEERLINE_TEXTS_PER_NUMBER_PER_HOUR": "0",
        "PEERLINE_INBOUND_CALLS_PER_SECOND": "0",
        "PEERLINE_INBOUND_TEXTS_PER_SECOND": "0",
        "PEERLINE_CALLBACKS_PER_DAY": "100",
        "PEERLINE_LOG_LEVEL": "INFO",
    }
    settings = Settings(
        database_url=database_url,
        redis_url=redis.url,
        public_url=PUBLIC_URL,
        twilio_api_url=carrier_url,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=SecretStr(AUTH_TOKEN),
        secret_key=SecretStr(env["PEERLINE_SECRET_KEY"]),
        var_dir=tmp_path / "var",
        calls_per_second=1000.0,
        sms_per_second=1000.0,
        calls_per_number_per_hour=0,
        texts_per_number_per_hour=0,
        inbound_calls_per_second=0,
        inbound_texts_per_second=0,
        callbacks_per_day=100,
    )
    services = bootstrap.build(settings, fast_fail_redis=True)
    with TestClient(create_app(settings, services), base_url=PUBLIC_URL) as client:
        plant = Plant(
            settings=settings,
            env=env,
            logs=tmp_path / "logs",
            redis=redis,
            proxy=proxy,
            carrier=carrier,
            engine=engine,
            web=TwilioDriver(client, AUTH_TOKEN, PUBLIC_URL),
            roster=RosterStore(engine, services.store.cipher),
            cipher=services.store.cipher,
        )
        try:
            yield plant
        finally:
            plant.stop_children()
    services.close()
    server.shutdown()
    redis.crash()
    engine.dispose()
    if postgres:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        if proxy is not None:
            proxy.down()
