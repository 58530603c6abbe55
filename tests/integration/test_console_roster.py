"""The roster through the API: supporters, the CSV import with its preview, the export,
reading a number, removal, and coordinators' on-call hours and paging order."""

from __future__ import annotations

import pytest

from tests.integration.conftest import Console

pytestmark = pytest.mark.integration

NIA = {
    "name": "Nia Nurse",
    "phone": "(617) 555-0111",
    "role": "RN",
    "organization": "Tufts Medical Center",
    "languages": ["en", "es"],
    "schedule": [{"day": 0, "start": "09:00", "end": "17:00"}],
}
GOOD_ROWS = (
    "name,phone,role,organization,languages,schedule\n"
    "Ann Able,617-555-0121,nurse,Boston Medical Center,en,Mon-Fri 09:00-17:00\n"
    "Ben Bold,617-555-0122,MD,Boston Medical Center,en;es,Sat 10:00-14:00\n"
)


def _audit(console: Console, action: str) -> list[dict[str, object]]:
    page = console.client.get(f"/api/v1/audit?action={action}", headers=console.bearer()).json()
    return list(page["items"])


def test_an_admin_adds_edits_and_a_coordinator_reads_a_supporter(console: Console) -> None:
    created = console.client.post("/api/v1/supporters", headers=console.bearer(), json=NIA)
    assert created.status_code == 201, created.text
    nia = created.json()
    assert nia["role"] == "nurse" and nia["languages"] == ["en", "es"]
    assert nia["schedule_text"] == "Mon 09:00-17:00" and "phone" not in nia
    sid = nia["id"]
    patch = {
        "schedule": [{"day": 5, "start": "22:00", "end": "06:00"}],
        "on_shift": False,
        "monthly_cap_hours": 2.5,
    }
    edited = console.client.patch(f"/api/v1/supporters/{sid}", headers=console.bearer(), json=patch)
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["schedule_text"] == "Sat 22:00-06:00" and body["monthly_cap_minutes"] == 150
    assert body["on_shift_override"] is False and body["on_shift_now"] is False
    assert body["shift_source"] == "override" and body["name"] == "Nia Nurse"
    read = console.client.get(f"/api/v1/supporters/{sid}", headers=console.bearer(admin=False))
    assert read.json() == body
    found = console.client.get("/api/v1/supporters?q=tufts", headers=console.bearer(admin=False))
    assert [s["id"] for s in found.json()["items"]] == [sid]
    assert (
        console.client.get("/api/v1/supporters?q=zzz", headers=console.bearer()).json()["total"]
        == 0
    )
    [update] = _audit(console, "supporter.update")
    assert update["target_id"] == sid and update["detail"] == {
        "fields": ["monthly_cap_hours", "on_shift", "schedule"]
    }


def test_edits_are_checked_by_the_csv_rules(console: Console) -> None:
    sid = console.client.post("/api/v1/supporters", headers=console.bearer(), json=NIA).json()["id"]
    bad = {
        "role": "wizard",
        "timezone": "Mars/Olympus",
        "schedule": [{"day": 0, "start": "25:00", "end": "17:00"}],
        "languages": ["fr"],
        "name": "",
    }
    response = console.client.patch(f"/api/v1/supporters/{sid}", headers=console.bearer(), json=bad)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any("role 'wizard'" in e for e in errors)
    assert any("Mars/Olympus" in e for e in errors)
    assert any("25:00" in e for e in errors)
    assert any("'fr'" in e for e in errors)
    assert "name is empty" in errors
    again = console.client.get(f"/api/v1/supporters/{sid}", headers=console.bearer()).json()
    assert again["role"] == "nurse", "nothing changed"
    dup = console.client.post("/api/v1/supporters", headers=console.bearer(), json=NIA)
    assert dup.status_code == 422 and "already on the roster" in dup.text
    hotline = {**NIA, "phone": console.settings.hotline_number}
    assert (
        "hotline"
        in console.client.post("/api/v1/supporters", headers=console.bearer(), json=hotline).text
    )


