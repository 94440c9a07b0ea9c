"""Abuse and bad input: closed phases, over-long answers, the honeypot, rate limits, escaping,
and co-authors who save the same answer at once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consulta.web.responses.models import Answer, DraftAccess, Response
from consulta.web.stakeholders.models import Person
from test_respond_support import (
    CLIENT_IP,
    begin,
    begin_invited,
    close,
    invite,
    page,
    save,
    url,
)

SCRIPT = '<script>alert("hi")</script> & <b>bold</b>'


# --- A closed phase accepts nothing -------------------------------------------------------

@pytest.mark.parametrize("name,kwargs,data", [
    ("question-save", {"position": 1}, {"answer": "Too late", "revision": 0}),
    ("about-save", {}, {"organisation": "Late Ltd", "sector": "private", "on_behalf": "no"}),
    ("consent-save", {}, {"consent": "full"}),
    ("submit", {}, {}),
    ("share", {}, {}),
    ("return-link-send", {}, {"email": "late@example.org"}),
])
def test_it_refuses_every_post_once_the_phase_has_closed(
    respondent_client, public_phase, mailoutbox, name, kwargs, data
):
    token = begin(respondent_client, public_phase, 3)
    respondent_client.post(url("about-save", token), {
        "organisation": "Safe Streets Trust", "sector": "voluntary", "on_behalf": "yes"})
    close(public_phase)
    response = respondent_client.post(url(name, token, **kwargs), data)
    assert response.status_code == 410  # the token is valid, the phase is not
    assert "This consultation has closed" in response.content.decode()
    draft = Response.objects.get()
    assert draft.status == Response.Status.DRAFT and draft.consent == Response.Consent.NONE
    assert not Answer.objects.exists() and draft.organisation_name == "Safe Streets Trust"
    assert DraftAccess.objects.count() == 1 and mailoutbox == []


@pytest.mark.parametrize("name,kwargs", [
    ("resume", {}), ("question", {"position": 1}), ("about", {}), ("consent", {}),
    ("check", {}), ("return-link", {}),
])
def test_it_shows_the_closed_page_on_every_draft_page(respondent_client, public_phase, name,
                                                       kwargs):
    token = begin(respondent_client, public_phase, 3)
    close(public_phase)
    assert respondent_client.get(url(name, token, **kwargs)).status_code == 410


def test_it_starts_nothing_in_a_closed_phase(respondent_client, internal_phase):
    close(internal_phase)
    key = internal_phase.access_key
    start = reverse("respond:phase-start", kwargs={"slug": "policing-a", "number": 1})
    assert respondent_client.get(f"{start}?key={key}").status_code == 410
    begin_url = reverse("respond:begin", kwargs={"slug": "policing-a", "number": 1})
    assert respondent_client.post(begin_url, {"key": key}).status_code == 410
    closed = reverse("respond:closed", kwargs={"slug": "policing-a", "number": 1})
    assert respondent_client.get(closed).status_code == 410
    assert not Response.objects.exists()


def test_it_refuses_invitation_links_once_closed(respondent_client, partner_phase):
    invitation, invitation_token = invite(partner_phase, Person.objects.get(name="Sam Lee"))
    close(partner_phase)
    assert respondent_client.get(
        reverse("respond:invitation", kwargs={"token": invitation_token})).status_code == 410
    assert respondent_client.post(
        reverse("respond:invitation-begin", kwargs={"token": invitation_token})
    ).status_code == 410
    invitation.refresh_from_db()
    assert invitation.opened_at is None and not Response.objects.exists()


# --- Over-long answers are refused, never cut -------------------------------------------

def test_it_refuses_an_answer_over_the_limit_and_saves_nothing(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    text = "é" * 20_001
    response = save(respondent_client, token, 1, text)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Your answer must be 20,000 characters or fewer. It is 20,001 characters" in html
    assert text in html  # given back whole, to shorten
    assert not Answer.objects.exists()


def test_it_accepts_an_answer_at_the_limit_whole(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    text = "x" * 19_990 + "\r\n" * 10  # line breaks count once, as on the page
    assert save(respondent_client, token, 1, text).status_code == 303
    assert Answer.objects.get().text == "x" * 19_990 + "\n" * 10


def test_it_refuses_a_short_answer_over_its_own_limit(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    response = save(respondent_client, token, 2, "a" * 501)
    assert response.status_code == 400
    assert "must be 500 characters or fewer" in response.content.decode()
    assert not Answer.objects.exists()


# --- Any Unicode, stored verbatim, always shown escaped ---------------------------------

def test_it_stores_markup_verbatim_and_shows_it_escaped(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    save(respondent_client, token, 1, SCRIPT)
    save(respondent_client, token, 2, "Ynys Môn 🏴󠁧󠁢󠁷󠁬󠁳󠁿 — Ḡ ✓")
    assert Answer.objects.get(question__key="views").text == SCRIPT
    assert Answer.objects.get(question__key="area").text == "Ynys Môn 🏴󠁧󠁢󠁷󠁬󠁳󠁿 — Ḡ ✓"
    for address in (url("question", token, position=1), url("check", token)):
        html = page(respondent_client, address)
        assert "<script>alert" not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert "Ynys Môn 🏴󠁧󠁢󠁷󠁬󠁳󠁿 — Ḡ ✓" in page(respondent_client, url("check", token))


def test_it_escapes_organiser_text_too(respondent_client, public_phase):
    question = public_phase.questions.get(key="views")
    question.title, question.context = "<i>Title</i>", "<img src=x onerror=alert(1)>"
    question.save()
    token = begin(respondent_client, public_phase, 3)
    html = page(respondent_client, url("question", token, position=1))
    assert "<i>Title</i>" not in html and "&lt;i&gt;Title&lt;/i&gt;" in html
    assert "<img src=x" not in html


# --- The honeypot: pretend success, save nothing ------------------------------------------

def test_it_saves_no_answer_from_a_bot(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    response = save(respondent_client, token, 1, "Buy cheap watches", website="http://spam")
    assert response.status_code == 303
    assert response["Location"] == url("question", token, position=2)
    assert not Answer.objects.exists()


def test_it_sends_nothing_for_a_bot(respondent_client, public_phase, mailoutbox):
    token = begin(respondent_client, public_phase, 3)
    save(respondent_client, token, 1, "Something")
    response = respondent_client.post(url("submit", token), {"website": "x"})
    assert response.status_code == 303 and "/done/" in response["Location"]
    assert Response.objects.get().status == Response.Status.DRAFT
    response = respondent_client.post(url("return-link-send", token),
                                      {"email": "bot@example.org", "website": "x"})
    assert response.status_code == 303 and mailoutbox == []


def test_it_starts_no_draft_for_a_bot(respondent_client, public_phase):
    begin_url = reverse("respond:begin", kwargs={"slug": "policing-a", "number": 3})
    response = respondent_client.post(begin_url, {"website": "x"})
    assert response.status_code == 303 and not Response.objects.exists()


def test_it_hides_the_honeypot_from_people(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    html = page(respondent_client, url("question", token, position=1))
    assert '<div class="respond-honeypot">' in html and 'tabindex="-1"' in html


# --- Rate limits, per client address, kept only in the cache ------------------------------

def test_it_limits_submissions_per_address(public_phase, settings):
    settings.CONSULTA_SUBMIT_RATE = "3/m"
    tokens = [begin(Client(REMOTE_ADDR="198.51.100.1"), public_phase, 3) for _ in range(2)]
    client = Client(REMOTE_ADDR=CLIENT_IP)
    for token in tokens:
        save(client, token, 3, "Agree")
        assert client.post(url("submit", token)).status_code == 303
    token = begin(Client(REMOTE_ADDR="198.51.100.1"), public_phase, 3)
    save(client, token, 3, "Agree")
    client.post(url("submit", token))  # the third is the last allowed
    fourth = begin(Client(REMOTE_ADDR="198.51.100.2"), public_phase, 3)
    save(client, fourth, 3, "Agree")
    refused = client.post(url("submit", fourth))
    assert refused.status_code == 429 and "too many attempts" in refused.content.decode()
    assert Response.objects.get(status=Response.Status.DRAFT).pk
    # Another address is not held back.
    assert Client(REMOTE_ADDR="198.51.100.3").post(url("submit", fourth)).status_code == 303


def test_it_limits_submissions_to_twenty_a_minute_by_default(public_phase):
    client = Client(REMOTE_ADDR=CLIENT_IP)
    token = begin(Client(REMOTE_ADDR="198.51.100.1"), public_phase, 3)
    # Each refused attempt (nothing answered yet) still counts against the address.
    statuses = [client.post(url("submit", token)).status_code for _ in range(21)]
    assert statuses == [400] * 20 + [429]


def test_it_limits_starting_drafts_per_address(public_phase, settings):
    settings.CONSULTA_SUBMIT_RATE = "2/m"
    client = Client(REMOTE_ADDR=CLIENT_IP)
    begin_url = reverse("respond:begin", kwargs={"slug": "policing-a", "number": 3})
    assert [client.post(begin_url).status_code for _ in range(3)] == [303, 303, 429]
    assert Response.objects.count() == 2


def test_it_limits_return_link_emails_to_five_an_hour(respondent_client, public_phase,
                                                      mailoutbox):
    token = begin(respondent_client, public_phase, 3)
    statuses = [
        respondent_client.post(url("return-link-send", token), {"email": "me@example.org"})
        .status_code for _ in range(6)
    ]
    assert statuses == [303] * 5 + [429] and len(mailoutbox) == 5


# --- Co-authors never lose text silently -------------------------------------------------

@pytest.fixture
def shared_draft(respondent_client, partner_phase):
    """Dana's organisation response, and a colleague's shared link to it."""
    _, invitation_token = invite(partner_phase, Person.objects.get(name="Dana Okafor"))
    dana = begin_invited(respondent_client, invitation_token)
    shared = respondent_client.post(url("share", dana)).content.decode()
    colleague = shared.split('id="shared-link">')[1].split("/r/")[1].split("/")[0]
    return dana, colleague


def test_it_shows_both_versions_when_a_colleague_saved_first(respondent_client, shared_draft):
    dana, colleague = shared_draft
    # Both open question 1 while it is empty (revision 0)...
    assert 'name="revision" value="0"' in page(respondent_client, url("question", dana,
                                                                      position=1))
    # ...the colleague saves first...
    assert save(respondent_client, colleague, 1, "Colleague's paragraph.", 0).status_code == 303
    # ...then Dana: nothing is saved, and she sees both texts.
    response = save(respondent_client, dana, 1, "Dana's paragraph.", 0)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved a different answer" in html
    assert '<div class="respond-their-answer" id="their-answer">Colleague&#x27;s paragraph.' in html
    assert "\nDana&#x27;s paragraph.</textarea>" in html
    assert 'name="revision" value="1"' in html  # resubmitting now is a deliberate choice
    assert Answer.objects.get().text == "Colleague's paragraph."

    merged = "Colleague's paragraph.\n\nDana's paragraph."
    assert save(respondent_client, dana, 1, merged, 1).status_code == 303
    answer = Answer.objects.get()
    assert answer.text == merged and answer.revision == 2


def test_it_tells_the_colleague_too_when_they_are_now_behind(respondent_client, shared_draft):
    dana, colleague = shared_draft
    save(respondent_client, dana, 1, "Version one.", 0)
    save(respondent_client, colleague, 1, "Version two.", 1)
    # Dana's page still says revision 1: her next save would overwrite "Version two."
    response = save(respondent_client, dana, 1, "Version three.", 1)
    assert response.status_code == 409
    assert Answer.objects.get().text == "Version two."


def test_it_saves_without_fuss_when_both_wrote_the_same(respondent_client, shared_draft):
    dana, colleague = shared_draft
    save(respondent_client, colleague, 1, "Same words.", 0)
    assert save(respondent_client, dana, 1, "Same words.", 0).status_code == 303
    assert Answer.objects.get().revision == 2


def test_it_shows_both_choices_in_a_conflict(respondent_client, shared_draft):
    dana, colleague = shared_draft
    save(respondent_client, colleague, 3, "Response", 0)
    response = save(respondent_client, dana, 3, "Prevention", 0)
    html = response.content.decode()
    assert response.status_code == 409 and 'id="their-answer">Response</div>' in html
    assert 'value="Prevention" checked' in html
    assert Answer.objects.get().choices == ["Response"]
