"""The "what we heard" report: what it says, what it never says, and its formats."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from consulta.cli import main
from consulta.web.analysis.models import Theme
from consulta.web.reports import render
from consulta.web.reports.content import build_report
from consulta.web.responses.models import Answer, Response
from consulta.web.workbench.models import QuestionState, Review
from report_data import EMAIL, report_run


def quotes_of(report):
    return [(quote, theme) for part in report.questions for theme in part.themes
            for quote in theme.quotes]


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.fixture
def run(consultation):
    return report_run(consultation)


def test_it_has_every_question_and_the_number_of_responses(consultation, run):
    report = build_report(consultation, public=False)
    page = text_of(render.html(report))
    for question in consultation.phases.values_list("questions__title", flat=True):
        assert question in page
    submitted = Response.objects.filter(status=Response.Status.SUBMITTED).count()
    assert f"{submitted} responses" in page
    closed = next(p for p in report.questions if not p.open)
    assert closed.responses == 12 and [r[1] for r in closed.chart.rows] == ["4", "4", "4"]
    assert "Which matters most?: answers by choice (the chart's figures)" in page


@pytest.mark.parametrize("public", [False, True])
def test_it_never_quotes_a_response_without_consent(consultation, run, public):
    refused = set(Answer.objects.filter(response__consent=Response.Consent.NONE)
                  .values_list("text", flat=True))
    found = quotes_of(build_report(consultation, public=public))
    assert found
    assert not {quote.text for quote, _ in found} & refused


def test_it_names_an_organisation_only_with_full_consent_in_an_identified_phase(consultation,
                                                                                  run):
    found = quotes_of(build_report(consultation, public=False))
    by_text = {a.text: a for a in Answer.objects.select_related("response__organisation")}
    for quote, _ in found:
        answer = by_text[quote.text]
        name = answer.response.organisation.name if answer.response.organisation else None
        if answer.response.phase.is_anonymous:
            assert quote.attribution.endswith(", anonymous")
            assert quote.attribution.split(",")[0] in {"Police staff", "Police officer",
                                                       "Senior leader"}
        elif answer.response.consent == Response.Consent.FULL:
            assert quote.attribution.startswith(name)
        else:
            assert name not in quote.attribution
            assert quote.attribution in {"Ambulance service, anonymous", "Charity, anonymous"}


def test_it_shows_no_respondent_email(consultation, run):
    report = build_report(consultation, public=False)
    assert EMAIL not in render.html(report)
    assert "@" not in text_of(render.html(report, standalone=False))


def test_it_suppresses_groups_below_ten(consultation, run):
    report = build_report(consultation, public=False)
    challenges = next(p for p in report.questions if p.title.startswith("What are the biggest"))
    assert challenges.suppressed_groups == ["police staff", "police officer", "senior leader"]
    assert all(cell is None for _, cells in challenges.groups.rows for cell in cells[1:])
    assert not challenges.differences
    assert "fewer than 10" in render.html(report)


def test_it_puts_analysts_candidate_quotes_first(consultation, run, analyst):
    theme = Theme.objects.get(run=run, key="t02")
    answer = Answer.objects.filter(codings__primary=theme,
                                   response__consent=Response.Consent.ANONYMOUS).last()
    Review.objects.create(run=run, answer=answer, user=analyst, quote_candidate=True)
    part = next(p for p in build_report(consultation, public=False).questions
                if p.title.startswith("How can the service build trust"))
    assert next(t for t in part.themes if t.key == "t02").quotes[0].text == answer.text


def test_it_withholds_a_public_quote_until_its_personal_data_is_reviewed(consultation, run):
    theme = Theme.objects.get(run=run, key="t01", question__key="trust")
    answer = Answer.objects.filter(codings__primary=theme,
                                   response__consent=Response.Consent.FULL).first()
    answer.text = f"Write to me at {EMAIL} about patrols at night."
    answer.save()
    theme.quotes = [{"answer": answer.pk, "text": answer.text}]
    theme.save()
    public = [q.text for q, t in quotes_of(build_report(consultation, public=True))]
    assert not any(EMAIL in text for text in public)
    back_office = [q.text for q, _ in quotes_of(build_report(consultation, public=False))]
    assert answer.text in back_office


def test_it_says_whether_a_person_reviewed_the_themes(consultation, run, analyst):
    assert "not reviewed by a person" in " ".join(
        build_report(consultation, public=False).method.paragraphs)
    trust = consultation.phases.get(position=2).questions.get(key="trust")
    QuestionState.objects.create(run=run, question=trust, reviewed_at=timezone.now(),
                                 reviewed_by=analyst)
    method = build_report(consultation, public=False).method
    assert method.reviewed
    assert "Analysts reviewed the themes of 1 of 4 open questions" in " ".join(method.paragraphs)
    assert any("not a representative sample" in p for p in method.paragraphs)


def test_it_draws_charts_with_their_figures_in_text(consultation, run):
    part = next(p for p in build_report(consultation, public=False).questions if p.themes)
    assert "<title>" in part.chart.svg and "%" in part.chart.svg  # figures written on the bars
    assert part.chart.text.count("%") == len(part.chart.rows)


def test_its_pdf_is_tagged_for_accessibility(consultation, run, tmp_path):
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    try:
        data = render.pdf(build_report(consultation, public=False))
    except render.PdfUnavailable as error:
        pytest.skip(str(error))
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE)
    if shutil.which("pdftotext"):
        words = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                               check=True).stdout
        assert "Which matters most?" in words and EMAIL not in words


def test_the_command_writes_the_demo_report(db, tmp_path, capsys):
    from consulta.web.demo.loader import load_demo

    # Not analysed, to keep it fast (test_analysis_cli analyses the demo): every question is
    # still there, the open ones said to be not analysed yet.
    consultation, _ = load_demo(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    out = tmp_path / "report.html"
    assert main(["report", "--consultation", consultation.slug, "--format", "html",
                 "--output", str(out), "--data-dir", str(tmp_path)]) == 0
    page = text_of(out.read_text())
    for title in consultation.phases.values_list("questions__title", flat=True):
        assert " ".join(title.split()) in page
    submitted = Response.objects.filter(status=Response.Status.SUBMITTED).count()
    assert f"{submitted} responses" in page
    emails = consultation.people.exclude(email="").values_list("email", flat=True)
    assert not any(email in page for email in emails)
    assert "Wrote" in capsys.readouterr().out


def test_the_command_names_an_unknown_consultation(db, tmp_path, capsys):
    assert main(["report", "--consultation", "nope", "--output", str(tmp_path / "r.html"),
                 "--data-dir", str(tmp_path)]) == 2
    assert "No consultation “nope”" in capsys.readouterr().err


def test_a_published_report_names_a_theme_by_its_key_phrases_when_its_label_holds_personal_data(
        consultation, run):
    theme = Theme.objects.get(run=run, key="t03")
    theme.label, theme.keywords = f"Email {EMAIL} about data", "data sharing; systems"
    theme.save()
    labels = {t.label for p in build_report(consultation, public=True).questions
              for t in p.themes}
    assert "data sharing; systems" in labels and not any(EMAIL in label for label in labels)
    page = render.html(build_report(consultation, public=True))
    assert EMAIL not in page
