"""The roster CSV parser: good rows, every kind of bad row, the header, BOM, schedules, roles."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ivr.numbers import to_e164
from storage.roster import NewSupporter
from storage.roster_csv import (
    InvalidRoster,
    parse_roster,
    parse_schedule,
    parse_supporter,
)
from storage.roster_models import DEFAULT_MONTHLY_CAP_MINUTES, DEFAULT_TIMEZONE

HEADER = "name,phone,role,organization,languages"
DEMO = Path(__file__).parents[2] / "peerline" / "demo_roster.csv"


def parse(text: str, **kwargs: Any) -> list[NewSupporter]:
    return parse_roster(text, phone=to_e164, **kwargs)


def errors_of(text: str, **kwargs: Any) -> list[str]:
    with pytest.raises(InvalidRoster) as caught:
        parse(text, **kwargs)
    return caught.value.errors


def test_a_minimal_row_gets_the_defaults() -> None:
    [person] = parse(f"{HEADER}\nAna Souza,(617) 555-0101,nurse,Tufts Medical Center,en\n")
    assert person.name == "Ana Souza"
    assert person.phone == "+16175550101"
    assert person.role == "nurse"
    assert person.organization == "Tufts Medical Center"
    assert person.languages == ("en",)
    assert person.monthly_cap_minutes == DEFAULT_MONTHLY_CAP_MINUTES
    assert person.timezone == DEFAULT_TIMEZONE
    assert (person.schedule, person.on_shift, person.level, person.trained_on) == (
        [],
        None,
        None,
        None,
    )


def test_every_optional_column() -> None:
    text = (
        "name,phone,role,organization,languages,level,training_tier,trained_on,"
        "monthly_cap_hours,timezone,schedule,on_shift\n"
        "Luis Ortega,+12015550123,resident,Boston Medical Center,en;es,2,tier 2,2024-03-31,"
        '2.5,America/Chicago,"Mon 09:00-17:00; Wed 18:00-22:00",yes\n'
    )
    [person] = parse(text)
    assert person.role == "trainee"
    assert person.languages == ("en", "es")
    assert person.level == 2
    assert person.training_tier == "2"
    assert person.trained_on == date(2024, 3, 31)
    assert person.monthly_cap_minutes == 150
    assert person.timezone == "America/Chicago"
    assert person.schedule == [[0, "09:00", "17:00"], [2, "18:00", "22:00"]]
    assert person.on_shift is True


def test_bom_header_case_spaces_and_blank_lines_are_tolerated() -> None:
    text = "\ufeffName , Phone,ROLE,Organization,Languages\n\nAna,6175550101,RN,BMC,es\n,,,,\n"
    [person] = parse(text)
    assert (person.name, person.role, person.languages) == ("Ana", "nurse", ("es",))


def test_the_demo_roster_parses() -> None:
    people = parse(DEMO.read_text(encoding="utf-8-sig"))
    assert len(people) == 12
    assert len({p.organization for p in people}) == 5
    assert sum("es" in p.languages for p in people) == 3
    assert len({p.role for p in people}) >= 6


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("nurse", "nurse"),
        ("RN", "nurse"),
        ("R.N.", "nurse"),
        ("Nurse", "nurse"),
        ("physician", "physician"),
        ("MD", "physician"),
        ("Resident", "trainee"),
        ("fellow", "trainee"),
        ("NP", "app"),
        ("Nurse Practitioner", "app"),
        ("PA", "app"),
        ("crna", "app"),
        ("midwife", "app"),
        ("pharmacist", "allied"),
        ("CNA", "tech"),
        ("paramedic", "tech"),
        ("non-clinical", "support"),
        ("support_staff", "support"),
        ("chaplain", "other"),
        ("Social Worker", "other"),
        ("app", "app"),
    ],
)
def test_role_codes_and_titles(raw: str, code: str) -> None:
    [person] = parse(f"{HEADER}\nAna,6175550101,{raw},BMC,en\n")
    assert person.role == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon 09:00-17:00", [[0, "09:00", "17:00"]]),
        ("Mon 09:00-17:00; Wed 18:00-22:00", [[0, "09:00", "17:00"], [2, "18:00", "22:00"]]),
        ("monday 9:00 - 17:30;", [[0, "09:00", "17:30"]]),
        ("Fri 22:00-06:00", [[4, "22:00", "06:00"]]),  # past midnight
        ("Sun 20:00-24:00", [[6, "20:00", "00:00"]]),  # until midnight
        ("Thurs 00:00-00:00", [[3, "00:00", "00:00"]]),  # all day
        ("Mon-Wed 08:00-12:00", [[d, "08:00", "12:00"] for d in (0, 1, 2)]),
        ("Sat-Mon 10:00-11:00", [[d, "10:00", "11:00"] for d in (5, 6, 0)]),  # wraps
        ("", []),
    ],
)
def test_parse_schedule(text: str, expected: list[list[object]]) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("Mon 9-5", "schedule entry 'Mon 9-5' is not like 'Mon 09:00-17:00'"),
        ("Mo 09:00-17:00", "schedule day 'Mo' is not a weekday"),
        ("Funday 09:00-17:00", "schedule day 'Funday' is not a weekday"),
        ("Mon 25:00-26:00", "schedule time '25:00' is not a time"),
        ("Mon 24:00-08:00", "schedule time '24:00' is not a time"),
        ("Mon 09:60-10:00", "schedule time '09:60' is not a time"),
    ],
)
def test_bad_schedules(schedule: str, message: str) -> None:
    [error] = errors_of(f"{HEADER},schedule\nAna,6175550101,RN,BMC,en,{schedule}\n")
    assert error.startswith(f"row 2: {message}")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("phone", "555-12", "phone '555-12' is not a valid number"),
        ("phone", "", "phone is empty"),
        ("name", "", "name is empty"),
        ("name", "x" * 121, "name is longer than 120 characters"),
        ("role", "wizard", "role 'wizard' is not one of nurse, physician, trainee, app, allied"),
        ("role", "unspecified", "role 'unspecified' is not one of"),
        ("organization", "", "organization is empty"),
        ("languages", "fr", "language 'fr' is not en or es"),
        ("languages", "", "languages is empty"),
        ("level", "7", "level '7' is not one of 1 (student), 2 (resident), 3 (fellow), 4 (att"),
        ("level", "two", "level 'two' is not one of"),
        ("trained_on", "31/03/2024", "trained_on '31/03/2024' is not a date like 2024-03-31"),
        ("trained_on", "2024-02-30", "trained_on '2024-02-30' is not a date"),
        ("monthly_cap_hours", "0", "monthly_cap_hours '0' is not a number of hours above 0"),
        ("monthly_cap_hours", "lots", "monthly_cap_hours 'lots' is not a number"),
        ("monthly_cap_hours", "nan", "monthly_cap_hours 'nan' is not a number"),
        ("monthly_cap_hours", "500", "monthly_cap_hours '500' is not a number"),
        ("timezone", "Mars/Olympus", "timezone 'Mars/Olympus' is not an IANA zone"),
        ("timezone", "America", "timezone 'America' is not an IANA zone"),
        ("timezone", "../etc", "timezone '../etc' is not an IANA zone"),
        ("on_shift", "maybe", "on_shift 'maybe' is not yes, no or blank"),
    ],
)
def test_one_bad_value(column: str, value: str, message: str) -> None:
    good = {
        "name": "Ana",
        "phone": "6175550101",
        "role": "RN",
        "organization": "BMC",
        "languages": "en",
        column: value,
    }
    header = ",".join(good)
    [error] = errors_of(f"{header}\n{','.join(good.values())}\n")
    assert error.startswith(f"row 2: {message}")


def test_every_bad_row_is_reported_and_nothing_is_returned() -> None:
    text = (
        f"{HEADER}\n"
        "Ana,6175550101,RN,BMC,en\n"  # row 2: fine
        "Bo,555-12,wizard,BMC,en\n"  # row 3: two problems
        "Cy,617 555 0101,MD,BMC,en\n"  # row 4: same number as row 2
        "Di,6175550102,MD,BMC,en,extra\n"  # row 5: too many values
    )
    assert errors_of(text) == [
        "row 3: phone '555-12' is not a valid number",
        "row 3: role 'wizard' is not one of nurse, physician, trainee, app, allied, tech, "
        "support, other (or a title such as RN, NP, MD)",
        "row 4: phone number repeats row 2",
        'row 5: 6 values but the header has 5 columns (a comma inside a value needs "quotes")',
    ]


def test_a_duplicate_is_found_even_when_its_first_row_is_bad() -> None:
    text = f"{HEADER}\nAna,6175550101,wizard,BMC,en\nBo,+1 617 555 0101,RN,BMC,en\n"
    assert errors_of(text)[-1] == "row 3: phone number repeats row 2"


def test_numbers_already_taken() -> None:
    taken = {"+16175550101": "already on the roster"}.get
    text = f"{HEADER}\nAna,6175550101,RN,BMC,en\nBo,6175550102,RN,BMC,en\n"
    assert errors_of(text, taken=taken) == ["row 2: phone number is already on the roster"]


def test_the_organization_resolver_names_and_refuses() -> None:
    def resolve(name: str) -> str:
        if name == "Mass Gen":
            raise ValueError("organization 'Mass Gen' is new but looks like 'MGH'")
        return {"MGH": "Massachusetts General Hospital"}.get(name, name)

    text = f"{HEADER}\nAna,6175550101,RN,MGH,en\n"
    [person] = parse(text, organization=resolve)
    assert person.organization == "Massachusetts General Hospital"
    bad = f"{HEADER}\nAna,6175550101,RN,Mass Gen,en\n"
    assert errors_of(bad, organization=resolve) == [
        "row 2: organization 'Mass Gen' is new but looks like 'MGH'"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "header: missing required column(s) name, phone, role, organization, languages"),
        ("name,phone,role\nAna,6175550101,RN\n", "header: missing required column(s) organiz"),
        (f"{HEADER},time_zone\n", "header: unknown column(s) 'time_zone' (optional columns are"),
        (f"{HEADER},phone\n", "header: column(s) phone appear more than once"),
        (f"{HEADER}\n\n", "no supporters: the file has a header but no rows"),
    ],
)
def test_file_level_problems_are_one_clear_error(text: str, expected: str) -> None:
    [error] = errors_of(text)
    assert error.startswith(expected)


def test_parse_supporter_checks_like_a_row() -> None:
    fields = {"name": "Ana", "phone": "6175550101", "role": "NP", "organization": "BMC"}
    person = parse_supporter(
        {**fields, "languages": "en;es", "schedule": "Sat 10:00-14:00", "timezone": ""},
        phone=to_e164,
    )
    assert (person.role, person.languages, person.schedule) == (
        "app",
        ("en", "es"),
        [[5, "10:00", "14:00"]],
    )
    assert person.timezone == DEFAULT_TIMEZONE
    with pytest.raises(InvalidRoster) as caught:
        parse_supporter({**fields, "languages": ""}, phone=to_e164, taken=lambda _: "taken")
    assert caught.value.errors == ["languages is empty", "phone number is taken"]
