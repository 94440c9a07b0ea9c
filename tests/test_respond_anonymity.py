"""After an anonymous response is submitted, nothing in the database links it to a person, an
invitation, an IP address or a session: every table is searched. Also followed: the personal
invitation route, drafting, colleagues writing together, an export taken while the draft was
open, and the organisers' pages. The files on disk are searched in test_anonymity_on_disk.py."""

from __future__ import annotations

import json
import re
from datetime import UTC, time

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.urls import reverse

from consulta.web.consultations.models import Phase, Question
from consulta.web.interchange.exporter import export_consultations
from consulta.web.outreach.models import Invitation, InvitationToken
from consulta.web.respond.models import TypedOrganisation
from consulta.web.responses.models import Answer, Respondent, Response
from consulta.web.stakeholders.models import Organisation, Person
from consulta.web.tokens import hash_token
from test_respond_support import (
    CLIENT_IP,
    begin,
    begin_invited,
    invite,
    page,
    save,
    token_in,
    url,
)

RETURN_ADDRESS = "night-shift@staff.example"


def every_row():
    """(model, row, {field name: value as text}) for every row of every table."""
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        for row in model._default_manager.all():
            yield model, row, {f.name: str(f.value_from_object(row)) for f in fields}


def links_to(model, row, values: dict, response: Response) -> bool:
    """Whether a row points at the response (a foreign key, or an audit entry about it)."""
    for field in model._meta.concrete_fields:
        if (isinstance(field, models.ForeignKey) and field.related_model is Response
                and values[field.name] == str(response.pk)):
            return True
    return model is Response and row.pk == response.pk


def answer_everything(client: Client, token: str, phase) -> None:
    save(client, token, 1, "Shift patterns break people.")
    save(client, token, 2, "Custody suite teamwork.")
    role = phase.consultation.roles.get(name="police staff")
    assert client.post(url("about-save", token), {"role": role.pk}).status_code == 303
    assert client.post(url("consent-save", token), {"consent": "anonymous"}).status_code == 303
    # Asking for a return link uses an address: it must not be kept.
    sent = client.post(url("return-link-send", token), {"email": RETURN_ADDRESS})
    assert sent.status_code == 303
    assert client.post(url("submit", token)).status_code == 303


IDENTITY_MODELS = {Invitation, InvitationToken, Person, Respondent}
# What a response is made of: its answers, and the organisation as the respondent typed it.
RESPONSE_MODELS = {Response, Answer, TypedOrganisation}


