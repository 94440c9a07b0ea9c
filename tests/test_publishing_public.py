"""The public results pages: 404 until published, the report in the site's layout with its
downloads, and the published responses (consenting, reviewed, attributed as consent allows,
filterable, paginated, CSV with the licence)."""

from __future__ import annotations

import csv
import io

import publishing_data
from consulta.web.publishing import public_views, published
from consulta.web.redactions.models import Redaction
from consulta.web.redactions.services import scan
from publishing_data import REPORT_HTML, public_url, publish

# Fixtures of publishing_data.py, used by name.
answered = publishing_data.answered
fake_renderers = publishing_data.fake_renderers


def approve_redactions(consultation) -> None:
    scan(consultation)
    Redaction.objects.update(status=Redaction.Status.APPROVED)


def test_the_results_page_is_404_until_published(client, answered, fake_renderers):
    for name in ("results", "report-pdf", "report-docx", "responses", "responses-csv"):
        assert client.get(public_url(name)).status_code == 404

    approve_redactions(answered)
    publish(answered)

    page = client.get(public_url("results"))
    assert page.status_code == 200
    html = page.content.decode()
    assert REPORT_HTML in html
    assert 'href="#main"' in html and '<main id="main"' in html  # the site's landmarks
    assert "We asked, you said, we did" in html


def test_it_downloads_the_published_pdf_and_word_files(client, answered, fake_renderers):
    approve_redactions(answered)
    publish(answered)

    pdf = client.get(public_url("report-pdf"))
    docx = client.get(public_url("report-docx"))

    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    assert docx["Content-Type"].endswith("wordprocessingml.document")


def test_published_responses_leave_out_refusals_and_unreviewed_details(answered):
    texts = [item.text for item in published.published_answers(answered)]

    assert "Share data with the ambulance service." in texts
    assert "Too few officers on the late shift." in texts
    assert not any("must never be published" in text for text in texts)
    assert not any("pat.jones" in text for text in texts)  # waits for review


def test_a_reviewed_answer_is_published_with_its_redactions(answered):
    approve_redactions(answered)

    texts = [item.text for item in published.published_answers(answered)]

    trust = next(text for text in texts if text.startswith("Email me at"))
    assert "pat.jones@example.org" not in trust and "about trust." in trust


def test_attribution_names_organisations_only_with_full_consent_in_identified_phases(answered):
    who = {item.text: (item.respondent.lower(), item.sector)
           for item in published.published_answers(answered)}

    assert who["Share data with the ambulance service."] == (
        "eastvale ambulance service, ambulance service", "Public")
    assert who["Come to our youth nights."] == ("charity, anonymous", "Voluntary and community")
    assert who["Too few officers on the late shift."] == ("police officer, anonymous", "")


def test_it_filters_by_question_and_sector_and_paginates(client, answered, fake_renderers,
                                                         monkeypatch):
    approve_redactions(answered)
    publish(answered)
    trust = answered.phases.get(position=2).questions.get(key="trust")

    page = client.get(public_url("responses"), {"question": trust.pk, "sector": "voluntary"})

    html = page.content.decode()
    assert "Come to our youth nights." in html
    assert "Share data with the ambulance service." not in html
    assert "Fund outreach." not in html

    monkeypatch.setattr(public_views, "PER_PAGE", 2)
    first = client.get(public_url("responses")).content.decode()
    assert "Page 1 of" in first and 'rel="next"' in first
    # Unknown filters are ignored rather than failing.
    assert client.get(public_url("responses"), {"question": "x", "sector": "nope"}).status_code \
        == 200


def test_the_csv_has_the_licence_and_no_names_or_refusals(client, answered, fake_renderers):
    approve_redactions(answered)
    publish(answered)

    response = client.get(public_url("responses-csv"))

    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert "Open Government Licence v3.0" in rows[0][0]
    assert rows[1] == published.CSV_COLUMNS
    assert "must never be published" not in text and "Dana Okafor" not in text
    assert "pat.jones@example.org" not in text
    assert any(row[4].lower() == "police officer, anonymous" for row in rows[2:])


def test_the_csv_defuses_spreadsheet_formulas():
    assert published._safe("=HYPERLINK(\"x\")").startswith("'=")
    assert published._safe("Fine") == "Fine"
