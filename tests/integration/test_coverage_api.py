"""The coverage forecast through the API and the console page: hours, gaps, whom to ask,
the on-call chain; sign-in required."""

from __future__ import annotations

from datetime import datetime

import pytest

from storage.roster import NewSupporter
from tests.integration.conftest import Console

pytestmark = pytest.mark.integration

DAYS_9_17 = [[d, "09:00", "17:00"] for d in range(7)]
NIGHTS = [[d, "22:00", "06:00"] for d in range(7)]


def test_the_forecast_shows_gaps_whom_to_ask_and_who_is_on_call(console: Console) -> None:
    console.roster.add_supporters(
        [
            NewSupporter(
                "Ana Lopez", "+12015550101", "nurse", languages=("en", "es"), schedule=DAYS_9_17
            ),
            NewSupporter("Ben Ode", "+12015550102", "physician", schedule=DAYS_9_17),
            NewSupporter("Cy Park", "+12015550103", "nurse", schedule=NIGHTS),
            NewSupporter("Dee Ruiz", "+12015550104", "allied", languages=("es",)),
        ]
    )
    console.roster.add_coordinator("Kim Lee", "+16175550191")
    console.roster.add_coordinator("Pat Doe", "+16175550192", backup_order=1, on_call=DAYS_9_17)
    assert console.client.get("/api/v1/coverage").status_code == 401
    response = console.client.get("/api/v1/coverage", headers=console.bearer(admin=False))
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["hours"]) == 7 * 24
    assert body["min_on_shift"] == 2 and body["languages_required"] == ["en", "es"]
    hours = {datetime.fromisoformat(h["start"]).hour: h for h in body["hours"][:24]}
    assert hours[10]["on_shift"] == 2 and hours[10]["gaps"] == []
    assert hours[10]["by_role_group"]["nursing"] == 1 and hours[10]["by_language"]["es"] == 1
    assert hours[2]["on_shift"] == 1
    assert hours[2]["gaps"] == ["no Spanish speaker on shift", "fewer than 2 on shift"]
    assert hours[7]["gaps"][0] == "no nurse on shift"
    spanish = [g for g in body["gaps"] if g["label"] == "no Spanish speaker on shift"]
    first = spanish[0]
    assert datetime.fromisoformat(first["start"]).hour == 0
    assert datetime.fromisoformat(first["end"]).hour == 9
    assert [s["name"] for s in first["suggestions"]] == ["Ana Lopez", "Dee Ruiz"]
    chains = {tuple(c["coordinators"]) for c in body["on_call"]}
    assert chains == {("Kim Lee", "Pat Doe")}  # Kim always on call; Pat on call 9-17, next
    by_day = [(datetime.fromisoformat(c["start"]).hour, c["coordinators"]) for c in body["on_call"]]
    assert by_day[0] == (0, ["Kim Lee", "Pat Doe"])

    console.login("cory")
    page = console.client.get("/console/coverage")
    assert page.status_code == 200
    assert 'class="num gap"' in page.text and "no Spanish speaker on shift" in page.text
    assert "Kim Lee → Pat Doe" in page.text
