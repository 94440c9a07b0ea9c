"""Export -> import -> export round-trips a whole consultation."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from consulta.web.consultations.models import Consultation
from consulta.web.interchange import (
    GENERATED_FIELDS,
    InterchangeError,
    export_consultations,
    import_consultations,
)
from consulta.web.outreach.models import Invitation, MessageTemplate
from consulta.web.respond.models import TypedOrganisation
from consulta.web.responses.models import Answer, Respondent, Response
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person

SUBMITTED = datetime(2026, 2, 10, 12, 30, 15, 123456, tzinfo=UTC)


def without_generated(document: dict) -> dict:
    return {k: v for k, v in document.items() if k not in GENERATED_FIELDS}


@pytest.fixture
def filled(consultation):
    """Policing A with audiences, an anonymous and an identified response, and a parent org."""
    internal, partners = consultation.phases.order_by("position")
    ambulance = Organisation.objects.get(name="Eastvale Ambulance Service")
    trust = Organisation.objects.create(consultation=consultation, name="Eastvale NHS Trust",
                                        sector="public", type="NHS trust")
    ambulance.parent = trust
    ambulance.save()
    dana = Person.objects.get(email="dana@eastvale-ambulance.example")
    AudienceMember.objects.create(phase=partners, person=dana)
    AudienceMember.objects.create(phase=partners, organisation=trust)
    anonymous = Response.objects.create(
        phase=internal, status="submitted", submitted_at=SUBMITTED, consent="anonymous",
        role=consultation.roles.get(name="police officer"), channel="paper",
    )
    Answer.objects.create(response=anonymous, question=internal.questions.get(key="challenges"),
                          text="Too few officers on nights.\n\n=SUM(A1) stays text")
    named = Response.objects.create(
        phase=partners, status="submitted", submitted_at=SUBMITTED, consent="full",
        organisation=ambulance, on_behalf=True,
    )
    Respondent.objects.create(response=named, person=dana, name=dana.name, email=dana.email)
    Answer.objects.create(response=named, question=partners.questions.get(key="trust"),
                          text="Share what you learn — Café £5 <b>bold</b>")
    Answer.objects.create(response=named, question=partners.questions.get(key="priority"),
                          choices=["Prevention"])
    Response.objects.create(phase=partners, status="draft")
    withdrawn = Response.objects.create(
        phase=partners, status="withdrawn", submitted_at=SUBMITTED, withdrawn_reason="Sent twice",
        organisation_name="Westvale Youth Club",
    )
    TypedOrganisation.objects.create(response=withdrawn, sector="voluntary", type="Charity")
    Invitation.objects.create(phase=partners, person=dana, organisation=ambulance, response=named,
                              sent_at=SUBMITTED, send_count=1, opened_at=SUBMITTED,
                              started_at=SUBMITTED, submitted_at=SUBMITTED)
    sam = Person.objects.get(email="sam@safestreets.example")
    Invitation.objects.create(phase=partners, person=sam, bounced_at=SUBMITTED,
                              bounce_reason="550 5.1.1 No such user")
    MessageTemplate.objects.create(phase=partners, kind="invitation", subject="Have your say",
                                   body="Dear {name}, {link}")
    return consultation


def test_it_round_trips_through_an_empty_database(filled):
    first = export_consultations(["policing-a"])
    Consultation.objects.all().delete()
    assert Response.objects.count() == 0

    import_consultations(copy.deepcopy(first))
    second = export_consultations(["policing-a"])

    assert without_generated(second) == without_generated(first)


def test_it_keeps_what_respondents_typed_and_why_a_response_was_withdrawn(filled):
    first = export_consultations(["policing-a"])
    Consultation.objects.all().delete()
    import_consultations(copy.deepcopy(first))
    withdrawn = Response.objects.get(status="withdrawn")
    assert (withdrawn.withdrawn_reason, withdrawn.organisation_name) == (
        "Sent twice", "Westvale Youth Club")
    assert (withdrawn.typed_organisation.sector, withdrawn.typed_organisation.type) == (
        "voluntary", "Charity")


def test_it_keeps_only_the_day_of_anonymous_answers_from_a_document(filled):
    document = export_consultations(["policing-a"])
    [item] = document["consultations"]
    [anonymous] = item["phases"][0]["responses"]
    anonymous["submitted_at"] = anonymous["created_at"] = "2026-02-10T12:30:15.123456+00:00"
    Consultation.objects.all().delete()
    import_consultations(document)
    response = Response.objects.get(phase__position=1)
    assert response.submitted_at == response.created_at == datetime(2026, 2, 10, tzinfo=UTC)


def test_it_exports_the_documented_shape(filled):
    [item] = export_consultations(["policing-a"])["consultations"]
    assert {"slug", "title", "organisations", "phases"} <= item.keys()
    assert {"name", "sector", "type"} <= item["organisations"][0].keys()
    partners = item["phases"][1]
    assert {"name", "audience", "questions", "responses"} <= partners.keys()
    assert {"title", "context"} <= partners["questions"][0].keys()
    submitted = next(r for r in partners["responses"] if r["status"] == "submitted")
    assert {"reference", "status", "submitted_at", "organisation", "answers"} <= submitted.keys()
    assert submitted["organisation"] == "Eastvale Ambulance Service"
    assert submitted["answers"][0] == {
        "question": "trust", "text": "Share what you learn — Café £5 <b>bold</b>", "choices": []
    }


def test_it_carries_invitation_states_but_not_their_links(filled):
    [item] = export_consultations(["policing-a"])["consultations"]
    invitations = item["phases"][1]["invitations"]
    assert [i["person"]["email"] for i in invitations] == [
        "dana@eastvale-ambulance.example", "sam@safestreets.example"]
    assert invitations[0]["response"] == Response.objects.get(respondent__isnull=False).reference
    assert invitations[1]["bounce_reason"] == "550 5.1.1 No such user"
    assert "token" not in str(invitations)
    assert item["phases"][1]["message_templates"][0]["subject"] == "Have your say"


def test_it_keeps_anonymous_responses_unlinked(filled):
    [item] = export_consultations(["policing-a"])["consultations"]
    [anonymous] = item["phases"][0]["responses"]
    assert anonymous["respondent"] is None and anonymous["organisation"] is None
    assert anonymous["role"] == "police officer"


def test_it_exports_every_consultation_without_a_slug(consultation, other_consultation):
    slugs = [c["slug"] for c in export_consultations()["consultations"]]
    assert slugs == ["policing-a", "policing-b"]


def test_it_names_an_unknown_slug(consultation):
    with pytest.raises(Consultation.DoesNotExist, match="nope"):
        export_consultations(["nope"])


def test_it_refuses_an_existing_slug_and_writes_nothing(filled):
    document = export_consultations(["policing-a"])
    before = Organisation.objects.count()
    with pytest.raises(InterchangeError, match="already exists"):
        import_consultations(document)
    assert Organisation.objects.count() == before


def test_it_writes_nothing_when_a_late_part_is_broken(filled):
    document = export_consultations(["policing-a"])
    Consultation.objects.all().delete()
    document["consultations"][0]["phases"][1]["responses"][0]["answers"][0]["question"] = "nope"
    with pytest.raises(InterchangeError, match="unknown question 'nope'"):
        import_consultations(document)
    assert Consultation.objects.count() == 0 and Organisation.objects.count() == 0


@pytest.mark.parametrize(
    "document, message",
    [
        ({}, "Not a Consulta export"),
        ({"format": "consulta-export", "format_version": 99}, "Unsupported format_version"),
        ({"format": "consulta-export", "format_version": 1}, 'missing "consultations"'),
    ],
)
def test_it_refuses_documents_that_are_not_exports(db, document, message):
    with pytest.raises(InterchangeError, match=message):
        import_consultations(document)


def test_it_refuses_a_respondent_in_an_anonymous_phase(filled):
    document = export_consultations(["policing-a"])
    Consultation.objects.all().delete()
    response = document["consultations"][0]["phases"][0]["responses"][0]
    response["respondent"] = {"name": "Someone", "email": "", "linked_to_person": False}
    with pytest.raises(InterchangeError, match="anonymous phase"):
        import_consultations(document)
