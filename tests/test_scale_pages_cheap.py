"""The workbench's question page and the analysis page's consent check stay cheap at a million
answers (benchmarks/web/million.py): filter choices from small tables, a count that stops, and
only the withheld answers that could hold a theme's wording read, with the same outcome."""

from __future__ import annotations

import pytest

import test_scale_pages as scale
from consulta.web.analysis.models import Coding, Theme
from consulta.web.analysis.results import run_results
from consulta.web.responses.models import Answer, Response
from consulta.web.workbench import listing

WHEN, add_coded, queries_of = scale.WHEN, scale.add_coded, scale.queries_of
coded_run = scale.coded_run  # the fixture: a finished run with coded answers


def question_url(consultation, question: int, query: str = "") -> str:
    return f"/organise/{consultation.slug}/workbench/q/{question}/{query}"


def test_the_question_page_costs_the_same_queries_however_many_answers(
        client, organiser, consultation, coded_run):
    run, themes = coded_run
    question = next(iter(themes))
    client.force_login(organiser)
    url = question_url(consultation, question)
    queries_of(client, url)
    before = queries_of(client, url)
    add_coded(consultation, run, themes, 60, 30)
    assert queries_of(client, url) == before


def test_it_offers_the_sentiments_and_groups_that_answered(client, organiser, consultation,
                                                           coded_run):
    run, themes = coded_run
    question = next(iter(themes))
    Coding.objects.filter(run=run, answer__question_id=question, pk__in=Coding.objects.filter(
        run=run, answer__question_id=question).order_by("pk").values("pk")[:4]).update(
        sentiment="negative")
    client.force_login(organiser)
    form = client.get(question_url(consultation, question)).context["form"]
    assert [v for v, _ in form.fields["sentiment"].choices] == ["", "negative"]
    if "sector" in form.fields:  # a phase that shows organisations
        sectors = {v for v, _ in form.fields["sector"].choices} - {""}
        assert sectors == set(Coding.objects.filter(
            run=run, answer__question_id=question, answer__response__organisation__isnull=False)
            .values_list("answer__response__organisation__sector", flat=True))


def test_it_counts_up_to_a_cap_and_says_there_are_more(client, organiser, consultation,
                                                      coded_run, monkeypatch):
    run, themes = coded_run
    question = next(iter(themes))
    add_coded(consultation, run, themes, 60, 30)  # 90 answers to the question
    monkeypatch.setattr(listing, "COUNT_CAP", 60)
    monkeypatch.setattr(listing, "PER_PAGE", 10)
    client.force_login(organiser)
    page = client.get(question_url(consultation, question)).context["page"]
    assert page.paginator.count == 60 and page.paginator.more and page.has_next()
    content = client.get(question_url(consultation, question)).content.decode()
    assert "More than 60 shown" in content and "of more than 6" in content
    page = client.get(question_url(consultation, question, "?page=7")).context["page"]
    assert page.number == 7 and page.paginator.more and page.has_next()  # one more counted
    page = client.get(question_url(consultation, question, "?page=9")).context["page"]
    assert page.paginator.count == 90 and not page.paginator.more
    assert len(page.object_list) == 10 and not page.has_next()


@pytest.mark.parametrize(("text", "label"), [
    ("We do it.  Then more.", "We do it"),  # no word of 3 letters to search for
    ("ÉLAN vital\nMATTERS, said the chief.", "élan vital matters, said the chief"),
    ("Off-the-record: trust us", "off-the-record: trust us"),
])
def test_a_label_from_a_withheld_answer_is_never_shown_whatever_its_case_or_spacing(
        consultation, coded_run, text, label):
    run, themes = coded_run
    question, made = next(iter(themes.items()))
    response = Response.objects.create(phase=consultation.phases.get(position=2),
                                       reference="W0000001", submitted_at=WHEN,
                                       status=Response.Status.SUBMITTED,
                                       consent=Response.Consent.NONE)
    Answer.objects.create(response=response, question_id=question, text=text)
    made[0].label, made[1].label = label, "Patrols and trust"  # from consenting answers
    Theme.objects.bulk_update(made[:2], ["label"])
    views = {v.question.pk: v for phase in run_results(run) for v in phase.questions}
    shown = {item.theme.pk: item.label for item in views[question].all_themes}
    assert shown[made[0].pk] != label and shown[made[1].pk] == "Patrols and trust"
