"""The audit trail reads as sentences and holds the events, not only model changes: sends,
reminders, sign-ins, downloads, wording edits and analysis runs; and it can be filtered."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from analysis_answers import TOPICS, add_answers
from consulta.cli import main
from consulta.web.analysis.models import AnalysisRun, CodedTheme
from consulta.web.analysis.services import analyse_consultation
from consulta.web.consultations import audit
from consulta.web.outreach import tasks
from consulta.web.stakeholders.models import AudienceMember
from test_consultation_views import all_rows

SLUG = "policing-a"


def audit_url(slug: str = SLUG, **query) -> str:
    url = reverse("consultations:audit", kwargs={"slug": slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def sentences(client, **query) -> list[str]:
    html = client.get(audit_url(**query)).content.decode()
    if "<table" not in html:
        return []
    return [row[1] for row in all_rows(html, "Latest")[1:]]


def outreach_url(name: str, *args) -> str:
    return reverse(f"outreach:{name}", args=[SLUG, 2, *args])


@pytest.fixture
def signed_in(client, organiser, consultation):
    """Alice, signed in, with Dana and Sam in phase 2's audience."""
    phase = consultation.phases.get(position=2)
    for person in consultation.people.all():
        AudienceMember.objects.create(phase=phase, person=person)
    client.force_login(organiser)
    return client


# Events as sentences ----------------------------------------------------------------------------


def test_it_records_invitations_sent_from_the_back_office(signed_in):
    signed_in.post(outreach_url("invite"))
    assert "alice sent invitations for Phase 2: Partners: 2 invitations" in sentences(signed_in)


def test_it_records_a_batch_queued_for_the_worker_and_what_the_worker_sent(signed_in,
                                                                           settings):
    settings.CONSULTA_SEND_INLINE_LIMIT = 1
    signed_in.post(outreach_url("invite"))
    assert ("alice queued invitations to 2 people for Phase 2: Partners (the worker sends them)"
            in sentences(signed_in))
    phase = signed_in.get(audit_url()).context["consultation"].phases.get(position=2)
    tasks.send_invitations_task.call(phase_id=phase.pk)
    assert ("The background worker sent invitations for Phase 2: Partners: 2 invitations"
            in sentences(signed_in))


def test_it_records_reminders(signed_in, consultation):
    phase = consultation.phases.get(position=2)
    tasks.send_invitations_task.call(phase_id=phase.pk)
    signed_in.post(outreach_url("remind"))
    assert "alice sent reminders for Phase 2: Partners: 2 reminders" in sentences(signed_in)


