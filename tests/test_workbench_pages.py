"""Reading the workbench: who may, the answers list with its search and filters, its cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consulta.web.analysis.models import Coding
from consulta.web.workbench.listing import PER_PAGE
from workbench_data import finished_run, signed_in, trust_codings


@pytest.fixture
def run(consultation):
    return finished_run(consultation)


@pytest.fixture
def trust(run):
    return trust_codings(run)[0].answer.question


def question_url(question, **query) -> str:
    url = reverse("workbench:question", args=["policing-a", question.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_it_shows_the_overview_to_organisers_and_analysts(run, organiser, analyst):
    for user in (organiser, analyst):
        page = signed_in(user).get(reverse("workbench:overview", args=["policing-a"]))
        assert page.status_code == 200
        assert "How can the service build trust?" in page.content.decode()


def test_it_hides_the_workbench_from_outsiders(run, trust, outsider):
    client = signed_in(outsider)
    assert client.get(reverse("workbench:overview", args=["policing-a"])).status_code == 404
    assert client.get(question_url(trust)).status_code == 404


def test_it_says_when_there_is_no_finished_analysis(consultation, organiser):
    page = signed_in(organiser).get(reverse("workbench:overview", args=["policing-a"]))
    assert "No finished analysis yet" in page.content.decode()


def test_it_lists_a_questions_answers_with_their_themes(run, trust, analyst):
    page = signed_in(analyst).get(question_url(trust)).content.decode()
    assert page.count('name="answers"') == 42
    assert "too few officers on patrol at night" in page
    assert "t01: About patrols" in page


def test_it_searches_and_filters_the_answers(run, trust, analyst):
    client = signed_in(analyst)
    found = client.get(question_url(trust, q="school assembly")).context["page"]
    assert {c.answer.text.split(" ")[0] for c in found} == {"Pupils"}
    by_theme = client.get(question_url(trust, theme="t02")).context["page"]
    assert by_theme.paginator.count == 14
    low = client.get(question_url(trust, low_confidence="on")).context["page"]
    assert all(c.confidence < 0.5 for c in low) and low.paginator.count == 19
    positive = client.get(question_url(trust, sentiment="positive")).context["page"]
    assert positive.paginator.count == 14
    campaign = client.get(question_url(trust, campaign="yes")).context["page"]
    assert campaign.paginator.count == 2
    charity = client.get(question_url(trust, sector="voluntary")).context["page"]
    assert charity.paginator.count == 21


def test_it_offers_no_group_filters_in_an_anonymous_phase(run, analyst):
    challenges = Coding.objects.filter(run=run, answer__question__key="challenges").first()
    page = signed_in(analyst).get(question_url(challenges.answer.question))
    form = page.context["form"]
    assert "role" not in form.fields and "sector" not in form.fields
    assert "police staff" not in page.content.decode()


def test_it_reads_a_page_of_answers_in_a_fixed_number_of_queries(run, trust, analyst):
    client = signed_in(analyst)
    client.get(question_url(trust))  # sessions, sites: warm
    with CaptureQueriesContext(connection) as few:
        client.get(question_url(trust, theme="t01"))
    with CaptureQueriesContext(connection) as many:
        client.get(question_url(trust))
    assert len(many) == len(few)  # 14 rows or 42: the same queries
    assert PER_PAGE == 50
