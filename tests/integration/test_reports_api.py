"""Reports through the API and CSV: suppressed counts, the promise, time to first contact,
supporters' month, authorization and the audit trail."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, update

from storage.dispatch import DispatchStore
from storage.dispatch_models import OfferStatus
from storage.follow_up_models import Feedback, FollowUp
from storage.models import HelpRequest, RequestStatus
from storage.roster import NewSupporter
from storage.self_care_models import SelfCareCheck
from tests.integration.conftest import Console
from tests.request_support import waiting_request

pytestmark = pytest.mark.integration

MONDAY = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # 10:00 in Boston
PERIOD = {"start": "2026-11-02", "end": "2026-11-15"}


def _request(
    console: Console, created: datetime, reached_after: timedelta | None, **kw: str
) -> str:
    store = console.services.store
    rid = waiting_request(store, **kw)
    values: dict[str, object] = {"created_at": created}
    if reached_after is not None:
        values |= {"connected_at": created + reached_after, "status": RequestStatus.COMPLETED}
    with store.engine.begin() as db:
        db.execute(update(HelpRequest).where(HelpRequest.id == rid).values(**values))
    return rid


@pytest.fixture
def seeded(console: Console) -> Console:
    """Week 1: 8 urgent nurses, 6 reached within 2 h, 2 after 3 h. Week 2: 3 soon
    physicians (reached in 30 min), 1 routine request withdrawn early."""
    for i in range(8):
        late = i >= 6
        after = timedelta(hours=3) if late else timedelta(minutes=10 * (i + 1))
        _request(console, MONDAY + timedelta(hours=i), after, urgency="urgent", role="nurse")
    for i in range(3):
        _request(
            console,
            MONDAY + timedelta(days=7, hours=i),
            timedelta(minutes=30),
            urgency="soon",
            role="physician",
        )
    withdrawn = _request(
        console, MONDAY + timedelta(days=8), None, urgency="routine", role="support"
    )
    console.services.store.set_request_status(withdrawn, RequestStatus.WITHDRAWN)
    return console


def _cells(table: dict[str, object]) -> list[list[str]]:
    rows = [[c["shown"] for c in row] for row in table["cells"]]  # type: ignore[attr-defined]
    return rows


def test_the_requests_report_counts_suppresses_and_times(seeded: Console) -> None:
    engine = seeded.services.store.engine
    with engine.begin() as db:  # the urgent ones came back to their previous supporter
        db.execute(
            update(HelpRequest)
            .where(HelpRequest.urgency == "urgent")
            .values(previous_supporter_id="s1")
        )
        for i, answer in enumerate(["fine", "fine", "debrief"]):
            db.execute(
                insert(SelfCareCheck).values(
                    offer_id=f"of{i}",
                    supporter_id="s1",
                    long_call=False,
                    sent_at=MONDAY + timedelta(hours=i),
                    answer=answer,
                )
            )
    response = seeded.client.get(
        "/api/v1/reports/requests", params=PERIOD, headers=seeded.bearer(admin=False)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["start"], body["end"], body["threshold"]) == ("2026-11-02", "2026-11-15", 5)
    tables = {t["key"]: t for t in body["tables"]}
    weekly = tables["week_channel"]
    assert weekly["rows"] == ["week of 2026-11-02", "week of 2026-11-09"]
    assert weekly["columns"] == ["voice", "text", "web form"]
    # 8 voice requests in week 1, 4 in week 2: the 4 is small, and its column total (12)
    # would give it away, so week 1's 8 is hidden with it.
    assert _cells(weekly) == [["*", "0", "0"], ["<5", "0", "0"]]
    assert [c["shown"] for c in weekly["row_totals"]] == ["*", "<5"]
    assert weekly["total"]["shown"] == "12"
    urgency = tables["urgency"]
    assert _cells(urgency) == [["8"], ["<5"], ["<5"]]
    assert urgency["cells"][1][0] == {"value": None, "shown": "<5", "suppressed": "small"}
    assert _cells(tables["role_group"])[0] == ["8"]  # nursing
    assert _cells(tables["outcome"]) == [["*"], ["0"], ["<5"], ["0"]]
    timings = {t["urgency"]: t for t in body["timings"]}
    assert timings["today"]["median_minutes"] == 45.0  # 10..60 min and 3 h, 3 h
    assert timings["today"]["p90_minutes"] == 180.0
    assert timings["a day or two"]["median_minutes"] is None  # only 3 reached
    assert _cells(body["promise"])[0] == ["*", "<5"]  # 6 met, 2 missed: 8 - 6 would tell
    shares = {s["urgency"]: s["share_met"] for s in body["shares"]}
    assert shares["today"] == "*"  # the 2 missed would be recoverable from a share
    assert body["follow_ups_recorded"] is True
    follow_ups = {t["key"]: t for t in body["follow_ups"]}
    assert _cells(follow_ups["follow_ups"]) == [["8"], ["0"], ["0"]]
    assert follow_ups["self_care"]["rows"] == ["fine", "asked for a debrief", "no answer"]
    assert _cells(follow_ups["self_care"]) == [["<5"], ["<5"], ["0"]]
    assert follow_ups["self_care"]["column_totals"][0]["shown"] == "<5"
    client = seeded.client
    assert client.get("/api/v1/reports/requests").status_code == 401
    assert client.get("/api/v1/reports/supporters/export").status_code == 401
    audit = client.get("/api/v1/audit", params={"action": "report.read"}, headers=seeded.bearer())
    [entry] = audit.json()["items"]
    assert entry["actor"] == "token:coord-token" and entry["target_id"] == "requests"
    assert entry["detail"] == {"start": "2026-11-02", "end": "2026-11-15"}


def test_the_csv_export_shows_what_the_page_shows_and_is_audited(seeded: Console) -> None:
    response = seeded.client.get(
        "/api/v1/reports/requests/export", params=PERIOD, headers=seeded.bearer()
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert ["week of 2026-11-09", "<5", "0", "0", "<5"] in rows
    assert "8" not in [
        cell for row in rows if row and row[0] == "week of 2026-11-02" for cell in row
    ]
    audit = seeded.client.get(
        "/api/v1/audit", params={"action": "report."}, headers=seeded.bearer()
    )
    actions = [(e["action"], e["target_id"]) for e in audit.json()["items"]]
    assert ("report.export", "requests") in actions
    for bad in ({"start": "2026-11-10", "end": "2026-11-01"}, {"start": "2020-01-01"}):
        refused = seeded.client.get("/api/v1/reports/requests", params=bad, headers=seeded.bearer())
        assert refused.status_code == 422, bad


def test_supporters_month_shows_minutes_offers_and_standing(console: Console) -> None:
    now = datetime.now(UTC)
    people = [
        NewSupporter(name="Ana Lopez", phone="+12015550101", role="nurse", on_shift=True),
        NewSupporter(name="Ben Ode", phone="+12015550102", role="physician", on_shift=True),
    ]
    ana, ben = console.roster.add_supporters(people)
    offers = DispatchStore(console.services.store.engine)
    rid = waiting_request(console.services.store)
    declined = offers.claim(rid, ben, timedelta(seconds=40))
    assert declined is not None
    offers.end_offer(declined.id, OfferStatus.DECLINED, reason="declined")
    from storage.roster_models import Supporter

    with console.services.store.engine.begin() as db:
        db.execute(
            update(Supporter)
            .where(Supporter.id == ana)
            .values(month_key=now.strftime("%Y-%m"), month_minutes=200)
        )
    response = console.client.get("/api/v1/reports/supporters", headers=console.bearer(False))
    assert response.status_code == 200, response.text
    body = response.json()
    lines = {x["name"]: x for x in body["supporters"]}
    assert lines["Ana Lopez"]["standing"] == "near the cap"  # 200 of 240
    assert lines["Ben Ode"] | {"supporter_id": ""} == {
        "supporter_id": "",
        "name": "Ben Ode",
        "role": "physician",
        "minutes": 0,
        "cap_minutes": 240,
        "standing": "under-used",
        "declined": 1,
        "unanswered": 0,
        "calls_taken": 0,
    }
    assert [c[0]["shown"] for c in body["standings"]["cells"]] == ["<5", "0", "<5", "0"]
    assert body["commitment_minutes"] == [120, 240]
    export = console.client.get("/api/v1/reports/supporters/export", headers=console.bearer())
    assert export.status_code == 200 and "Ana Lopez,nurse,200,240,near the cap" in export.text


def test_the_report_pages_show_suppressed_cells_and_download_csv(seeded: Console) -> None:
    seeded.login("cory")
    page = seeded.client.get("/console/reports", params=PERIOD)
    assert page.status_code == 200, page.text
    assert 'class="suppressed" title="fewer than 5' in page.text
    assert "week of 2026-11-09" in page.text and "data-chart=" in page.text
    assert ">last month</a>" in page.text
    download = seeded.client.get("/console/reports/export.csv", params=PERIOD)
    assert download.status_code == 200 and download.text.startswith("Peerline requests")
    assert seeded.client.get("/console/reports/supporters").status_code == 200
    assert seeded.client.get("/console/reports/supporters/export.csv").status_code == 200
    bad = seeded.client.get("/console/reports", params={"start": "soon"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


def test_the_follow_up_tables_count_consent_texts_sessions_and_feedback(seeded: Console) -> None:
    """Counts only, suppressed like every table; feedback is read by its day alone."""
    engine = seeded.services.store.engine
    with engine.begin() as db:
        db.execute(
            update(HelpRequest).where(HelpRequest.urgency == "urgent").values(follow_up_ok=True)
        )
        db.execute(
            update(HelpRequest)
            .where(HelpRequest.urgency == "soon")
            .values(follow_up_ok=True, session_no=2)
        )
        for i, outcome in enumerate([*["accepted"] * 6, "declined", None]):
            at = MONDAY + timedelta(days=2, hours=i)
            db.execute(
                insert(FollowUp).values(
                    request_id=f"r{i}", step="done", outcome=outcome, created_at=at, updated_at=at
                )
            )
        answers = [("helped", "5")] * 6 + [("helped", "2"), ("recommend", "yes")]
        for question, answer in answers:
            db.execute(
                insert(Feedback).values(
                    day=date(2026, 11, 4),
                    role_group="nursing",
                    urgency="urgent",
                    question=question,
                    answer=answer,
                )
            )
        db.execute(  # outside the period: not counted
            insert(Feedback).values(
                day=date(2026, 11, 16),
                role_group="nursing",
                urgency="urgent",
                question="helped",
                answer="1",
            )
        )
    response = seeded.client.get(
        "/api/v1/reports/requests", params=PERIOD, headers=seeded.bearer(admin=False)
    )
    assert response.status_code == 200, response.text
    tables = {t["key"]: t for t in response.json()["follow_ups"]}
    consent = tables["follow_up_consent"]
    assert consent["rows"] == ["yes, one text", "no", "not asked"]
    assert _cells(consent) == [["*"], ["0"], ["<5"]]  # 8 first sessions said yes; 1 not asked
    assert _cells(tables["follow_up_sessions"]) == [["*"], ["<5"], ["0"]]  # 9 first, 3 second
    texts = tables["follow_up_texts"]
    assert texts["rows"][0] == "talk again: a follow-up request"
    assert _cells(texts) == [["*"], ["<5"], ["<5"], ["0"], ["0"]]
    assert texts["column_totals"][0]["shown"] == "8"
    helped = tables["feedback_helped"]
    assert helped["rows"] == ["1", "2", "3", "4", "5"]
    assert _cells(helped) == [["0"], ["<5"], ["0"], ["0"], ["*"]]
    assert helped["column_totals"][0]["shown"] == "7"
    assert _cells(tables["feedback_recommend"]) == [["<5"], ["0"]]
