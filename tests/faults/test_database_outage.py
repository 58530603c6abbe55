"""PostgreSQL stops answering (connections reset and refused through a proxy) while calls and
texts come in: callers hear the apology with the crisis key, texters get one naming 911 and
988 and their texts are kept; once the database is back every text is answered in order,
every intake is one request and is rung once, and no process quit."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest
from redis import Redis

from jobs.text_spool import KEY
from tests.faults.plant import TEXTS, Plant, caller_number
from tests.faults.services import wait_for

pytestmark = pytest.mark.faults


def test_a_database_outage_loses_no_text_and_stops_no_process(plant: Plant) -> None:
    if plant.proxy is None:
        pytest.skip("needs PostgreSQL (a proxy can refuse its connections)")
    plant.supporters(10)
    worker, scheduler = plant.start("worker"), plant.start("scheduler")
    plant.call(0)
    plant.text(0)
    plant.wait_dispatched(timeout=30)

    plant.proxy.down()
    call = plant.web.call(caller=caller_number(9))
    heard = " ".join(s.text or "" for s in call.start().iter("Say"))
    assert "press 9" in heard.lower(), heard  # the apology still offers the crisis line
    for texter in (1, 2):  # three texts each into the conversation, while it is down
        for reply in plant.text(texter, TEXTS[:3]):
            words = " ".join(m.text or "" for m in ET.fromstring(reply).iter("Message"))
            assert "911" in words and "988" in words, words
    time.sleep(2)
    plant.proxy.up()

    redis = Redis.from_url(plant.redis.url)
    wait_for(lambda: redis.hlen(KEY) == 0, 30, "the kept texts to be answered")
    answered = [m for m in plant.carrier.messages if m["To"].startswith("+1312230000")]
    assert len(answered) == 6, "each kept text answered once, by a text"
    for texter in (1, 2):  # they carry on from where they were
        plant.text(texter, TEXTS, first=3)
    plant.call(3)
    plant.wait_dispatched(timeout=30)
    plant.wait_quiet(seconds=3)
    plant.tally().assert_exactly_once()
    assert worker.poll() is None and scheduler.poll() is None, "no process quit"
    assert "health: scheduler cannot reach database" in plant.log("scheduler")
    assert "health: scheduler reaches database again" in plant.log("scheduler")
    redis.close()