def test_deactivate_reactivate_and_remove_with_their_data(console: Console) -> None:
    sid = console.client.post("/api/v1/supporters", headers=console.bearer(), json=NIA).json()["id"]
    off = console.client.post(f"/api/v1/supporters/{sid}/deactivate", headers=console.bearer())
    assert off.json()["active"] is False
    on = console.client.post(f"/api/v1/supporters/{sid}/reactivate", headers=console.bearer())
    assert on.json()["active"] is True
    assert (
        console.client.delete(f"/api/v1/supporters/{sid}", headers=console.bearer()).status_code
        == 204
    )
    assert (
        console.client.get(f"/api/v1/supporters/{sid}", headers=console.bearer()).status_code == 404
    )
    assert console.roster.supporter_by_phone("+16175550111") is None, "number gone too"
    assert [e["action"] for e in _audit(console, "supporter.")] == [
        "supporter.delete",
        "supporter.update",
        "supporter.update",
        "supporter.create",
    ]


def test_reading_a_number_is_admin_only_and_audited_without_the_number(console: Console) -> None:
    sid = console.client.post("/api/v1/supporters", headers=console.bearer(), json=NIA).json()["id"]
    url = f"/api/v1/supporters/{sid}/phone"
    assert console.client.get(url, headers=console.bearer(admin=False)).status_code == 403
    assert console.client.get(url, headers=console.bearer()).json() == {"phone": "+16175550111"}
    [entry] = _audit(console, "supporter.phone.read")
    assert entry["actor"] == "token:admin-token" and entry["target_id"] == sid
    everything = console.client.get("/api/v1/audit?limit=200", headers=console.bearer()).text
    assert "5550111" not in everything and "555-0111" not in everything, "no number in the log"


def test_import_previews_then_commits_all_rows_and_warns_when_nobody_can_be_on_shift(
    console: Console,
) -> None:
    headers = console.bearer()
    preview = console.client.post(
        "/api/v1/supporters/import/preview", headers=headers, json={"csv": GOOD_ROWS}
    ).json()
    assert preview["ok"] and [r["name"] for r in preview["rows"]] == ["Ann Able", "Ben Bold"]
    assert preview["warnings"] == [] and preview["new_organizations"] == ["Boston Medical Center"]
    assert console.roster.supporters() == [], "a preview changes nothing"
    done = console.client.post(
        "/api/v1/supporters/import", headers=headers, json={"csv": GOOD_ROWS}
    )
    assert done.status_code == 201 and done.json()["count"] == 2
    never = (
        "name,phone,role,organization,languages\n"
        "Cal Calm,617-555-0123,tech,Boston Medical Center,en\n"
    )
    preview = console.client.post(
        "/api/v1/supporters/import/preview", headers=headers, json={"csv": never}
    ).json()
    assert preview["ok"] and "nobody in this file can ever be on shift" in preview["warnings"][0]
    done = console.client.post("/api/v1/supporters/import", headers=headers, json={"csv": never})
    assert done.status_code == 201 and done.json()["warnings"] == preview["warnings"]


def test_an_import_with_one_bad_row_adds_nothing_and_names_the_row(console: Console) -> None:
    text = GOOD_ROWS + "Dee Dry,555-12,nurse,Boston Medical Center,en,\n"
    headers = console.bearer()
    preview = console.client.post(
        "/api/v1/supporters/import/preview", headers=headers, json={"csv": text}
    ).json()
    assert not preview["ok"] and preview["errors"] == [
        "row 4: phone '555-12' is not a valid number"
    ]
    done = console.client.post("/api/v1/supporters/import", headers=headers, json={"csv": text})
    assert done.status_code == 422 and done.json()["errors"] == preview["errors"]
    assert console.roster.supporters() == []


def test_export_leaves_numbers_out_unless_an_admin_asks_and_is_audited(console: Console) -> None:
    console.client.post("/api/v1/supporters", headers=console.bearer(), json=NIA)
    plain = console.client.get("/api/v1/supporters/export", headers=console.bearer(admin=False))
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("text/csv")
    assert (
        plain.text.splitlines()[0].startswith("name,role,organization") and "555" not in plain.text
    )
    denied = console.client.get(
        "/api/v1/supporters/export?numbers=true", headers=console.bearer(admin=False)
    )
    assert denied.status_code == 403
    full = console.client.get("/api/v1/supporters/export?numbers=true", headers=console.bearer())
    assert "+16175550111" in full.text and full.text.startswith("name,phone,")
    assert [e["detail"]["numbers"] for e in _audit(console, "supporter.export")] == [True, False]


