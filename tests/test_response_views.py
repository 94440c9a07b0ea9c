"""The responses pages: what has come in per phase, and importing responses into a phase."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consulta.web.responses.models import Answer, Respondent, Response

SLUG = "policing-a"
GOOD = b"trust,email,respondent\nListen more.,jo@example.org,Jo Bloggs\n"
BAD = b"trust,priority\n,Everything\n"


def upload(data: bytes, name: str = "responses.csv", channel: str = "paper") -> dict:
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "channel": channel}


def index_url() -> str:
    return reverse("responses:index", args=[SLUG])


def form_url(number: int = 2) -> str:
    return reverse("responses:import-form", args=[SLUG, number])


def run_url(number: int = 2) -> str:
    return reverse("responses:import", args=[SLUG, number])


def submitted(phase, text: str, *, minutes: int = 0, **fields) -> Response:
    when = datetime(2026, 2, 10, 12, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    response = Response.objects.create(phase=phase, status=Response.Status.SUBMITTED,
                                       submitted_at=when, **fields)
    Answer.objects.create(response=response, question=phase.questions.first(), text=text)
    return response


def test_it_counts_responses_per_phase_and_lists_them(client, organiser, consultation):
    internal, partners = consultation.phases.all()
    trust = consultation.organisations.get(name="Safe Streets Trust")
    submitted(partners, "Keep promises.", organisation=trust, channel=Response.Channel.PAPER,
              reference="PAPR-0001")
    for minutes in range(55):
        submitted(internal, f"Answer {minutes}", minutes=minutes)
    Response.objects.create(phase=partners)  # a draft
    client.force_login(organiser)
    response = client.get(index_url())
    assert response.status_code == 200
    first, second = response.context["phases"]
    assert (first["phase"].submitted, first["phase"].drafts) == (55, 0)
    assert (second["phase"].submitted, second["phase"].drafts) == (1, 1)
    assert len(response.context["rows"]) == 50  # a page of the 56 submitted
    page = response.content.decode()
    assert "Answer 5" not in page  # no answer in the list: it would help tell who wrote it
    assert form_url(1) in page and form_url(2) in page
    page = client.get(index_url(), {"phase": "2"}).content.decode()
    assert "PAPR-0001" in page and "Safe Streets Trust" in page
    assert "Voluntary and community" in page


def test_it_shows_answer_text_escaped(client, organiser, consultation):
    answered = submitted(consultation.phases.get(position=2), "<script>alert(1)</script>")
    client.force_login(organiser)
    page = client.get(reverse("responses:detail", args=[SLUG, answered.reference]))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()
    assert "<script>alert(1)" not in page.content.decode()


def test_it_shows_the_list_to_analysts_without_import_links(client, analyst):
    client.force_login(analyst)
    response = client.get(index_url())
    assert response.status_code == 200
    assert form_url(1) not in response.content.decode()


def test_it_hides_the_pages_from_outsiders(client, outsider, consultation):
    client.force_login(outsider)
    assert client.get(index_url()).status_code == 404
    assert client.get(form_url()).status_code == 404


def test_it_sends_signed_out_visitors_to_sign_in(client, consultation):
    for url in (index_url(), form_url(), run_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_it_shows_the_accepted_columns_of_the_phase(client, organiser):
    client.force_login(organiser)
    response = client.get(form_url(2))
    assert response.status_code == 200
    page = response.content.decode()
    for column in ("trust", "partnership", "priority", "respondent", "email", "submitted_at",
                   "on_behalf"):
        assert f"<code>{column}</code>" in page
    assert "How can the service build trust?" in page
    assert "Prevention, Response, Investigation" in page
    assert f'action="{run_url(2)}"' in page


def test_it_leaves_identity_columns_out_of_an_anonymous_phase(client, organiser):
    client.force_login(organiser)
    page = client.get(form_url(1)).content.decode()
    assert "<code>challenges</code>" in page and "<code>role</code>" in page
    assert "<code>email</code>" not in page and "<code>respondent</code>" not in page
    assert "This phase is anonymous" in page


def test_it_404s_for_a_phase_that_does_not_exist(client, organiser):
    client.force_login(organiser)
    assert client.get(form_url(3)).status_code == 404
    assert client.get(form_url(0)).status_code == 404
    assert client.post(run_url(3), upload(GOOD)).status_code == 404


def test_it_refuses_the_import_pages_to_analysts_and_outsiders(client, analyst, outsider):
    client.force_login(analyst)
    assert client.get(form_url()).status_code == 403
    assert client.post(run_url(), upload(GOOD)).status_code == 403
    client.force_login(outsider)
    assert client.post(run_url(), upload(GOOD)).status_code == 404
    assert not Response.objects.exists()


def test_it_imports_and_reports_the_counts(client, organiser, consultation):
    client.force_login(organiser)
    response = client.post(run_url(2), upload(GOOD), follow=True)
    assert response.redirect_chain[-1][0] == index_url()
    imported = Response.objects.get(phase=consultation.phases.get(position=2))
    assert (imported.status, imported.channel) == ("submitted", "paper")
    assert Respondent.objects.get(response=imported).name == "Jo Bloggs"
    assert "responses created: 1" in response.content.decode()


def test_it_shows_warnings_after_an_import(client, organiser):
    client.force_login(organiser)
    data = b"trust\nSame words.\nSame words.\n"
    response = client.post(run_url(2), upload(data), follow=True)
    assert "The answers are exactly the same as in row 2." in response.content.decode()
    assert Response.objects.count() == 2


def test_it_shows_the_first_twenty_warnings_and_counts_the_rest(client, organiser):
    client.force_login(organiser)
    data = b"challenges,consent\nStaffing.,full\n" + b",full\n" * 22
    response = client.post(run_url(1), upload(data), follow=True)
    page = response.content.decode()
    assert page.count("Every answer is empty: the row was skipped.") == 20
    assert "… and 2 more warning(s)." in page
    assert Response.objects.count() == 1


def test_it_shows_a_report_table_when_the_file_is_refused(client, organiser):
    client.force_login(organiser)
    response = client.post(run_url(2), upload(BAD))
    assert response.status_code == 400
    page = response.content.decode()
    assert '<table id="report">' in page
    assert "This question must be answered." in page
    assert "“Everything” is not one of the options" in page
    assert {(p.row, p.column) for p in response.context["report"].errors} == \
        {(2, "trust"), (2, "priority")}
    assert not Response.objects.exists()


def test_it_refuses_identity_columns_for_an_anonymous_phase(client, organiser):
    client.force_login(organiser)
    response = client.post(run_url(1), upload(b"challenges,email\nStaffing.,x@example.org\n"))
    assert response.status_code == 400
    assert "This phase is anonymous" in response.content.decode()
    assert not Response.objects.exists()


def test_it_refuses_an_upload_over_the_limit(client, organiser, settings):
    settings.CONSULTA_MAX_IMPORT_BYTES = 1024 * 1024
    client.force_login(organiser)
    response = client.post(run_url(2), upload(GOOD + b"x" * (3 * 1024 * 1024)))
    assert response.status_code == 400
    assert "The file is 3 MB, which is over the limit of 1 MB" in response.content.decode()
    assert not Response.objects.exists()


def test_it_refuses_an_unknown_channel_choice(client, organiser):
    client.force_login(organiser)
    response = client.post(run_url(2), upload(GOOD, channel="fax"))
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_it_only_imports_on_post(client, organiser):
    client.force_login(organiser)
    assert client.get(run_url(2)).status_code == 405
    assert client.post(form_url(2)).status_code == 405
    assert client.post(index_url()).status_code == 405
