"""Whole responses: an internal anonymous phase through the staff link, a partner phase
through an invitation, save and return, the return-link email, and sharing with colleagues."""

from __future__ import annotations

from django.urls import reverse

from consulta.web.consultations.models import Phase
from consulta.web.outreach.models import Invitation
from consulta.web.responses.models import Answer, DraftAccess, Respondent, Response
from consulta.web.stakeholders.models import Organisation, Person
from test_respond_support import (
    begin,
    begin_invited,
    invite,
    page,
    save,
    token_in,
    url,
)


def test_it_takes_staff_through_an_anonymous_internal_phase(respondent_client, internal_phase):
    client = respondent_client
    start = reverse("respond:phase-start", kwargs={"slug": "policing-a", "number": 1})
    html = page(client, f"{start}?key={internal_phase.access_key}")
    assert "Start now" in html and "What are the biggest challenges?" in html

    token = begin(client, internal_phase, 1, key=internal_phase.access_key)
    assert save(client, token, 1, "Too few officers on nights.")["Location"] == url(
        "question", token, position=2)
    assert save(client, token, 2, "Neighbourhood teams.")["Location"] == url("about", token)

    about = page(client, url("about", token))
    assert "What is your role?" in about and "senior leader" in about
    assert 'name="name"' not in about and "Your name" not in about  # never a name here
    assert 'name="organisation"' not in about
    officer = internal_phase.consultation.roles.get(name="police officer")
    assert client.post(url("about-save", token), {"role": officer.pk})["Location"] == url(
        "consent", token)

    consent = page(client, url("consent", token))
    assert "Yes, anonymously" in consent and "No, not at all" in consent
    assert "Yes, in full" not in consent  # an anonymous phase cannot publish names
    assert client.post(url("consent-save", token), {"consent": "anonymous"})["Location"] == url(
        "check", token)

    check = page(client, url("check", token))
    assert "Too few officers on nights." in check and "police officer" in check
    assert "Publish anonymously" in check
    done = client.post(url("submit", token))
    assert done.status_code == 303
    confirmation = page(client, done["Location"])

    response = Response.objects.get()
    assert response.reference in confirmation and "Response sent" in confirmation
    assert response.status == Response.Status.SUBMITTED and response.submitted_at
    assert response.role == officer and response.consent == Response.Consent.ANONYMOUS
    assert [a.text for a in response.answers.all()] == ["Too few officers on nights.",
                                                        "Neighbourhood teams."]
    assert not DraftAccess.objects.exists() and not Respondent.objects.exists()
    # The link is dead: a submitted response cannot be read or changed through it.
    assert client.get(url("check", token)).status_code == 404


def test_it_refuses_the_internal_phase_without_the_staff_key(client, internal_phase):
    start = reverse("respond:phase-start", kwargs={"slug": "policing-a", "number": 1})
    assert client.get(start).status_code == 404
    assert client.get(start + "?key=wrong").status_code == 404
    begin_url = reverse("respond:begin", kwargs={"slug": "policing-a", "number": 1})
    assert client.post(begin_url, {"key": "wrong"}).status_code == 404
    assert not Response.objects.exists()


def test_it_takes_an_invited_partner_through_to_a_receipt(
    respondent_client, partner_phase, mailoutbox, django_capture_on_commit_callbacks
):
    client = respondent_client
    dana = Person.objects.get(name="Dana Okafor")
    invitation, invitation_token = invite(partner_phase, dana)

    start = page(client, reverse("respond:invitation", kwargs={"token": invitation_token}))
    assert "Eastvale Ambulance Service" in start and "Start now" in start
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPENED

    token = begin_invited(client, invitation_token)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.STARTED and invitation.response_id
    draft_reference = invitation.response.reference

    save(client, token, 1, "Share data earlier.")
    save(client, token, 2, "Joint patrols.")
    save(client, token, 3, "Prevention")
    about = page(client, url("about", token))
    # Pre-filled from the invitation: the person's name and organisation.
    assert 'value="Dana Okafor"' in about and 'value="Eastvale Ambulance Service"' in about
    assert 'value="public" checked' in about
    client.post(url("about-save", token), {
        "name": "Dana Okafor", "organisation": "Eastvale Ambulance Service", "sector": "public",
        "organisation_type": "ambulance service", "on_behalf": "yes",
    })
    client.post(url("consent-save", token), {"consent": "full"})
    check = page(client, url("check", token))
    assert "Prevention" in check and "Dana Okafor" in check and "Publish in full" in check

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url("submit", token))
    assert "We have sent you a receipt by email" in page(client, done["Location"])

    response = Response.objects.get()
    assert response.organisation.name == "Eastvale Ambulance Service" and response.on_behalf
    assert response.respondent.person == dana and response.respondent.name == "Dana Okafor"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SUBMITTED
    assert invitation.response == response  # identified phase: the link stays
    [receipt] = mailoutbox
    assert receipt.to == ["dana@eastvale-ambulance.example"]
    everything = receipt.body + "".join(content for content, _ in receipt.alternatives)
    # A response's reference is new when it is sent: a draft's is never a response's.
    assert response.reference in everything and draft_reference not in everything
    assert response.reference != draft_reference


