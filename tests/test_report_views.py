"""The report in the back office: preview and downloads for members, narrative for organisers."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from consulta.web.reports.content import build_report
from consulta.web.reports.models import ReportText
from report_data import EMAIL, report_run
from workbench_data import signed_in


def url(consultation, tail: str = "") -> str:
    return f"/organise/{consultation.slug}/report/{tail}"


@pytest.fixture
def run(consultation):
    return report_run(consultation)


def test_members_preview_the_report_and_outsiders_get_404(consultation, run, organiser,
                                                          analyst, outsider):
    for user in (organiser, analyst):
        page = signed_in(user).get(url(consultation))
        assert page.status_code == 200
        assert "How can the service build trust?" in page.text and EMAIL not in page.text
    assert signed_in(outsider).get(url(consultation)).status_code == 404
    assert signed_in(outsider).get(url(consultation, "download/html/")).status_code == 404


def test_organisers_save_the_narrative_as_new_versions(consultation, run, organiser):
    client = signed_in(organiser)
    trust = consultation.phases.get(position=2).questions.get(key="trust")
    for summary in ("First draft of the summary.", "Second draft of the summary."):
        response = client.post(url(consultation, "text/"), {
            "summary": summary, "next_steps": "We will publish a response in March.",
            f"commentary-{trust.pk}": "Trust matters most to partners."})
        assert response.status_code == 302
    assert list(ReportText.objects.values_list("version", flat=True)) == [2, 1]
    assert LogEntry.objects.filter(content_type__model="reporttext").count() == 2  # audited
    assert "report text v2 of policing-a" in client.get(
        f"/organise/{consultation.slug}/audit/").text
    page = client.get(url(consultation)).text
    assert "First draft of the summary." in page  # the history
    report = build_report(consultation, public=True)
    assert report.summary.paragraphs == ["Second draft of the summary."]
    assert report.next_steps.paragraphs == ["We will publish a response in March."]
    part = next(p for p in report.questions if p.title == trust.title)
    assert part.commentary == "Trust matters most to partners." and report.narrative_version == 2


def test_only_organisers_save_and_only_by_post(consultation, run, organiser, analyst, outsider):
    assert signed_in(analyst).post(url(consultation, "text/"), {"summary": "x"}).status_code == 403
    assert signed_in(outsider).post(url(consultation, "text/"), {"summary": "x"}).status_code == 404
    assert signed_in(organiser).get(url(consultation, "text/")).status_code == 405
    assert not ReportText.objects.exists()


def test_a_download_is_audited(consultation, run, analyst):
    response = signed_in(analyst).get(url(consultation, "download/html/"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="policing-a-what-we-heard.html"'
    assert b"<main" in response.content
    entry = LogEntry.objects.filter(additional_data__event__kind="download").get()
    assert entry.additional_data["event"]["file"] == "policing-a-what-we-heard.html"
    assert signed_in(analyst).get(url(consultation, "download/exe/")).status_code == 404
