"""What respondents see, set in the back office (privacy notice, brand colour, contact address,
retention), and a question that already has answers changed only on purpose."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from consulta.web.consultations.forms import contrast_with_white
from consulta.web.consultations.models import Consultation, Question
from consulta.web.responses.models import Answer, Response

SLUG = "policing-a"
UPDATE = reverse("consultations:update", args=[SLUG])
DETAILS = {"title": "Policing A", "summary": "", "background": "", "run_by": "Review Body",
           "run_for": "", "status": "open"}
SETTINGS = {"privacy_notice": "We keep answers for a year.\n\nAsk us anything.",
            "contact_email": "consult@review.example", "brand_colour": "#0B0C0C",
            "retain_until": "2099-12-31", "require_two_factor": "on"}


def consultation_now() -> Consultation:
    return Consultation.objects.get(slug=SLUG)


# The consultation's settings -----------------------------------------------------------------

def test_the_settings_page_offers_what_respondents_see(client, organiser):
    client.force_login(organiser)
    html = client.get(reverse("consultations:edit", args=[SLUG])).content.decode()

    for name in ["privacy_notice", "contact_email", "brand_colour", "retain_until",
                 "require_two_factor"]:
        assert f'name="{name}"' in html
    assert 'type="date" name="retain_until"' in html


def test_it_saves_the_privacy_notice_contact_colour_and_retention(client, organiser):
    client.force_login(organiser)

    response = client.post(UPDATE, {**DETAILS, **SETTINGS})

    assert response.status_code == 302
    saved = consultation_now()
    assert saved.privacy_notice == SETTINGS["privacy_notice"]
    assert saved.contact_email == "consult@review.example"
    assert saved.brand_colour == "#0b0c0c"
    assert saved.retain_until == date(2099, 12, 31)
    assert saved.require_two_factor is True


def test_it_keeps_the_colour_when_the_field_is_left_empty(client, organiser):
    client.force_login(organiser)

    client.post(UPDATE, {**DETAILS, "brand_colour": ""})

    assert consultation_now().brand_colour == "#1d3a6e"


@pytest.mark.parametrize("colour,error", [
    ("navy", "six hexadecimal digits"),
    ("#ffdd00", "too hard to read"),  # yellow: white text on it cannot be read
])
def test_it_refuses_a_colour_white_text_cannot_be_read_on(client, organiser, colour, error):
    client.force_login(organiser)

    response = client.post(UPDATE, {**DETAILS, "brand_colour": colour})

    assert response.status_code == 400
    assert error in response.content.decode()
    assert consultation_now().brand_colour == "#1d3a6e"


def test_the_contrast_is_measured_as_wcag_does():
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0
    assert contrast_with_white("#1d3a6e") > 4.5


def test_it_refuses_a_retention_date_that_has_passed(client, organiser):
    client.force_login(organiser)

    response = client.post(UPDATE, {**DETAILS, "retain_until": "2020-01-01"})

    assert response.status_code == 400
    assert "Choose a date after today" in response.content.decode()
    assert consultation_now().retain_until is None


def test_analysts_and_outsiders_cannot_change_the_settings(client, analyst, outsider):
    for user, status in [(analyst, 403), (outsider, 404)]:
        client.force_login(user)
        assert client.post(UPDATE, {**DETAILS, **SETTINGS}).status_code == status
    assert client.get(UPDATE).status_code == 405
    assert consultation_now().contact_email == ""


# The contact address, where uninvited partners look for it ---------------------------------

@pytest.fixture
def with_contact(consultation) -> Consultation:
    consultation.contact_email = "consult@review.example"
    consultation.save()
    return consultation


def test_the_public_page_tells_uninvited_partners_whom_to_contact(with_contact):
    html = Client().get(reverse("public-consultation", args=[SLUG])).content.decode()

    assert "Not invited? Contact" in html
    assert 'href="mailto:consult@review.example"' in html


def test_the_partner_start_page_tells_uninvited_partners_whom_to_write_to(with_contact):
    html = Client().get(reverse("respond:phase-start", args=[SLUG, 2])).content.decode()

    assert 'write to <a class="govuk-link" href="mailto:consult@review.example">' in html


def test_the_closed_page_gives_the_contact_address(with_contact):
    response = Client().get(reverse("respond:phase-start", args=[SLUG, 1]) + "?key="
                            + with_contact.phases.get(position=1).access_key)

    assert response.status_code == 410
    assert "mailto:consult@review.example" in response.content.decode()


def test_without_a_contact_address_partners_are_told_to_ask_the_organisers(consultation):
    html = Client().get(reverse("public-consultation", args=[SLUG])).content.decode()

    assert "Not invited? Ask Independent Review Body." in html


# A question that already has answers ---------------------------------------------------------

@pytest.fixture
def answered(consultation) -> Question:
    question = consultation.phases.get(position=2).questions.get(key="priority")
    response = Response.objects.create(phase=question.phase, status=Response.Status.SUBMITTED)
    Answer.objects.create(response=response, question=question, choices=["Prevention"])
    return question


def question_url(question: Question, name: str) -> str:
    return reverse(f"consultations:question-{name}", args=[SLUG, 2, question.pk])


def edited(question: Question, **changes) -> dict:
    return {"title": question.title, "key": question.key, "context": question.context,
            "kind": question.kind, "options": "\n".join(question.options), "max_length": "",
            **changes}


def test_it_warns_before_changing_a_question_with_answers(client, organiser, answered):
    client.force_login(organiser)
    html = client.get(question_url(answered, "edit")).content.decode()

    assert "This question already has answers" in html
    assert "1 answer was given" in html
    assert 'name="confirm_change"' in html


def test_it_does_not_warn_about_a_question_without_answers(client, organiser, consultation):
    question = consultation.phases.get(position=2).questions.get(key="trust")
    client.force_login(organiser)
    html = client.get(question_url(question, "edit")).content.decode()

    assert "already has answers" not in html and 'name="confirm_change"' not in html


@pytest.mark.parametrize("changes", [
    {"title": "Which matters least?"},
    {"options": "Prevention\nResponse\nPatrols"},
    {"kind": "multiple_choice"},
])
def test_it_refuses_to_change_the_meaning_without_confirmation(
        client, organiser, answered, changes):
    client.force_login(organiser)

    response = client.post(question_url(answered, "update"), edited(answered, **changes))

    assert response.status_code == 400
    assert "tick the box to confirm the change" in response.content.decode()
    answered.refresh_from_db()
    assert answered.title == "Which matters most?" and answered.kind == "single_choice"
    assert answered.options == ["Prevention", "Response", "Investigation"]


def test_it_changes_the_question_once_confirmed(client, organiser, answered):
    client.force_login(organiser)

    response = client.post(question_url(answered, "update"),
                           edited(answered, title="Which matters most to you?",
                                  confirm_change="on"))

    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.title == "Which matters most to you?"


def test_it_saves_other_edits_without_confirmation(client, organiser, answered):
    client.force_login(organiser)

    response = client.post(question_url(answered, "update"),
                           edited(answered, context="Choose one.", required="on"))

    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.context == "Choose one." and answered.required


def test_analysts_and_outsiders_cannot_change_an_answered_question(
        client, analyst, outsider, answered):
    for user, status in [(analyst, 403), (outsider, 404)]:
        client.force_login(user)
        data = edited(answered, title="Changed", confirm_change="on")
        assert client.post(question_url(answered, "update"), data).status_code == status
    assert client.get(question_url(answered, "update")).status_code == 405
    answered.refresh_from_db()
    assert answered.title == "Which matters most?"
