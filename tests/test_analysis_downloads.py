"""Downloading a finished analysis as answers.csv and themes.csv (the command line's columns)."""

from __future__ import annotations

import csv
import io

import pytest

from analysis_answers import add_answers
from consulta.analysis.outputs import ANSWER_COLUMNS, THEME_COLUMNS
from consulta.web.analysis.models import AnalysisRun, Coding, Theme
from consulta.web.analysis.services import analyse_consultation
from consulta.web.responses.models import Answer

PAGE = "/organise/policing-a/analysis/"


@pytest.fixture
def run(consultation) -> AnalysisRun:
    add_answers(consultation)
    return analyse_consultation(consultation, embedder="tfidf")


def url(run: AnalysisRun, name: str) -> str:
    return f"{PAGE}{run.pk}/{name}"


def download(client, user, run, name) -> list[dict]:
    client.force_login(user)
    response = client.get(url(run, name))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="policing-a-analysis-{run.pk}-{name}"')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_it_gives_organisers_every_coded_answer_with_the_command_s_columns(client, organiser,
                                                                           run):
    rows = download(client, organiser, run, "answers.csv")

    assert list(rows[0]) == [*ANSWER_COLUMNS, "response", "answer"]
    assert len(rows) == Coding.objects.filter(run=run).count() == 57
    coding = Coding.objects.select_related("primary", "answer__response").get(
        run=run, answer_id=int(rows[0]["id"]))
    assert rows[0]["theme"] == coding.primary.key
    assert rows[0]["themes"].split(";")[0] == coding.primary.key
    assert set(rows[0]["themes"].split(";")) == set(coding.themes.values_list("key", flat=True))
    assert rows[0]["answer"] == coding.answer.text
    assert rows[0]["response"] == coding.answer.response.reference
    assert {row["question"] for row in rows} == {"phase 1: challenges", "phase 2: trust"}
    assert not {"sector", "role", "organisation"} & set(rows[0])  # no group columns


def test_it_gives_analysts_the_themes_with_parents_and_quotes(client, analyst, run):
    rows = download(client, analyst, run, "themes.csv")

    assert list(rows[0]) == list(THEME_COLUMNS)
    stored = Theme.objects.filter(run=run)
    assert len(rows) == stored.count()
    for row in rows:
        theme = stored.get(question__key=row["question"].split(": ")[1], key=row["theme"])
        assert row["label"] == theme.label and int(row["size"]) == theme.size
        assert row["parent"] == (theme.parent.key if theme.parent else "")
        assert row["quote_ids"].split(";")[:1] == [str(q["answer"]) for q in theme.quotes[:1]]
    seen: set[tuple[str, str]] = set()
    for row in rows:  # a broad theme comes before its sub-themes
        assert not row["parent"] or (row["question"], row["parent"]) in seen
        seen.add((row["question"], row["theme"]))
    assert any(row["parent"] for row in rows), "the test answers make sub-themes"

def test_cells_that_look_like_formulas_are_neutralised(client, organiser, consultation):
    add_answers(consultation)
    answer = Answer.objects.filter(question__key="trust").first()
    answer.text = "=HYPERLINK(\"http://example.com\") " + answer.text
    answer.save()
    run = analyse_consultation(consultation, embedder="tfidf")

    rows = download(client, organiser, run, "answers.csv")
    text = next(row["answer"] for row in rows if row["id"] == str(answer.pk))
    assert text.startswith("'=HYPERLINK")


def test_the_page_links_to_both_files(client, organiser, run):
    client.force_login(organiser)
    content = client.get(PAGE).content.decode()
    assert f'href="{url(run, "answers.csv")}"' in content
    assert f'href="{url(run, "themes.csv")}"' in content


def test_it_hides_the_files_from_outsiders(client, outsider, run):
    client.force_login(outsider)
    assert client.get(url(run, "answers.csv")).status_code == 404


def test_it_sends_signed_out_visitors_to_sign_in(client, run):
    response = client.get(url(run, "answers.csv"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_it_has_no_file_for_unfinished_or_foreign_runs_or_other_names(client, organiser, run,
                                                                      other_consultation):
    client.force_login(organiser)
    queued = AnalysisRun.objects.create(consultation=run.consultation)
    foreign = AnalysisRun.objects.create(consultation=other_consultation,
                                         status=AnalysisRun.Status.DONE)
    assert client.get(url(queued, "answers.csv")).status_code == 404
    assert client.get(f"{PAGE}{foreign.pk}/answers.csv").status_code == 404
    assert client.get(url(run, "analysis.json")).status_code == 404


def test_it_only_answers_get(client, organiser, run):
    client.force_login(organiser)
    assert client.post(url(run, "answers.csv")).status_code == 405
