"""Publishing the results: details waiting for review held back, a snapshot per
version, the consultation marked published, the command line, and the back-office button."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

import publishing_data
from consulta.cli import main
from consulta.web.consultations.models import Consultation
from consulta.web.publishing import services
from consulta.web.publishing.models import Publication
from consulta.web.redactions.models import Redaction
from consulta.web.redactions.services import scan
from publishing_data import FAKE, SLUG, public_url

# Fixtures of publishing_data.py, used by name.
answered = publishing_data.answered
fake_renderers = publishing_data.fake_renderers

PUBLISH = reverse("publishing:publish", args=[SLUG])
INDEX = reverse("publishing:index", args=[SLUG])


def review_everything(consultation) -> None:
    scan(consultation)
    Redaction.objects.update(status=Redaction.Status.APPROVED)


def test_it_publishes_and_says_what_waits_for_review(answered, fake_renderers):
    note = services.withheld(answered)
    assert "wait" in note and "left out of the published quotes and responses" in note

    services.publish(answered)

    answered.refresh_from_db()
    assert answered.status == Consultation.Status.PUBLISHED
    assert Publication.objects.count() == 1
    review_everything(answered)
    assert services.withheld(answered) == ""


def test_it_refuses_a_draft_consultation(consultation, fake_renderers):
    consultation.status = Consultation.Status.DRAFT
    consultation.save()
    with pytest.raises(services.PublishRefused, match="draft"):
        services.publish(consultation)


def test_it_stores_each_publication_as_a_new_version_and_marks_it_published(
        answered, fake_renderers, organiser):
    review_everything(answered)

    first = services.publish(answered, organiser)
    second = services.publish(answered, organiser)

    assert (first.version, second.version) == (1, 2)
    assert bytes(second.pdf) == FAKE.pdf and bytes(second.docx) == FAKE.docx
    answered.refresh_from_db()
    assert answered.status == Consultation.Status.PUBLISHED
    events = [e.additional_data["event"] for e in LogEntry.objects.filter(
        additional_data__event__kind=services.PUBLISHED)]
    assert sorted(e["version"] for e in events) == [1, 2]


def test_the_command_publishes_and_says_where(answered, fake_renderers, tmp_path, capsys,
                                              smtp_server):
    review_everything(answered)

    assert main(["publish", "--consultation", SLUG, "--data-dir", str(tmp_path)]) == 0

    out = capsys.readouterr().out
    assert "Published version 1 of the results: http" in out and "/c/policing-a/results/" in out
    assert Publication.objects.get().consultation == answered


def test_the_command_refuses_without_a_traceback(consultation, fake_renderers, tmp_path,
                                                 capsys):
    consultation.status = Consultation.Status.DRAFT
    consultation.save()
    assert main(["publish", "--consultation", consultation.slug, "--data-dir",
                 str(tmp_path)]) == 2
    assert "Not published:" in capsys.readouterr().err
    assert main(["publish", "--consultation", "nope", "--data-dir", str(tmp_path)]) == 2


def test_the_command_says_what_waits_for_review(answered, fake_renderers, tmp_path, capsys):
    assert main(["publish", "--consultation", SLUG, "--no-email", "--data-dir",
                 str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Published version 1" in out and "wait" in out and "Traceback" not in out


def test_the_command_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["publish", "--help"])
    assert "consulta publish --consultation future-of-london-policing" in capsys.readouterr().out


def test_an_organiser_publishes_from_the_back_office(client, answered, organiser,
                                                      fake_renderers, django_capture_on_commit_callbacks):
    review_everything(answered)
    client.force_login(organiser)
    assert "Publish the results" in client.get(INDEX).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PUBLISH)

    assert response.status_code == 302 and response.url == INDEX
    assert "Results published (version 1)" in " ".join(map(str, get_messages(response.wsgi_request)))
    assert client.get(public_url("results")).status_code == 200


def test_the_back_office_says_what_waits_for_review(client, answered, organiser, fake_renderers):
    client.force_login(organiser)
    page = client.get(INDEX).content.decode()
    assert "left out of the published quotes and responses" in page
    assert "Publish the results" in page

    response = client.post(PUBLISH)
    assert response.status_code == 302
    assert "wait" in " ".join(map(str, get_messages(response.wsgi_request)))
    assert Publication.objects.count() == 1


def test_analysts_and_outsiders_cannot_publish(client, answered, analyst, outsider,
                                               fake_renderers):
    review_everything(answered)
    client.force_login(analyst)
    assert client.get(INDEX).status_code == 200
    assert client.post(PUBLISH).status_code == 403
    client.force_login(outsider)
    assert client.get(INDEX).status_code == 404
    assert client.post(PUBLISH).status_code == 404
    assert not Publication.objects.exists()


def test_publish_takes_only_post(client, organiser, fake_renderers):
    client.force_login(organiser)
    assert client.get(PUBLISH).status_code == 405


def test_it_publishes_with_the_real_renderers(answered, organiser):
    pytest.importorskip("weasyprint")
    try:
        from consulta.web.reports import render  # noqa: F401
        from consulta.web.reports.docx import render as docx  # noqa: F401
    except ImportError:
        pytest.skip("the report renderers are not there yet")
    review_everything(answered)

    publication = services.publish(answered, organiser)

    assert bytes(publication.pdf).startswith(b"%PDF") and bytes(publication.docx)[:2] == b"PK"
    assert "must never be published" not in publication.html


def test_the_back_office_says_when_the_results_are_due(client, answered, organiser):
    from datetime import timedelta

    from django.utils import timezone

    last = answered.phases.order_by("-closes_at").first()
    due = timezone.localdate(last.closes_at + timedelta(weeks=12))
    client.force_login(organiser)
    page = client.get(INDEX).content.decode()
    assert f"within 12 weeks of closing: by {due:%-d %B %Y}" in page
