"""Each respondent page renders GOV.UK Frontend markup, in the consultation's own branding,
and validates what is sent to it."""

from __future__ import annotations

import re
from datetime import UTC
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import PHASE_2_CLOSES
from consulta.web.consultations.models import Phase
from consulta.web.responses.models import Answer, Respondent, Response
from test_respond_support import (
    begin,
    page,
    save,
    url,
)

STATIC = Path(__file__).resolve().parent.parent / "src" / "consulta" / "web" / "static" / "respond"


def start_url(number: int) -> str:
    return reverse("respond:phase-start", kwargs={"slug": "policing-a", "number": number})


def one_h1(html: str) -> str:
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, flags=re.DOTALL)
    assert len(headings) == 1, headings
    return headings[0]


def test_it_shows_a_start_page_with_everything_a_respondent_should_know(client, public_phase):
    consultation = public_phase.consultation
    consultation.privacy_notice = "We keep answers for a year.\n\nThen we delete them."
    consultation.save()
    html = page(client, start_url(3))
    assert "Everyone in Northshire" in one_h1(html)
    assert "Independent Review Body runs this consultation for Northshire Police" in html
    assert '<p class="govuk-body">We keep answers for a year.</p>' in html  # privacy notice
    assert "1 March 2099 at 5pm" in html  # the closing date, UK time, as GOV.UK writes it
    assert "What do you think?" in html and "Start now" in html
    assert reverse("respond:begin", kwargs={"slug": "policing-a", "number": 3}) in html


def test_it_brands_pages_with_the_organisation_not_gov_uk(client, public_phase):
    consultation = public_phase.consultation
    consultation.brand_colour = "#003b6f"
    consultation.save()
    html = page(client, start_url(3))
    assert ".respond-header, .respond-footer { --brand-colour: #003b6f; }" in html
    assert '<p class="respond-header__organisation">Independent Review Body</p>' in html
    assert "GOV.UK" not in html and "govuk-header__logo" not in html
    assert 'href="/static/respond/respond.css"' in html


def test_it_never_puts_an_unsafe_colour_in_a_style(client, public_phase):
    consultation = public_phase.consultation
    consultation.brand_colour = 'red;}"'
    consultation.save()
    html = page(client, start_url(3))
    assert ".respond-header, .respond-footer { --brand-colour: #1d3a6e; }" in html


def test_it_ships_the_stylesheet_without_the_gov_uk_font_or_crown():
    css = (STATIC / "respond.css").read_text()
    assert "govuk-character-count" in css and "govuk-error-summary" in css
    assert "system-ui" in css
    for forbidden in ("@font-face", "gds-transport", "GDS Transport", "woff", "govuk-crest"):
        assert forbidden not in css
    assert (STATIC / "govuk-frontend.min.js").exists()
    assert "MIT License" in (STATIC / "govuk-frontend-LICENSE.txt").read_text()


def test_it_serves_the_respondent_assets(client, db):
    for name in ("respond.css", "respond.js", "govuk-frontend.min.js"):
        assert client.get(f"/static/respond/{name}").status_code == 200


def test_it_shows_upcoming_phases_without_a_start_button(client, public_phase):
    public_phase.opens_at = PHASE_2_CLOSES.replace(year=2098)
    public_phase.save()
    html = page(client, start_url(3))
    assert "This phase opens on" in html and "<form" not in html
    begin_url = reverse("respond:begin", kwargs={"slug": "policing-a", "number": 3})
    assert client.post(begin_url).status_code == 404


def test_it_has_no_start_page_for_phases_that_do_not_exist(client, public_phase):
    assert client.get(start_url(4)).status_code == 404
    assert client.get(start_url(0)).status_code == 404
    assert client.get(reverse("respond:phase-start", kwargs={"slug": "nope", "number": 1})
                      ).status_code == 404


def test_it_links_open_public_phases_from_the_consultation_page(client, public_phase):
    html = page(client, reverse("public-consultation", kwargs={"slug": "policing-a"}))
    assert f'href="{start_url(3)}"' in html
    # Not for the partner phase (invitations only) nor the internal one (staff link only).
    assert start_url(2) not in html and start_url(1) not in html