def test_it_reuses_the_draft_of_an_invitation(respondent_client, partner_phase):
    _invitation, invitation_token = invite(partner_phase, Person.objects.get(name="Sam Lee"))
    first = begin_invited(respondent_client, invitation_token)
    save(respondent_client, first, 1, "Started on Monday.")
    second = begin_invited(respondent_client, invitation_token)

    assert second != first and Response.objects.count() == 1
    # The new link leads to the same draft, at the first unanswered question.
    assert respondent_client.get(url("resume", second))["Location"] == url(
        "question", second, position=2)
    assert "Started on Monday." in page(respondent_client, url("question", second, position=1))
    html = page(respondent_client,
                reverse("respond:invitation", kwargs={"token": invitation_token}))
    assert "Continue" in html


def test_it_accepts_no_second_response_from_an_invitation(respondent_client, partner_phase):
    _invitation, invitation_token = invite(partner_phase, Person.objects.get(name="Sam Lee"))
    token = begin_invited(respondent_client, invitation_token)
    save(respondent_client, token, 1, "Trust.")
    respondent_client.post(url("about-save", token), {
        "organisation": "Safe Streets Trust", "sector": "voluntary", "on_behalf": "no"})
    respondent_client.post(url("submit", token))

    html = page(respondent_client,
                reverse("respond:invitation", kwargs={"token": invitation_token}))
    assert "already been sent" in html and "Start now" not in html
    again = respondent_client.post(
        reverse("respond:invitation-begin", kwargs={"token": invitation_token}))
    assert again.status_code == 303 and Response.objects.count() == 1


def test_it_shows_partners_without_an_invitation_how_to_get_one(client, partner_phase):
    html = page(client, reverse("respond:phase-start", kwargs={"slug": "policing-a", "number": 2}))
    assert "personal link" in html and "<form" not in html
    begin_url = reverse("respond:begin", kwargs={"slug": "policing-a", "number": 2})
    assert client.post(begin_url).status_code == 404


def test_it_saves_each_page_and_returns_to_the_first_unanswered(respondent_client, public_phase):
    client = respondent_client
    token = begin(client, public_phase, 3)
    save(client, token, 1, "A first thought.")
    save(client, token, 2, "Eastvale")

    # Later, from the emailed link: the draft is there, and the journey picks up at question 3.
    assert client.get(url("resume", token))["Location"] == url("question", token, position=3)
    assert "A first thought." in page(client, url("question", token, position=1))
    save(client, token, 3, "Agree")
    save(client, token, 4, ["Phone", "Online"])
    save(client, token, 5, "Response")
    assert client.get(url("resume", token))["Location"] == url("check", token)
    answers = {a.question.key: (a.text, a.choices) for a in Answer.objects.all()}
    assert answers == {"views": ("A first thought.", []), "area": ("Eastvale", []),
                       "safe": ("", ["Agree"]), "contact": ("", ["Phone", "Online"]),
                       "first": ("", ["Response"])}


