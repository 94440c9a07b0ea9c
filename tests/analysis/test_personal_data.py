"""Personal data in quotes: each kind is found, look-alikes are not, and redaction reads well."""

from __future__ import annotations

import itertools

import pytest

from consulta.analysis import find_personal_data, redact
from consulta.analysis.personal_data import nhs_number_ok


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_personal_data(text)]


@pytest.mark.parametrize("text, found", [
    ("Write to j.okafor@example.com please.", ("email", "j.okafor@example.com")),
    ("Ring me on 07700 900123 after six.", ("phone", "07700 900123")),
    ("Our number is (020) 7946 0321.", ("phone", "(020) 7946 0321")),
    ("Tel: +44 (0)20 7946 0555", ("phone", "+44 (0)20 7946 0555")),
    ("Call 0161-496-0123 for the team.", ("phone", "0161-496-0123")),
    ("I live in SW9 8QA near the station.", ("postcode", "SW9 8QA")),
    ("My postcode is se115rq.", ("postcode", "se115rq")),
    ("Dealing goes on outside 112 Coldharbour Lane every night.",
     ("address", "112 Coldharbour Lane")),
    ("My NHS number is 943 476 5919.", ("nhs_number", "943 476 5919")),
    ("The officer, PC 1234AB, was kind.", ("collar_number", "PC 1234AB")),
    ("His collar number was 3127 and he was rude.", ("collar_number", "3127")),
    ("DC 456 kept us informed.", ("collar_number", "DC 456")),
    ("Cllr Helen Ward promised a crossing.", ("name", "Helen Ward")),
    ("My name is David Adeyemi and I live here.", ("name", "David Adeyemi")),
    ("I'm Fatima and I volunteer.", ("name", "Fatima")),
    ("Kind regards,\nAisha Bello", ("name", "Aisha Bello")),
    ("I spoke to Sarah Jenkins at the council.", ("name", "Sarah Jenkins")),
    ("Our neighbour Delroy keeps an eye on the flats.", ("name", "Delroy")),
])
def test_it_finds_each_kind(text, found):
    assert found in kinds(text)


@pytest.mark.parametrize("text", [
    "Road safety around the school should come first.",
    "The Station Road closure pushed traffic onto our street.",
    "In 2019 there were 45 burglaries; the council spent £250,000 on cameras.",
    "We meet at 7.30pm on 12/03/2024.",
    "My crime reference number is 4512345/24.",
    "Order number 7185950873 was for the radios.",  # ten digits, check digit fails
    "The PC in the front office crashes daily.",
    "Lambeth Council and the Met should share CCTV.",
    "I waited four hours at St Thomas' Hospital.",
    "Victoria Line trains are not safe at night.",
    "Call 999 in an emergency and 101 otherwise.",
    "I'm worried about my son.",
    "Kind regards to the whole team.",
])
def test_it_leaves_look_alikes_alone(text):
    assert kinds(text) == []


def test_it_checks_the_nhs_check_digit():
    assert nhs_number_ok("943 476 5919")
    assert not nhs_number_ok("943 476 5918")
    assert not nhs_number_ok("94347659")


def test_it_redacts_with_placeholders():
    text = ("Peter Walsh, 16 Elm Road, SE5 9HZ, 020 7946 0777, peter@example.org, "
            "NHS number 943 476 5919, and PC 3344KF was there.")
    assert redact(text) == ("[name], [address], [postcode], [phone], [email], "
                            "NHS number [NHS number], and [collar number] was there.")


def test_findings_never_overlap_and_an_email_is_not_a_name():
    findings = find_personal_data("Contact Neil Graham (neil.graham@example.org) on 07700 900444.")
    assert [f.kind for f in findings] == ["name", "email", "phone"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))


def test_redact_keeps_text_without_personal_data():
    text = "Response times of 15 minutes are not good enough."
    assert redact(text, []) == text == redact(text)