def test_it_renders_a_long_text_question_as_gov_uk_does(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    html = page(respondent_client, url("question", token, position=1))
    assert '<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l" ' \
           'for="id_answer">What do you think?</label></h1>' in html
    assert '<div id="id_answer-hint" class="govuk-hint">Say as much as you like.</div>' in html
    assert 'data-module="govuk-character-count" data-maxlength="20000"' in html
    assert 'aria-describedby="id_answer-hint id_answer-info"' in html
    assert "You can enter up to 20,000 characters" in html
    assert " maxlength=" not in html  # nothing cuts a long answer short in the browser
    assert "Question 1 of 5" in html
    assert 'name="revision" value="0"' in html


def test_it_renders_a_short_text_question(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    html = page(respondent_client, url("question", token, position=2))
    assert "Which area do you live in?" in one_h1(html)
    assert '<input class="govuk-input" id="id_answer" name="answer" type="text"' in html


def test_it_renders_choice_questions_as_radios_and_checkboxes(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    scale = page(respondent_client, url("question", token, position=3))
    assert '<h1 class="govuk-fieldset__heading">I feel safe at night.</h1>' in scale
    assert 'class="govuk-radios__input" id="id_answer" name="answer" type="radio" ' \
           'value="Strongly agree"' in scale
    assert 'id="id_answer-5" name="answer" type="radio" value="Strongly disagree"' in scale
    several = page(respondent_client, url("question", token, position=4))
    assert 'class="govuk-checkboxes__input" id="id_answer" name="answer" type="checkbox" ' \
           'value="Phone"' in several
    assert '<div id="id_answer-hint" class="govuk-hint">Select all that apply.</div>' in several
    one = page(respondent_client, url("question", token, position=5))
    assert 'type="radio" value="Prevention"' in one


def test_it_shows_saved_choices_as_chosen(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    save(respondent_client, token, 4, ["Phone", "In person"])
    html = page(respondent_client, url("question", token, position=4))
    assert 'value="Phone" checked' in html and 'value="In person" checked' in html
    assert 'value="Online" checked' not in html
    assert 'name="revision" value="1"' in html


def test_it_shows_an_error_summary_linked_to_the_field(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    response = save(respondent_client, token, 3, "")
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: I feel safe at night." in html
    assert '<div class="govuk-error-summary" data-module="govuk-error-summary">' in html
    assert '<li><a href="#id_answer">Select an answer</a></li>' in html
    assert 'aria-describedby="id_answer-error"' in html
    assert 'id="id_answer-error" class="govuk-error-message"' in html
    assert not Answer.objects.exists()


def test_it_refuses_a_choice_that_was_not_offered(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    response = save(respondent_client, token, 5, "Something else")
    assert response.status_code == 400 and not Answer.objects.exists()
    response = save(respondent_client, token, 4, ["Phone", "Carrier pigeon"])
    assert response.status_code == 400 and not Answer.objects.exists()


def test_it_requires_an_answer_to_a_required_text_question(respondent_client, partner_phase):
    from consulta.web.stakeholders.models import Person
    from test_respond_support import begin_invited, invite

    _, invitation_token = invite(partner_phase, Person.objects.get(name="Sam Lee"))
    token = begin_invited(respondent_client, invitation_token)
    response = save(respondent_client, token, 1, "   \r\n ")
    assert response.status_code == 400
    assert "Enter your answer to this question" in response.content.decode()


def test_it_has_no_question_beyond_the_last(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    assert respondent_client.get(url("question", token, position=6)).status_code == 404
    assert respondent_client.get(url("question", token, position=0)).status_code == 404


def test_it_asks_partners_about_their_organisation(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    html = page(respondent_client, url("about", token))
    assert "About you" in one_h1(html)
    for field in ("name", "organisation", "organisation_type"):
        assert f'name="{field}"' in html
    assert 'name="sector" type="radio" value="voluntary"' in html
    assert "Are you answering on behalf of your organisation?" in html
    response = respondent_client.post(url("about-save", token), {"organisation": "Food Bank"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_sector">Select which sector your organisation is in' in html
    assert 'href="#id_on_behalf">Select whether you are answering on behalf' in html


def test_it_never_asks_a_name_in_an_anonymous_partner_phase(respondent_client, public_phase):
    public_phase.anonymity = Phase.Anonymity.ANONYMOUS
    public_phase.save()
    token = begin(respondent_client, public_phase, 3)
    html = page(respondent_client, url("about", token))
    assert 'name="name"' not in html and 'name="organisation"' in html
    respondent_client.post(url("about-save", token), {
        "name": "Sneaky", "organisation": "Food Bank", "sector": "voluntary", "on_behalf": "no"})
    assert Response.objects.get().organisation_name == "Food Bank"
    assert not Respondent.objects.exists()


def test_it_requires_an_organisation_in_partner_phases(respondent_client, partner_phase):
    from consulta.web.stakeholders.models import Person
    from test_respond_support import begin_invited, invite

    _, invitation_token = invite(partner_phase, Person.objects.get(name="Sam Lee"))
    token = begin_invited(respondent_client, invitation_token)
    response = respondent_client.post(url("about-save", token), {"organisation": ""})
    assert response.status_code == 400
    assert "Enter the name of your organisation" in response.content.decode()


def test_it_offers_three_publishing_choices_in_identified_phases(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    html = page(respondent_client, url("consent", token))
    assert "May we publish your answers?" in one_h1(html)
    for value in ("full", "anonymous", "none"):
        assert f'type="radio" value="{value}"' in html
    assert "checked" not in html  # nothing is chosen for the respondent
    response = respondent_client.post(url("consent-save", token), {})
    assert response.status_code == 400
    assert "Select whether we may publish your answers" in response.content.decode()


def test_it_refuses_full_publication_in_an_anonymous_phase(respondent_client, internal_phase):
    token = begin(respondent_client, internal_phase, 1, key=internal_phase.access_key)
    response = respondent_client.post(url("consent-save", token), {"consent": "full"})
    assert response.status_code == 400
    assert Response.objects.get().consent == Response.Consent.NONE


def test_it_checks_answers_with_change_links(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    save(respondent_client, token, 1, "First line\nSecond line")
    html = page(respondent_client, url("check", token))
    assert "Check your answers before sending your response" in one_h1(html)
    assert "First line\nSecond line" in html
    for position in range(1, 6):
        assert f'href="{url("question", token, position=position)}?then=check"' in html
    assert f'href="{url("about", token)}?then=check"' in html
    assert f'href="{url("consent", token)}?then=check"' in html
    assert '<span class="govuk-visually-hidden"> your answer to question 1</span>' in html
    assert "Not answered" in html and "Send response" in html


def test_it_does_not_let_draft_pages_be_cached(respondent_client, public_phase):
    token = begin(respondent_client, public_phase, 3)
    for name in ("check", "about", "consent", "return-link"):
        assert respondent_client.get(url(name, token))["Cache-Control"] == "private, no-store"


def test_it_knows_no_unknown_draft_link(client, public_phase):
    assert client.get(url("check", "not-a-real-token")).status_code == 404
    assert client.post(url("submit", "not-a-real-token")).status_code == 404


def test_it_shows_a_confirmation_only_for_a_genuine_reference(client, public_phase):
    from consulta.web.respond.link_views import confirmation_url

    html = page(client, confirmation_url("K7QM-3XHP", "policing-a"))
    assert "Response sent" in one_h1(html) and "K7QM-3XHP" in html
    assert "receipt" not in html
    signed = confirmation_url("K7QM-3XHP", "policing-a").split("/")[2]
    value, _, signature = signed.rpartition(":")
    forged = signed.replace(value.split(":")[0], value.split(":")[0][:-2] + "xx")
    assert client.get(f"/done/{forged}/").status_code == 404
    assert client.get(f"/done/{value}:{signature[::-1]}/").status_code == 404


def test_it_publishes_an_accessibility_statement(client, db):
    html = page(client, reverse("respond:accessibility"))
    assert "Accessibility statement" in one_h1(html)
    for section in ("Feedback and contact information", "Reporting accessibility problems",
                    "Enforcement procedure", "Compliance status", "Non-accessible content",
                    "How we tested", "Preparation of this accessibility statement"):
        assert section in html
    assert "partially compliant" in html and "WCAG" not in html.split("Compliance status")[0]
    assert "This statement was prepared on 26 November 2026" in html


@pytest.mark.parametrize("name", ["resume", "question", "check", "about", "consent",
                                  "return-link"])
def test_it_shows_pages_only_with_get(respondent_client, public_phase, name):
    token = begin(respondent_client, public_phase, 3)
    kwargs = {"position": 1} if name == "question" else {}
    assert respondent_client.post(url(name, token, **kwargs)).status_code == 405


@pytest.mark.parametrize("name", ["submit", "about-save", "consent-save", "share",
                                  "return-link-send"])
def test_it_accepts_changes_only_by_post(respondent_client, public_phase, name):
    token = begin(respondent_client, public_phase, 3)
    assert respondent_client.get(url(name, token)).status_code == 405


def test_it_writes_times_as_gov_uk_does():
    from datetime import datetime

    from consulta.web.respond.templatetags.respond_fields import govuk_time

    def at(hour: int, minute: int = 0) -> str:  # UTC in January is UK time
        return govuk_time(datetime(2026, 1, 5, hour, minute, tzinfo=UTC))

    assert [at(0), at(12), at(17), at(9, 30), at(23, 5)] == [
        "midnight", "midday", "5pm", "9:30am", "11:05pm"]


def test_it_has_no_closed_page_for_an_open_phase(client, public_phase):
    closed = reverse("respond:closed", kwargs={"slug": "policing-a", "number": 3})
    assert client.get(closed).status_code == 404
