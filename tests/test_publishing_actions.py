""""We asked, you said, we did": organisers record actions with statuses and dated updates;
analysts read, outsiders see nothing; every change is audited; the public page shows them."""

from __future__ import annotations

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

import publishing_data
from consulta.web.publishing.models import Action, ActionUpdate, Status
from publishing_data import SLUG, public_url, publish

# Fixtures of publishing_data.py, used by name.
answered = publishing_data.answered
fake_renderers = publishing_data.fake_renderers

NEW = reverse("publishing:action-new", args=[SLUG])
CREATE = reverse("publishing:action-create", args=[SLUG])
INDEX = reverse("publishing:index", args=[SLUG])


def trust(consultation):
    return consultation.phases.get(position=2).questions.get(key="trust")


@pytest.fixture
def action(consultation, organiser):
    return Action.objects.create(consultation=consultation, question=trust(consultation),
                                 text="Publish stop and search figures monthly.",
                                 created_by=organiser)


def edit_url(action, what="action-save") -> str:
    return reverse(f"publishing:{what}", args=[SLUG, action.pk])


def test_an_organiser_records_an_action_for_a_question(client, consultation, organiser):
    client.force_login(organiser)
    assert client.get(NEW).status_code == 200

    response = client.post(CREATE, {"question": trust(consultation).pk, "theme_key": "",
                                    "text": "Open the station front desk at weekends.",
                                    "status": Status.PLANNED, "reason": ""})

    assert response.status_code == 302 and response.url == INDEX
    action = Action.objects.get()
    assert (action.status, action.created_by) == (Status.PLANNED, organiser)
    assert LogEntry.objects.get_for_object(action).filter(action=LogEntry.Action.CREATE).exists()
    assert "Open the station front desk" in client.get(INDEX).content.decode()


def test_not_taken_forward_needs_a_reason(client, consultation, organiser, action):
    client.force_login(organiser)
    data = {"question": "", "theme_key": "", "text": action.text, "status": Status.NOT_TAKEN,
            "reason": " "}

    refused = client.post(edit_url(action), data)

    assert refused.status_code == 400
    assert "Say why it is not being taken forward" in refused.content.decode()
    data["reason"] = "The budget for 2027 is already committed."
    assert client.post(edit_url(action), data).status_code == 302
    action.refresh_from_db()
    assert action.status == Status.NOT_TAKEN and action.reason.startswith("The budget")
    changes = LogEntry.objects.get_for_object(action).filter(action=LogEntry.Action.UPDATE)
    assert changes.filter(actor=organiser).exists()


def test_a_theme_must_belong_to_the_chosen_question(consultation, organiser):
    from consulta.web.publishing.forms import ActionForm

    form = ActionForm({"question": "", "theme_key": "t01", "text": "x",
                       "status": Status.PLANNED}, consultation=consultation)
    assert not form.is_valid()  # no analysis: no theme can be chosen


def test_an_update_moves_the_action_on_and_is_dated(client, consultation, organiser, action,
                                                    django_capture_on_commit_callbacks):
    client.force_login(organiser)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(edit_url(action, "update-add"), {
            "update-date": "2026-03-02", "update-status": Status.IN_PROGRESS,
            "update-text": "The first monthly figures are online."})

    assert response.status_code == 302
    update = ActionUpdate.objects.get()
    assert update.date == date(2026, 3, 2)
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS
    assert LogEntry.objects.get_for_object(update).exists()


def test_an_update_not_taken_forward_gives_its_reason(client, organiser, action):
    client.force_login(organiser)
    client.post(edit_url(action, "update-add"), {
        "update-date": "2026-04-01", "update-status": Status.NOT_TAKEN,
        "update-text": "Legal advice says the figures cannot be split by ward."})

    action.refresh_from_db()
    assert action.status == Status.NOT_TAKEN and "Legal advice" in action.reason


def test_an_invalid_update_shows_the_errors(client, organiser, action):
    client.force_login(organiser)
    response = client.post(edit_url(action, "update-add"), {
        "update-date": "not a date", "update-status": "done", "update-text": ""})
    assert response.status_code == 400
    assert not ActionUpdate.objects.exists()


def test_analysts_and_outsiders_cannot_change_actions(client, consultation, analyst, outsider,
                                                      action):
    posts = [(CREATE, {"text": "x", "status": Status.PLANNED}),
             (edit_url(action), {"text": "x", "status": Status.PLANNED}),
             (edit_url(action, "update-add"), {"update-text": "x"})]
    client.force_login(analyst)
    assert client.get(INDEX).status_code == 200
    for address, data in posts:
        assert client.post(address, data).status_code == 403
    assert client.get(NEW).status_code == 403
    client.force_login(outsider)
    for address, data in posts:
        assert client.post(address, data).status_code == 404
    assert client.get(INDEX).status_code == 404
    action.refresh_from_db()
    assert action.text.startswith("Publish stop") and not ActionUpdate.objects.exists()


def test_the_action_pages_take_only_their_methods(client, organiser, action):
    client.force_login(organiser)
    assert client.get(CREATE).status_code == 405
    assert client.get(edit_url(action)).status_code == 405
    assert client.get(edit_url(action, "update-add")).status_code == 405
    assert client.post(NEW).status_code == 405
    assert client.post(edit_url(action, "action")).status_code == 405


def test_another_consultations_action_is_404(client, organiser, other_consultation):
    foreign = Action.objects.create(consultation=other_consultation, text="Theirs")
    client.force_login(organiser)
    assert client.get(reverse("publishing:action", args=[SLUG, foreign.pk])).status_code == 404


def test_the_public_page_shows_statuses_reasons_and_dated_updates(client, answered, action,
                                                                  fake_renderers):
    from consulta.web.redactions.models import Redaction
    from consulta.web.redactions.services import scan

    scan(answered)
    Redaction.objects.update(status=Redaction.Status.APPROVED)
    ActionUpdate.objects.create(action=action, date=date(2026, 3, 2), status=Status.DONE,
                                text="Figures published every month since March.")
    Action.objects.create(consultation=answered, text="A new station.",
                          status=Status.NOT_TAKEN, reason="No site is available.")
    publish(answered)

    html = client.get(public_url("results")).content.decode()

    assert "Publish stop and search figures monthly." in html
    assert "2 March 2026" in html and "Figures published every month" in html
    assert "Not taken forward" in html and "No site is available." in html
