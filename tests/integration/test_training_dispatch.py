"""The training ledger gates dispatch: lapsed refreshers and supporters in training."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from peerline import bootstrap
from storage.roster import NewSupporter
from tests.integration.conftest import Line
from tests.integration.test_dispatch import request_by_phone
from tests.keypresses import CALLBACK_NURSE_TODAY
from usecases.access import cli_actor

ANA, BEN, CAM = "+12015550101", "+12015550102", "+12015550103"
# en, nurse, no rush, any org, back, asap, any role, no follow-up text
CALLBACK_NURSE_NO_RUSH = ["1", "1", "3", "3", "2", "1", "1", "2"]


def trained(line: Line, name: str, phone: str, tier: str | None, on: date | None) -> str:
    [sid] = line.roster.add_supporters(
        [
            NewSupporter(
                name=name,
                phone=phone,
                role="nurse",
                organization="Tufts Medical Center",
                training_tier=tier,
                trained_on=on,
                on_shift=True,
            )
        ]
    )
    return sid


def today() -> date:
    return datetime.now(UTC).date()


def rung(line: Line) -> list[str]:
    return [c["to"] for c in line.carrier.calls if c["kind"] == "offer"]


def test_only_current_fully_trained_supporters_are_offered_an_urgent_call(line: Line) -> None:
    trained(line, "Ana Lapsed", ANA, "2", today() - timedelta(days=800))
    trained(line, "Ben Trainee", BEN, "trainee", today() - timedelta(days=10))
    cam = trained(line, "Cam Current", CAM, "1", today() - timedelta(days=30))
    _, rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    assert rung(line) == [CAM]
    # The console says why the others were left out.
    explainer = bootstrap.console_services(line.services).explainer
    why = explainer.explain(cli_actor("test"), rid)
    left = {x.name: (x.reason, x.detail) for x in why.left_out}
    assert left["Ana Lapsed"][0] == "training lapsed (refresher overdue)"
    assert left["Ana Lapsed"][1].startswith("refresher was due ")
    assert left["Ben Trainee"] == ("in training: not offered this urgency", "a urgent request")
    assert [c.supporter_id for c in why.considered] in ([], [cam])


def test_a_supporter_in_training_takes_a_routine_request(line: Line) -> None:
    trained(line, "Ben Trainee", BEN, "trainee", today() - timedelta(days=10))
    request_by_phone(line, CALLBACK_NURSE_NO_RUSH)
    line.work()
    assert rung(line) == [BEN]


def test_the_program_may_let_supporters_in_training_take_urgent_calls(line: Line) -> None:
    line.settings.trainee_urgencies = "urgent,soon,routine"
    line.deps = bootstrap.dispatch_deps(line.services, line.carrier)
    trained(line, "Ben Trainee", BEN, "trainee", today() - timedelta(days=10))
    request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    assert rung(line) == [BEN]


def test_a_shorter_refresher_interval_lapses_training_sooner(line: Line) -> None:
    line.settings.refresher_months = 1
    line.deps = bootstrap.dispatch_deps(line.services, line.carrier)
    trained(line, "Ana Lapsed", ANA, "1", today() - timedelta(days=90))
    request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    assert rung(line) == []


def text(line: Line, sender: str, body: str, n: int) -> str:
    response = line.twilio.signed_post(
        "/twilio/sms",
        {"MessageSid": f"SM{n:032x}", "From": sender, "To": "+16175550100", "Body": body},
    )
    assert response.status_code == 200
    return " ".join(m.text or "" for m in ET.fromstring(response.text).iter("Message"))


def test_a_lapsed_supporter_is_told_why_no_call_comes_and_is_not_counted_available(
    line: Line,
) -> None:
    trained(line, "Ana Lapsed", ANA, "2", date(2020, 1, 31))  # due 2021-01-31
    trained(line, "Cam Current", CAM, "1", today() - timedelta(days=30))
    line.roster.add_coordinator("Kim Lee", "+16175550191")
    status = text(line, ANA, "STATUS", 1)
    assert status.endswith(
        "Your refresher was due Jan 31: no calls until a coordinator records it."
    )
    available = text(line, ANA, "AVAILABLE", 2)
    assert "no calls until a coordinator records it" in available
    assert "refresher" not in text(line, CAM, "STATUS", 3)
    cover = text(line, "+16175550191", "STATUS", 4)
    assert "Supporters available now: 1." in cover  # Cam, not Ana