def test_it_goes_to_the_return_link_page_when_asked(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    response = save(respondent_client, token, 1, "Half a thought", later="1")
    assert response["Location"] == url("return-link", token)
    assert Answer.objects.get().text == "Half a thought"  # saved first


def test_it_emails_the_return_link(respondent_client, public_phase, mailoutbox, settings):
    settings.CONSULTA_BASE_URL = "https://consult.example.org"
    token = begin(respondent_client, public_phase, 3)
    html = page(respondent_client, url("return-link", token))
    assert 'type="email"' in html and 'autocomplete="email"' in html

    response = respondent_client.post(url("return-link-send", token), {"email": "me@example.org"})
    assert response.status_code == 303
    assert "your link is on its way" in page(respondent_client, response["Location"])
    [email] = mailoutbox
    assert email.to == ["me@example.org"]
    assert f"https://consult.example.org/r/{token}/" in email.body
    assert "Policing A" in email.subject
    # The address was used, not kept.
    assert not Respondent.objects.exists()


def test_it_refuses_a_malformed_return_address(respondent_client, public_phase, mailoutbox):
    token = begin(respondent_client, public_phase, 3)
    response = respondent_client.post(url("return-link-send", token), {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.content.decode()
    assert mailoutbox == []


def test_it_shares_an_organisation_response_with_colleagues(respondent_client, partner_phase):
    invitation, invitation_token = invite(partner_phase, Person.objects.get(name="Dana Okafor"))
    token = begin_invited(respondent_client, invitation_token)
    assert "Get a link for colleagues" in page(respondent_client, url("check", token))

    shared = respondent_client.post(url("share", token))
    assert shared.status_code == 200 and shared["Cache-Control"] == "private, no-store"
    colleague_token = token_in(shared.content.decode().split('id="shared-link">')[1])
    access = DraftAccess.objects.get(purpose=DraftAccess.Purpose.SHARED)
    invitation.refresh_from_db()
    assert access.response == invitation.response
    # The colleague writes into the same response.
    save(respondent_client, colleague_token, 1, "From the colleague.")
    assert Answer.objects.get().response == invitation.response


def test_it_does_not_share_a_response_without_an_organisation(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    assert "Get a link for colleagues" not in page(respondent_client, url("check", token))
    assert respondent_client.post(url("share", token)).status_code == 404
    assert DraftAccess.objects.count() == 1


def test_it_keeps_a_typed_organisation_as_text_with_its_sector_and_type(respondent_client,
                                                                       public_phase):
    token = begin(respondent_client, public_phase, 3)
    response = respondent_client.post(url("about-save", token), {
        "name": "Ali", "organisation": "Northshire Food Bank", "sector": "voluntary",
        "organisation_type": "charity", "on_behalf": "no"})
    assert response.status_code == 303
    assert not Organisation.objects.filter(name="Northshire Food Bank").exists()
    draft = Response.objects.get()
    assert draft.organisation is None and draft.organisation_name == "Northshire Food Bank"
    typed = draft.typed_organisation
    assert (typed.sector, typed.type) == ("voluntary", "charity") and not draft.on_behalf
    assert draft.respondent.name == "Ali"


def test_it_never_changes_a_known_organisation_from_the_public_pages(respondent_client,
                                                                      public_phase):
    token = begin(respondent_client, public_phase, 3)
    respondent_client.post(url("about-save", token), {
        "organisation": "safe streets trust", "sector": "private", "on_behalf": "yes"})
    draft = Response.objects.get()
    # Typing a known name does not make the response that organisation's: an organiser decides.
    assert draft.organisation is None and draft.organisation_name == "safe streets trust"
    assert Organisation.objects.get(name="Safe Streets Trust").sector == "voluntary"


def test_it_lists_what_is_missing_before_sending(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    response = respondent_client.post(url("submit", token))
    html = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in html
    assert f'href="{url("question", token, position=3)}?then=check"' in html
    assert Response.objects.get().status == Response.Status.DRAFT


def test_it_returns_to_check_your_answers_after_a_change(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    html = page(respondent_client, url("question", token, position=1) + "?then=check")
    assert 'name="then" value="check"' in html
    assert f'href="{url("check", token)}"' in html  # the back link
    response = save(respondent_client, token, 1, "Changed", then="check")
    assert response["Location"] == url("check", token)


def test_it_sends_no_receipt_in_a_confidential_phase(
    respondent_client, partner_phase, mailoutbox, django_capture_on_commit_callbacks
):
    partner_phase.anonymity = Phase.Anonymity.CONFIDENTIAL
    partner_phase.save()
    _, invitation_token = invite(partner_phase, Person.objects.get(name="Dana Okafor"))
    token = begin_invited(respondent_client, invitation_token)
    save(respondent_client, token, 1, "Confidential view.")
    respondent_client.post(url("about-save", token), {
        "organisation": "Eastvale Ambulance Service", "sector": "public", "on_behalf": "no"})
    with django_capture_on_commit_callbacks(execute=True):
        done = respondent_client.post(url("submit", token))
    assert "receipt" not in page(respondent_client, done["Location"])
    assert Response.objects.get().status == Response.Status.SUBMITTED and mailoutbox == []
