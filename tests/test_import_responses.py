"""Importing responses collected elsewhere into a phase."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest
from auditlog.models import LogEntry

from consulta.web.consultations.models import Question
from consulta.web.imports import ImportRefused
from consulta.web.responses.importer import import_responses
from consulta.web.responses.models import Answer, Respondent, Response
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person

MODELS = [Organisation, Person, AudienceMember, Response, Answer, Respondent, LogEntry]


def as_csv(*rows: list[str], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def refused(phase, data: bytes, filename: str = "responses.csv"):
    before = snapshot()
    with pytest.raises(ImportRefused) as caught:
        import_responses(phase, data, filename)
    assert snapshot() == before, "a refused import changed the database"
    return caught.value.report


def where(report) -> set[tuple[int | None, str]]:
    return {(problem.row, problem.column) for problem in report.errors}


@pytest.fixture
def internal(consultation):
    return consultation.phases.get(position=1)


@pytest.fixture
def partners(consultation):
    return consultation.phases.get(position=2)


def answers_of(response: Response) -> dict[str, tuple[str, list[str]]]:
    answers = response.answers.select_related("question")
    return {answer.question.key: (answer.text, answer.choices) for answer in answers}


def test_it_imports_identified_responses(partners):
    data = as_csv(
        ["reference", "respondent", "email", "organisation", "on_behalf", "consent", "role",
         "submitted_at", "channel", "trust", "partnership", "priority"],
        ["PAPER-001", "Dana Okafor", "dana@eastvale-ambulance.example",
         "eastvale ambulance service", "yes", "in full", "Senior Leader", "2026-02-10 14:30",
         "paper", "Keep promises.", "Share data.", "prevention"],
    )
    report = import_responses(partners, data, "responses.csv")
    response = Response.objects.get(reference="PAPER-001")
    assert (response.phase, response.status, response.channel) == (partners, "submitted", "paper")
    assert (response.consent, response.on_behalf, response.role.name) == \
        ("full", True, "senior leader")
    assert response.organisation.name == "Eastvale Ambulance Service"
    assert response.submitted_at == datetime(2026, 2, 10, 14, 30, tzinfo=UTC)
    assert answers_of(response) == {"trust": ("Keep promises.", []),
                                    "partnership": ("Share data.", []),
                                    "priority": ("", ["Prevention"])}
    respondent = response.respondent
    assert respondent.person == Person.objects.get(email="dana@eastvale-ambulance.example")
    assert report.counts["responses created"] == 1


def test_it_defaults_channel_consent_and_submission_time(partners):
    before = datetime.now(UTC)
    import_responses(partners, as_csv(["trust"], ["Listen more."]), "r.csv", channel="email")
    response = Response.objects.get(phase=partners)
    assert (response.channel, response.consent, response.on_behalf) == ("email", "none", False)
    assert response.submitted_at >= before
    assert not Respondent.objects.exists()
    assert len(response.reference) == 9  # a generated XXXX-XXXX reference


def test_it_matches_question_titles_ignoring_case_and_spacing(partners):
    data = as_csv(["  how can the SERVICE   build trust? ", "Which matters most?"],
                  ["Be visible.", "Response"])
    import_responses(partners, data, "r.csv")
    assert answers_of(Response.objects.get()) == {"trust": ("Be visible.", []),
                                                  "priority": ("", ["Response"])}


def test_it_reads_each_encoding_and_excel(partners):
    text = "Café £5 – ‘quoted’"
    import_responses(partners, as_csv(["trust"], [text], encoding="cp1252"), "a.csv")
    import_responses(partners, as_csv(["trust"], [text + " 2"], encoding="utf-8-sig"), "b.csv")
    book = openpyxl.Workbook()
    book.active.append(["trust"])
    book.active.append([text + " 3"])
    buffer = io.BytesIO()
    book.save(buffer)
    import_responses(partners, buffer.getvalue(), "c.xlsx")
    assert sorted(Answer.objects.values_list("text", flat=True)) == \
        [text, text + " 2", text + " 3"]


def test_it_stores_formula_like_answers_verbatim(partners):
    values = ["=1+1", "+44 20", "-5", "@SUM(A1)"]
    book = openpyxl.Workbook()
    book.active.append(["trust", "partnership"])
    for value in values:
        book.active.append([value, f"{value} again"])
    buffer = io.BytesIO()
    book.save(buffer)
    import_responses(partners, buffer.getvalue(), "formulas.xlsx")
    stored = set(Answer.objects.filter(question__key="trust").values_list("text", flat=True))
    assert stored == set(values)


def test_it_refuses_unknown_columns_listing_accepted_names(partners):
    report = refused(partners, as_csv(["trust", "postcode"], ["Listen.", "N1 1AA"]))
    assert "“postcode”" in report.errors[0].problem
    assert "submitted_at" in report.errors[0].problem and "priority" in report.errors[0].problem


def test_it_refuses_a_file_without_question_columns(partners):
    report = refused(partners, as_csv(["respondent", "email"], ["Jo", "jo@example.org"]))
    assert "question" in report.errors[0].problem


def test_it_refuses_a_file_missing_a_required_question(partners):
    report = refused(partners, as_csv(["partnership"], ["Share data."]))
    assert where(report) == {(None, "trust")}


def test_it_refuses_identity_columns_in_an_anonymous_phase(internal):
    for column in ["respondent", "email", "Organisation"]:
        report = refused(internal, as_csv(["challenges", column], ["Staffing.", "x"]))
        assert "anonymous" in report.errors[0].problem


def test_it_imports_anonymous_responses_without_identity(internal):
    data = as_csv(["challenges", "working_well", "role", "consent"],
                  ["Staffing.", "Teamwork.", "police officer", "anonymously"])
    import_responses(internal, data, "staff.csv")
    response = Response.objects.get(phase=internal)
    assert (response.role.name, response.consent) == ("police officer", "anonymous")
    assert not Respondent.objects.exists()
    assert response.organisation is None


def test_it_refuses_bad_cells_row_by_row(partners):
    Question.objects.filter(phase=partners, key="partnership").update(max_length=20)
    data = as_csv(
        ["trust", "partnership", "priority", "consent", "on_behalf", "role", "submitted_at",
         "channel", "email"],
        ["Fine.", "", "", "", "", "", "", "", ""],                                 # row 2
        ["", "x", "", "", "", "", "", "", ""],                                      # row 3
        ["Fine.", "", "Everything", "", "", "", "", "", ""],                        # row 4
        ["Fine.", "This answer is far too long", "", "", "", "", "", "", ""],       # row 5
        ["Fine.", "", "", "maybe", "", "", "", "", ""],                             # row 6
        ["Fine.", "", "", "", "sometimes", "", "", "", ""],                         # row 7
        ["Fine.", "", "", "", "", "chief", "", "", ""],                             # row 8
        ["Fine.", "", "", "", "", "", "10/02/2026", "", ""],                        # row 9
        ["Fine.", "", "", "", "", "", "2098-01-01", "", ""],                        # row 10
        ["Fine.", "", "", "", "", "", "", "pigeon", ""],                            # row 11
        ["Fine.", "", "", "", "", "", "", "", "not-an-email"],                      # row 12
    )
    report = refused(partners, data)
    assert where(report) == {
        (3, "trust"), (4, "priority"), (5, "partnership"), (6, "consent"), (7, "on_behalf"),
        (8, "role"), (9, "submitted_at"), (10, "submitted_at"), (11, "channel"), (12, "email"),
    }
    too_long = next(p for p in report.errors if p.row == 5)
    assert "27 characters" in too_long.problem


def test_it_never_truncates_long_text(partners):
    Question.objects.filter(phase=partners, key="trust").update(max_length=5)
    refused(partners, as_csv(["trust"], ["123456"]))
    assert not Answer.objects.exists()


def test_it_reads_multiple_choice_answers(partners):
    Question.objects.create(phase=partners, position=4, key="channels",
                            kind=Question.Kind.MULTIPLE_CHOICE, title="How do you hear from us?",
                            options=["Email", "Meetings", "Social media"])
    import_responses(partners, as_csv(["trust", "channels"], ["Fine.", "meetings; Email;email"]),
                     "r.csv")
    assert Answer.objects.get(question__key="channels").choices == ["Meetings", "Email"]
    report = refused(partners, as_csv(["trust", "channels"], ["Fine.", "Email;Carrier pigeon"]))
    assert "“Carrier pigeon”" in report.errors[0].problem


def test_it_refuses_a_duplicate_respondent_in_the_file(partners):
    data = as_csv(["trust", "email"], ["One.", "jo@example.org"], ["Two.", "JO@example.org"])
    report = refused(partners, data)
    assert where(report) == {(3, "email")}
    assert "row 2" in report.errors[0].problem


def test_it_refuses_a_respondent_who_already_responded_in_the_phase(partners):
    import_responses(partners, as_csv(["trust", "email"], ["One.", "jo@example.org"]), "a.csv")
    report = refused(partners, as_csv(["trust", "email"], ["Two.", "Jo@Example.org"]))
    assert where(report) == {(2, "email")}


def test_it_refuses_a_reference_that_exists_or_repeats(partners):
    import_responses(partners, as_csv(["reference", "trust"], ["P-1", "One."]), "a.csv")
    report = refused(partners, as_csv(["reference", "trust"], ["P-1", "Two."], ["P-2", "Three."],
                                      ["P-2", "Four."]))
    assert where(report) == {(2, "reference"), (4, "reference")}


def test_it_creates_a_new_organisation_only_when_a_sector_is_given(partners):
    report = refused(partners, as_csv(["trust", "organisation"], ["One.", "Unknown Org"]))
    assert where(report) == {(2, "organisation")}
    data = as_csv(["trust", "organisation", "sector", "type"],
                  ["One.", "Northshire Faith Forum", "Voluntary and community",
                   "faith organisation"],
                  ["Two.", "northshire faith forum", "", ""])
    report = import_responses(partners, data, "r.csv")
    forum = Organisation.objects.get(name="Northshire Faith Forum")
    assert (forum.sector, forum.type) == ("voluntary", "faith organisation")
    assert Response.objects.filter(organisation=forum).count() == 2
    assert report.counts["organisations created"] == 1


def test_it_skips_rows_without_answers_with_a_warning(partners):
    data = as_csv(["trust", "partnership", "consent"],
                  ["One.", "", ""], ["", "", "in full"], ["Two.", "", ""])
    report = import_responses(partners, data, "r.csv")
    assert Response.objects.count() == 2
    assert [(p.row, "skipped" in p.problem) for p in report.warnings] == [(3, True)]


def test_it_imports_exact_duplicates_but_warns(partners):
    first = import_responses(partners, as_csv(["reference", "trust"], ["OLD-1", "Same words."]),
                             "a.csv")
    assert not first.warnings
    data = as_csv(["trust", "partnership"],
                  ["  same   WORDS. ", ""], ["Other words.", "x"], ["Other  words.", "X"])
    report = import_responses(partners, data, "b.csv")
    assert Response.objects.count() == 4
    messages = {p.row: p.problem for p in report.warnings}
    assert "OLD-1" in messages[2]
    assert "row 3" in messages[4]
    assert 3 not in messages
    assert report.counts["exact duplicates"] == 2


def test_it_rejects_an_unknown_channel_argument(partners):
    with pytest.raises(ValueError):
        import_responses(partners, as_csv(["trust"], ["One."]), "r.csv", channel="fax")


def test_it_refuses_an_oversized_file(partners):
    with pytest.raises(ImportRefused) as caught:
        import_responses(partners, b"trust\n" + b"a" * 3000, "r.csv", max_bytes=2000)
    assert "limit" in caught.value.report.errors[0].problem
    assert not Response.objects.exists()


def test_it_does_not_flag_the_same_choices_alone_as_duplicates(partners):
    Question.objects.filter(phase=partners, key="trust").update(required=False)
    data = as_csv(["priority", "partnership"], ["Response", ""], ["response", ""])
    report = import_responses(partners, data, "a.csv")
    assert not report.warnings
    assert Answer.objects.filter(choices=["Response"]).count() == 2


def test_it_knows_a_respondent_by_their_linked_person(partners):
    dana = Person.objects.get(email="dana@eastvale-ambulance.example")
    earlier = Response.objects.create(phase=partners, status=Response.Status.SUBMITTED)
    Respondent.objects.create(response=earlier, person=dana)  # answered on the web, no email kept
    report = refused(partners, as_csv(["trust", "email"], ["Again.", dana.email]))
    assert "already has a submitted response" in report.errors[0].problem
