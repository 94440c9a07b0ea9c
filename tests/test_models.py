"""Model rules other work relies on."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction

from consulta.web.consultations.models import Question
from consulta.web.responses.models import REFERENCE_ALPHABET, Answer, Response, new_reference
from consulta.web.stakeholders.models import Person, Sector

IDENTIFYING = re.compile(r"name|email|ip|address|session|person|invitation|user")
# An organisation's name as the respondent chose to give it on the "about you" page: not a person.
NOT_IDENTIFYING = {"organisation_name"}


@pytest.mark.parametrize("model", [Response, Answer])
def test_it_keeps_identity_out_of_answer_tables(model):
    names = [field.name for field in model._meta.get_fields() if field.concrete]
    assert not [n for n in names if IDENTIFYING.search(n) and n not in NOT_IDENTIFYING]


def test_it_makes_short_readable_references():
    references = {new_reference() for _ in range(200)}
    assert len(references) == 200
    assert all(re.fullmatch(rf"[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}", r)
               for r in references)
    assert not set("01ILOU") & set(REFERENCE_ALPHABET)


@pytest.mark.parametrize(
    "text, sector",
    [("public", Sector.PUBLIC), ("Voluntary and community", Sector.VOLUNTARY),
     ("voluntary & community", Sector.VOLUNTARY), (" ACADEMIC ", Sector.ACADEMIC), ("nope", None)],
)
def test_it_reads_sectors_by_value_or_label(text, sector):
    assert Sector.parse(text) == sector


@pytest.mark.parametrize(
    "text, consent",
    [("in full", "full"), ("Anonymously", "anonymous"), ("not at all", "none"),
     ("Publish anonymously", "anonymous"), ("maybe", None)],
)
def test_it_reads_consent_in_words(text, consent):
    assert Response.Consent.parse(text) == consent


def test_it_allows_long_answers_of_twenty_thousand_characters(consultation):
    question = Question.objects.get(key="challenges")
    assert question.max_length >= 20_000
    response = Response.objects.create(phase=question.phase, status="submitted")
    answer = Answer.objects.create(response=response, question=question, text="x" * 20_000)
    answer.refresh_from_db()
    assert len(answer.text) == 20_000


def test_it_refuses_two_people_with_one_email(consultation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(consultation=consultation, name="Copy",
                              email="dana@eastvale-ambulance.example")
    # People without an email address are allowed to repeat.
    Person.objects.create(consultation=consultation, name="A")
    Person.objects.create(consultation=consultation, name="B")


def test_it_offers_the_agreement_scale_by_default(consultation):
    question = Question(kind=Question.Kind.AGREEMENT_SCALE)
    assert question.choices_offered()[0] == "Strongly agree"
    assert len(question.choices_offered()) == 5