def assert_nothing_links(response: Response, client: Client, *, secrets: list[str],
                         identity: list[str] = ()) -> None:
    """``secrets`` may be nowhere at all; ``identity`` (who was invited) nowhere in a row that
    points at the response; and no row but the response's own answers may point at it."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    secrets = [*secrets, cookie.value] if cookie else list(secrets)
    for model, row, values in every_row():
        text = " ".join(values.values())
        for secret in secrets:
            assert secret not in text, f"{model.__name__} {row.pk} holds {secret!r}"
        if response.reference in text:
            assert model is Response, f"{model.__name__} {row.pk} names the response"
        if not links_to(model, row, values, response):
            continue
        assert model in RESPONSE_MODELS, f"{model.__name__} {row.pk} points at the response"
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model in IDENTITY_MODELS:
                assert values[field.name] == "None", f"{model.__name__}.{field.name} is set"
        for mark in identity:
            assert mark not in text, f"{model.__name__} {row.pk} holds {mark!r}"
    assert not Session.objects.exists()


def test_it_keeps_no_trace_of_a_staff_link_respondent(internal_phase):
    client = Client(REMOTE_ADDR=CLIENT_IP)
    start = reverse("respond:phase-start", kwargs={"slug": "policing-a", "number": 1})
    page(client, f"{start}?key={internal_phase.access_key}")
    token = begin(client, internal_phase, 1, key=internal_phase.access_key)
    answer_everything(client, token, internal_phase)

    response = Response.objects.get()
    assert response.status == Response.Status.SUBMITTED and response.answers.count() == 2
    assert settings.SESSION_COOKIE_NAME not in client.cookies  # the journey made no session
    assert_nothing_links(response, client,
                         secrets=[token, hash_token(token), CLIENT_IP, RETURN_ADDRESS])


def test_it_keeps_no_trace_of_a_personal_link_respondent(internal_phase, mailoutbox):
    client = Client(REMOTE_ADDR=CLIENT_IP)
    officer = Person.objects.create(consultation=internal_phase.consultation,
                                    name="Constable Morgan", email="morgan@police.example")
    invitation, invitation_token = invite(internal_phase, officer)
    page(client, reverse("respond:invitation", kwargs={"token": invitation_token}))
    token = begin_invited(client, invitation_token)
    invitation.refresh_from_db()
    assert invitation.response is not None  # linked while a draft...
    draft_reference = invitation.response.reference
    answer_everything(client, token, internal_phase)

    response = Response.objects.get()
    invitation.refresh_from_db()
    assert invitation.response is None  # ...and no longer once submitted
    assert invitation.status == Invitation.Status.SUBMITTED
    for moment in (invitation.opened_at, invitation.started_at, invitation.submitted_at):
        # Only the day is kept: the invitation cannot be matched to the response by time.
        assert moment.astimezone(UTC).timetz() == time(0, tzinfo=UTC)
    assert not hasattr(response, "respondent") or response.respondent is None
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert [m.to for m in mailoutbox] == [[RETURN_ADDRESS]]  # the return link; no receipt
    assert not Response.objects.filter(invitations=invitation).exists()
    assert_nothing_links(
        response, client,
        secrets=[token, hash_token(token), CLIENT_IP, RETURN_ADDRESS, draft_reference],
        identity=[invitation_token, hash_token(invitation_token), officer.email, officer.name],
    )


def test_it_would_find_a_trace_if_one_were_left(internal_phase):
    """The search itself works: a draft still holds its link, and the test says so."""
    client = Client(REMOTE_ADDR=CLIENT_IP)
    token = begin(client, internal_phase, 1, key=internal_phase.access_key)
    with pytest.raises(AssertionError, match="DraftAccess"):
        assert_nothing_links(Response.objects.get(), client, secrets=[hash_token(token)])


# --- Invited partners of an anonymous phase: drafting, co-authoring, exports, pages ---------

COLLEAGUE_IP = "203.0.113.77"
DANA_SAYS = "Handovers at the hospital door take hours."
COLLEAGUE_SAYS = "Share the call data with us."


@pytest.fixture
def anonymous_partners(partner_phase):
    partner_phase.anonymity = Phase.Anonymity.ANONYMOUS
    partner_phase.save()
    return partner_phase


def at_midnight(moment) -> bool:
    return moment.astimezone(UTC).timetz() == time(0, tzinfo=UTC)


def dana_starts(phase) -> tuple[Client, Invitation, str, str]:
    """Dana (Eastvale Ambulance Service) opens her invitation and starts a draft."""
    dana = Person.objects.get(name="Dana Okafor")
    invitation, invitation_token = invite(phase, dana)
    client = Client(REMOTE_ADDR=CLIENT_IP)
    page(client, reverse("respond:invitation", kwargs={"token": invitation_token}))
    return client, invitation, invitation_token, begin_invited(client, invitation_token)


def submit_and_confirm(client: Client, token: str) -> str:
    assert client.post(url("consent-save", token), {"consent": "anonymous"}).status_code == 303
    done = client.post(url("submit", token))
    assert done.status_code == 303
    return page(client, done["Location"])


def assert_export_pairs_nothing(document: dict, phase_number: int, marks: list[str]) -> None:
    """No draft, no invitation naming a response, no time finer than the day in ``phase``."""
    (consultation,) = document["consultations"]
    phase = next(p for p in consultation["phases"] if p["number"] == phase_number)
    assert all(item["status"] != "draft" for item in phase["responses"])
    for invitation in phase["invitations"]:
        assert invitation["response"] is None
        for field in ("opened_at", "started_at", "submitted_at"):
            assert invitation[field] is None or invitation[field].endswith("T00:00:00Z"), field
    for item in phase["responses"]:
        assert item["created_at"].endswith("T00:00:00Z")
        assert item["submitted_at"].endswith("T00:00:00Z")
    text = json.dumps(document)
    for mark in marks:
        assert mark not in text, f"the export holds {mark!r}"


def test_it_keeps_no_trace_of_an_invited_partner_and_their_colleague(anonymous_partners,
                                                                    mailoutbox):
    client, invitation, invitation_token, token = dana_starts(anonymous_partners)
    draft = Response.objects.get()
    invitation.refresh_from_db()
    # Her invitation's organisation is not copied onto the draft, and no time is exact.
    assert draft.organisation is None and draft.organisation_name == ""
    assert all(at_midnight(m) for m in (draft.created_at, invitation.opened_at,
                                         invitation.started_at))
    assert save(client, token, 1, DANA_SAYS).status_code == 303
    # She chooses to say which organisation: kept as she typed it, linked to nothing.
    client.post(url("about-save", token), {
        "organisation": "Eastvale Ambulance Service", "sector": "public", "on_behalf": "yes"})
    check = page(client, url("check", token))
    assert "Eastvale Ambulance Service" in check and ">Public<" in check
    shared = client.post(url("share", token))
    assert "colleagues at Eastvale Ambulance Service" in shared.content.decode()
    colleague_token = token_in(shared.content.decode().split('id="shared-link">')[1])
    colleague = Client(REMOTE_ADDR=COLLEAGUE_IP)
    assert save(colleague, colleague_token, 2, COLLEAGUE_SAYS).status_code == 303

    during = export_consultations(["policing-a"])  # taken while the draft is open
    confirmation = submit_and_confirm(client, token)

    response = Response.objects.get()
    assert response.reference != draft.reference and response.reference in confirmation
    assert draft.reference not in confirmation
    assert response.organisation is None
    assert response.organisation_name == "Eastvale Ambulance Service"
    assert all(at_midnight(m) for m in (response.created_at, response.submitted_at))
    assert all(at_midnight(answer.updated_at) for answer in response.answers.all())
    invitation.refresh_from_db()
    assert invitation.response is None and at_midnight(invitation.submitted_at)
    dana = invitation.person
    assert_nothing_links(
        response, client,
        secrets=[token, hash_token(token), colleague_token, hash_token(colleague_token),
                 CLIENT_IP, COLLEAGUE_IP, draft.reference],
        identity=[invitation_token, hash_token(invitation_token), dana.email, dana.name],
    )
    assert not mailoutbox  # no receipt in an anonymous phase
    # The export taken during the draft pairs the invitation with nothing that was submitted,
    # and the one taken afterwards pairs it with nothing either.
    assert_export_pairs_nothing(during, 2, [draft.reference, response.reference, DANA_SAYS,
                                            COLLEAGUE_SAYS])
    after = export_consultations(["policing-a"])
    assert_export_pairs_nothing(after, 2, [draft.reference])
    assert response.reference in json.dumps(after)


def test_it_keeps_the_invited_organisation_in_identified_phases(partner_phase):
    client, invitation, _, token = dana_starts(partner_phase)
    draft = Response.objects.get()
    assert draft.organisation == invitation.organisation and not at_midnight(draft.created_at)
    client.post(url("about-save", token), {
        "organisation": "Eastvale Ambulance Service", "sector": "public", "on_behalf": "yes"})
    draft.refresh_from_db()
    assert draft.organisation == invitation.organisation and draft.organisation_name == ""


def test_it_adds_no_organisation_however_often_the_public_saves(public_phase):
    client = Client(REMOTE_ADDR=CLIENT_IP)
    token = begin(client, public_phase, 3)
    before = Organisation.objects.count()
    for n in range(50):
        answered = client.post(url("about-save", token), {
            "organisation": "Safe Streets Trust" if n % 2 else f"Spam Ltd {n}",
            "sector": "private", "organisation_type": "business", "on_behalf": "yes"})
        assert answered.status_code == 303
    assert Organisation.objects.count() == before
    draft = Response.objects.get()
    assert draft.organisation is None and draft.organisation_name == "Safe Streets Trust"
    assert TypedOrganisation.objects.get().sector == "private"


WHEN_TO_THE_MINUTE = re.compile(r"\b\d{1,2}:\d{2}\b")


def row_of(html: str, mark: str) -> str:
    """The table row of a page that holds ``mark``."""
    rows = re.findall(r"<tr\b.*?</tr>", html, flags=re.DOTALL)
    (found,) = [row for row in rows if mark in row]
    return found


def test_it_shows_organisers_counts_not_who(public_phase, organiser):
    public_phase.anonymity = Phase.Anonymity.ANONYMOUS
    public_phase.save()
    Question.objects.filter(phase=public_phase, required=True).update(required=False)
    client, invitation, _, token = dana_starts(public_phase)
    save(client, token, 1, DANA_SAYS)
    submit_and_confirm(client, token)
    back_office = Client()
    back_office.force_login(organiser)

    invitations = page(back_office, reverse("outreach:invitations", args=["policing-a", 3]))
    dana_row = row_of(invitations, "Dana Okafor")  # she was invited: that is not a secret...
    for status in ("Submitted", "Started", "Opened"):  # ...but how far she went is
        assert status not in dana_row
    assert re.search(r"Submitted</th>\s*<td[^>]*>1<", invitations)  # counted, not named
    assert "even the counts can point at who responded" in invitations  # one invited
    monitoring = page(back_office, reverse("outreach:monitoring", args=["policing-a"]))
    assert "Dana" not in monitoring and invitation.person.email not in monitoring
    assert "Fewer than 10 people were invited to this anonymous phase" in monitoring
    responses = page(back_office, reverse("responses:index", args=["policing-a"]))
    reference = Response.objects.get().reference
    assert reference in responses
    response_row = row_of(responses, reference)
    assert "Eastvale" not in response_row and DANA_SAYS not in response_row
    assert not WHEN_TO_THE_MINUTE.search(response_row), response_row


def test_it_would_find_a_pairing_left_in_an_export(anonymous_partners):
    """The export check works: an invitation that still names its draft is caught."""
    client, _, _, token = dana_starts(anonymous_partners)
    save(client, token, 1, DANA_SAYS)
    document = export_consultations(["policing-a"])
    (consultation,) = document["consultations"]
    phase = next(p for p in consultation["phases"] if p["number"] == 2)
    phase["invitations"][0]["response"] = Response.objects.get().reference  # a trace
    with pytest.raises(AssertionError):
        assert_export_pairs_nothing(document, 2, [])