def test_coordinators_get_on_call_hours_and_a_paging_order(console: Console) -> None:
    headers = console.bearer()
    kim = console.client.post(
        "/api/v1/coordinators", headers=headers, json={"name": "Kim", "phone": "617-555-0191"}
    ).json()
    lee = console.client.post(
        "/api/v1/coordinators", headers=headers, json={"name": "Lee", "phone": "617-555-0192"}
    ).json()
    assert (kim["backup_order"], lee["backup_order"]) == (0, 1)
    assert kim["on_call"] == [] and kim["on_call_now"] is True  # no hours: always on call
    every_day = [{"day": d, "start": "00:00", "end": "00:00"} for d in range(7)]  # 24 h
    patched = console.client.patch(
        f"/api/v1/coordinators/{lee['id']}",
        headers=headers,
        json={"on_call": every_day[:1], "backup_order": 5, "timezone": "America/Chicago"},
    )
    assert patched.status_code == 200, patched.text
    assert (
        patched.json()["on_call_text"] == "Mon 00:00-00:00" and patched.json()["backup_order"] == 5
    )
    listed = console.client.get("/api/v1/coordinators", headers=console.bearer(admin=False)).json()
    assert [c["name"] for c in listed["items"]] == ["Kim", "Lee"]
    bad = console.client.patch(
        f"/api/v1/coordinators/{lee['id']}",
        headers=headers,
        json={"on_call": [{"day": 1, "start": "9:75", "end": "17:00"}]},
    )
    assert bad.status_code == 422 and "9:75" in bad.text
    [stored] = [c for c in console.roster.coordinators() if c.name == "Lee"]
    assert stored.on_call == [[0, "00:00", "00:00"]] and stored.timezone == "America/Chicago"
    assert (
        console.client.patch(
            f"/api/v1/coordinators/{kim['id']}",
            headers=console.bearer(admin=False),
            json={"backup_order": 3},
        ).status_code
        == 403
    )


def test_the_import_refuses_a_typo_of_a_known_organization_but_not_another_place(
    console: Console,
) -> None:
    headers = console.bearer()
    done = console.client.post(
        "/api/v1/supporters/import", headers=headers, json={"csv": GOOD_ROWS}
    )
    assert done.status_code == 201  # Boston Medical Center is known now
    rows = "name,phone,role,organization,languages,schedule\n"
    other = rows + "Cal Calm,617-555-0123,tech,Boston Children's Hospital,en,Mon 09:00-17:00\n"
    preview = console.client.post(
        "/api/v1/supporters/import/preview", headers=headers, json={"csv": other}
    ).json()
    assert preview["ok"] and preview["new_organizations"] == ["Boston Children's Hospital"]
    typo = rows + "Cal Calm,617-555-0123,tech,Bostn Medical Center,en,Mon 09:00-17:00\n"
    preview = console.client.post(
        "/api/v1/supporters/import/preview", headers=headers, json={"csv": typo}
    ).json()
    assert not preview["ok"]
    [error] = preview["errors"]
    assert "'Bostn Medical Center' is new but looks like 'Boston Medical Center'" in error


def test_a_texted_override_shows_when_it_ends_and_survives_an_unrelated_edit(
    console: Console,
) -> None:
    from datetime import UTC, datetime, timedelta

    sid = console.client.post("/api/v1/supporters", headers=console.bearer(), json=NIA).json()["id"]
    ends = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    console.roster.set_on_shift(sid, True, ends)  # as a texted AVAILABLE leaves it
    shown = console.client.get(f"/api/v1/supporters/{sid}", headers=console.bearer()).json()
    assert shown["on_shift_override"] is True
    assert datetime.fromisoformat(shown["on_shift_override_until"]) == ends
    csrf = console.login()
    page = console.client.get(f"/console/supporters/{sid}")
    assert f"AVAILABLE override, until {ends:%Y-%m-%d %H:%M} UTC" in page.text
    # The page sends every field back; the override as it was keeps its end.
    form = {"csrf_token": csrf, "name": "Nia N. Nurse", "role": "nurse", "on_shift": "yes"}
    form |= {"organization": "Tufts Medical Center", "languages": "en", "timezone": "UTC"}
    saved = console.client.post(f"/console/supporters/{sid}", data=form)
    assert saved.status_code == 200 and "Saved." in saved.text, saved.text
    record = console.roster.supporter(sid)
    assert record is not None and record.name == "Nia N. Nurse"
    assert record.on_shift is True and record.on_shift_until == ends
    away = console.client.patch(
        f"/api/v1/supporters/{sid}", headers=console.bearer(), json={"on_shift": False}
    )
    assert away.json()["on_shift_override_until"] is None, "set by hand: until changed"
