"""The daily coverage text: once a day after the set time, only when tomorrow has a gap,
to the on-call coordinator through the one sender, without names; COVER names whom to ask."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from peerline import bootstrap
from storage.roster import NewSupporter
from tests.integration.conftest import Line
from tests.integration.test_escalation import text

pytestmark = pytest.mark.integration

BOSTON = ZoneInfo("America/New_York")
KIM = "+12015550191"
DAYS = [[d, "09:00", "17:00"] for d in range(7)]
NIGHTS = [[d, "17:00", "09:00"] for d in range(7)]


def _roster(line: Line) -> None:
    line.roster.add_supporters(
        [
            NewSupporter(
                "Ana Lopez", "+12015550101", "nurse", languages=("en", "es"), schedule=DAYS
            ),
            NewSupporter("Eve Stone", "+12015550105", "nurse", schedule=DAYS),
            NewSupporter("Cy Park", "+12015550103", "nurse", schedule=NIGHTS),
            NewSupporter("Ben Ode", "+12015550102", "physician", schedule=NIGHTS),
            NewSupporter("Dee Ruiz", "+12015550104", "allied", languages=("es",)),
        ]
    )
    line.roster.add_coordinator("Kim Lee", KIM)


def test_tomorrows_gap_is_texted_once_after_the_hour_and_cover_names_whom_to_ask(
    line: Line,
) -> None:
    _roster(line)
    daily = bootstrap.coverage_text(line.services, line.deps.outbound)
    assert daily is not None
    moment = datetime(2026, 12, 3, 17, 59, tzinfo=BOSTON)
    daily.clock = daily.coverage.clock = lambda: moment
    assert daily.send_if_due() is False  # before 18:00
    assert line.carrier.messages == []
    moment = datetime(2026, 12, 3, 19, 0, tzinfo=BOSTON)
    assert daily.send_if_due() is True
    assert daily.send_if_due() is False  # once a day, whichever process asks
    [sent] = line.carrier.messages
    assert sent["to"] == KIM
    assert sent["body"] == (
        "Peerline: Tomorrow 00:00-09:00: no Spanish speaker on shift; "
        "17:00-24:00: no Spanish speaker on shift. Reply COVER for names."
    )
    reply = text(line, KIM, "COVER")
    assert reply == (
        "Peerline: tomorrow 00:00-09:00: no Spanish speaker on shift: ask Ana, Dee; "
        "17:00-24:00: no Spanish speaker on shift: ask Ana, Dee. Pages go to: Kim."
    )


def test_no_gap_no_text(line: Line) -> None:
    _roster(line)
    line.roster.add_supporters(
        [NewSupporter("Flo Vega", "+12015550106", "nurse", languages=("es",), on_shift=True)]
    )
    daily = bootstrap.coverage_text(line.services, line.deps.outbound)
    assert daily is not None
    daily.clock = daily.coverage.clock = lambda: datetime(2026, 12, 3, 19, 0, tzinfo=BOSTON)
    assert daily.send_if_due() is False and line.carrier.messages == []
    assert "available now" in text(line, KIM, "COVER")  # COVER as before