def test_it_records_sends_from_the_command_line(signed_in, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CONSULTA_DATA_DIR", str(tmp_path))
    main(["invite", "--consultation", SLUG, "--phase", "2", "--data-dir", str(tmp_path)])
    assert ("Someone at the command line sent invitations for Phase 2: Partners: 2 invitations"
            in sentences(signed_in))


def test_it_does_not_record_a_send_that_reached_nobody(signed_in, consultation):
    phase = consultation.phases.get(position=2)
    tasks.send_invitations_task.call(phase_id=phase.pk)
    before = LogEntry.objects.count()
    tasks.send_invitations_task.call(phase_id=phase.pk)  # everyone is already invited
    assert LogEntry.objects.count() == before


def test_it_records_wording_edits_by_the_parts_changed(signed_in):
    signed_in.post(outreach_url("message-update", "invitation"),
                   {"subject": "Have your say", "body": "Please respond: {link}"})
    assert ("alice edited the invitation wording for Phase 2: Partners (subject, body)"
            in sentences(signed_in))
    entry = LogEntry.objects.filter(additional_data__event__kind=audit.WORDING).get()
    assert "Please respond" not in str(entry.additional_data)  # the page has the wording


def test_it_records_sign_ins_in_each_consultation_of_the_user_without_an_address(
        client, organiser, consultation, other_consultation):
    response = client.post(reverse("accounts:login"),
                           {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 302
    assert "alice signed in" in sentences(client)
    entry = LogEntry.objects.filter(additional_data__event__kind=audit.SIGN_IN).get()
    assert entry.additional_data["consultation_id"] == consultation.pk  # not B: not a member
    assert entry.remote_addr is None


def test_it_records_analysis_runs_queued_finished_and_downloaded(signed_in, analyst, client,
                                                                 consultation):
    add_answers(consultation)
    signed_in.post(reverse("analysis:queue", args=[SLUG]))
    queued = consultation.analysis_runs.get()
    run = analyse_consultation(consultation, embedder="tfidf")
    client.force_login(analyst)
    client.get(reverse("analysis:download", args=[SLUG, run.pk, "answers.csv"]))
    trail = sentences(client)
    assert f"alice started an analysis (analysis run {queued.pk})" in trail
    [finished] = [s for s in trail if s.startswith(f"Analysis run {run.pk} finished: ")]
    assert finished.endswith(" themes") and " answers, " in finished, finished
    assert f"bob downloaded answers.csv of analysis run {run.pk}" in trail


def test_a_failed_analysis_is_recorded_without_the_error_which_could_quote_an_answer(
        signed_in, consultation, monkeypatch):
    add_answers(consultation)
    words = TOPICS["patrols"][0]

    def broken(*args, **kwargs):
        raise RuntimeError(words)

    monkeypatch.setattr(CodedTheme.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        analyse_consultation(consultation, embedder="tfidf")
    run = consultation.analysis_runs.get()
    html = signed_in.get(audit_url()).content.decode()
    assert f"Analysis run {run.pk} failed (the Analysis page says why)" in html
    assert words not in html


def test_changes_read_with_the_fields_old_and_new_values(signed_in, consultation):
    phase = consultation.phases.get(position=2)
    phase.name = "Partners and public"
    phase.save()
    assert any(s.startswith("Consulta changed Phase 2: Partners and public (name: Partners → "
                            "Partners and public") for s in sentences(signed_in))


# Filters ---------------------------------------------------------------------------------------


@pytest.fixture
def varied_trail(consultation, organiser, analyst):
    audit.record(consultation, organiser, audit.SIGN_IN)
    audit.record(consultation, analyst, audit.DOWNLOAD, run=7, file="themes.csv")
    audit.record(consultation, None, audit.INVITATIONS, via=audit.WORKER, phase="Phase 2: P",
                 sent=3, bounced=1)
    older = audit.record(consultation, organiser, audit.WORDING, phase="Phase 2: P",
                         message="reminder", fields=["body"])
    LogEntry.objects.filter(pk=older.pk).update(timestamp="2026-01-10T12:00:00Z")


def test_it_filters_by_kind_of_event(signed_in, varied_trail):
    assert sentences(signed_in, kind="sends") == [
        "The background worker sent invitations for Phase 2: P: 3 invitations, 1 bounced"]
    assert sentences(signed_in, kind="downloads") == [
        "bob downloaded themes.csv of analysis run 7"]
    changes = sentences(signed_in, kind="changes")
    assert changes and all(" added " in s or " changed " in s for s in changes)


def test_it_filters_by_who(signed_in, varied_trail, analyst):
    assert sentences(signed_in, actor=analyst.pk) == ["bob downloaded themes.csv of analysis run 7"]
    nobody = sentences(signed_in, actor="none")
    assert "The background worker sent invitations for Phase 2: P: 3 invitations, 1 bounced" \
        in nobody and not [s for s in nobody if s.startswith(("alice", "bob"))]


def test_it_filters_by_dates(signed_in, varied_trail):
    assert sentences(signed_in, since="2026-01-10", until="2026-01-10") == [
        "alice edited the reminder wording for Phase 2: P (body)"]
    assert "alice edited the reminder wording for Phase 2: P (body)" not in sentences(
        signed_in, since="2026-01-11")


def test_it_explains_a_date_range_that_ends_before_it_starts(signed_in, varied_trail):
    response = signed_in.get(audit_url(since="2026-02-01", until="2026-01-01"))
    assert response.status_code == 200
    assert "The end date must be on or after the start date" in response.content.decode()


# Access ----------------------------------------------------------------------------------------


def test_analysts_read_the_trail_and_outsiders_get_404(client, analyst, outsider, varied_trail):
    client.force_login(analyst)
    assert client.get(audit_url()).status_code == 200
    client.force_login(outsider)
    assert client.get(audit_url()).status_code == 404
    assert client.get(audit_url(kind="sends")).status_code == 404


def test_the_trail_is_read_only(signed_in):
    assert signed_in.post(audit_url()).status_code == 405


def test_analysis_runs_recorded_here_name_no_respondent(signed_in, consultation):
    add_answers(consultation)
    analyse_consultation(consultation, embedder="tfidf")
    entry = LogEntry.objects.filter(additional_data__event__kind=audit.ANALYSIS_DONE).get()
    text = str(entry.additional_data)
    assert not [answer for answers in TOPICS.values() for answer in answers if answer in text]
    assert AnalysisRun.objects.filter(pk=entry.additional_data["event"]["run"]).exists()


# Entries other parts of the back office write read as sentences too ----------------------------


@pytest.mark.parametrize("details,sentence", [
    ({"staff_link": "replaced"},
     "alice replaced the staff link of Policing A (the old link stopped working)"),
    ({"merge": {"summary": "Merged the organisation “Eastvale” into “Eastvale Ambulance”.",
                "counts": {}}},
     "alice merged the organisation “Eastvale” into “Eastvale Ambulance”"),
    ({"response": {"event": "withdrawn", "reference": "R7K2", "reason": "sent twice"}},
     "alice withdrew response R7K2 (reason: sent twice)"),
    ({"response": {"event": "organisation confirmed", "reference": "R7K2",
                   "organisation": "Safe Streets Trust"}},
     "alice confirmed that response R7K2 is from “Safe Streets Trust”"),
    ({"erasure": {"counts": {"people": 1, "invitations": 2}}},
     "alice erased a person's details (1 person, 2 invitations)"),
    ({"event": {"kind": "download", "file": "policing-a-stakeholders.xlsx"}},
     "alice downloaded policing-a-stakeholders.xlsx"),
])
def test_other_events_read_as_sentences(consultation, organiser, details, sentence):
    from consulta.web.consultations.audit_trail import describe

    entry = LogEntry.objects.log_create(
        consultation, force_log=True, action=LogEntry.Action.UPDATE, actor=organiser,
        additional_data={**consultation.get_additional_data(), **details})
    assert describe(entry).sentence == sentence
