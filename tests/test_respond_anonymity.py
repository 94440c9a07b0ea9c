"""After an anonymous internal response is submitted, nothing in the database links it to a
person, an invitation, an IP address or a session: every table is searched."""

from __future__ import annotations

from datetime import time, timezone

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.urls import reverse

from consulta.web.outreach.models import Invitation, InvitationToken
from consulta.web.responses.models import Answer, Respondent, Response
from consulta.web.stakeholders.models import Person
from consulta.web.tokens import hash_token
from test_respond_support import (  # noqa: F401 (fixtures)
    CLIENT_IP,
    begin,
    begin_invited,
    fresh_rate_limits,
    internal_phase,
    invite,
    page,
    save,
    url,
)

RETURN_ADDRESS = "night-shift@staff.example"


def every_row():
    """(model, row, {field name: value as text}) for every row of every table."""
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        for row in model._default_manager.all():
            yield model, row, {f.name: str(f.value_from_object(row)) for f in fields}


def links_to(model, row, values: dict, response: Response) -> bool:
    """Whether a row points at the response (a foreign key, or an audit entry about it)."""
    for field in model._meta.concrete_fields:
        if (isinstance(field, models.ForeignKey) and field.related_model is Response
                and values[field.name] == str(response.pk)):
            return True
    return model is Response and row.pk == response.pk


def answer_everything(client: Client, token: str, phase) -> None:
    save(client, token, 1, "Shift patterns break people.")
    save(client, token, 2, "Custody suite teamwork.")
    role = phase.consultation.roles.get(name="police staff")
    assert client.post(url("about-save", token), {"role": role.pk}).status_code == 303
    assert client.post(url("consent-save", token), {"consent": "anonymous"}).status_code == 303
    # Asking for a return link uses an address: it must not be kept.
    sent = client.post(url("return-link-send", token), {"email": RETURN_ADDRESS})
    assert sent.status_code == 303
    assert client.post(url("submit", token)).status_code == 303


IDENTITY_MODELS = {Invitation, InvitationToken, Person, Respondent}


def assert_nothing_links(response: Response, client: Client, *, secrets: list[str],
                         identity: list[str] = ()) -> None:
    """``secrets`` may be nowhere at all; ``identity`` (who was invited) nowhere in a row that
    points at the response; and no row but the response's own answers may point at it."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    secrets = [*secrets, cookie.value] if cookie else list(secrets)
    for model, row, values in every_row():
        text = " ".join(values.values())
        for secret in secrets:
            assert secret not in text, f"{model.__name__} {row.pk} holds {secret!r}"
        if response.reference in text:
            assert model is Response, f"{model.__name__} {row.pk} names the response"
        if not links_to(model, row, values, response):
            continue
        assert model in {Response, Answer}, f"{model.__name__} {row.pk} points at the response"
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model in IDENTITY_MODELS:
                assert values[field.name] == "None", f"{model.__name__}.{field.name} is set"
        for mark in identity:
            assert mark not in text, f"{model.__name__} {row.pk} holds {mark!r}"
    assert not Session.objects.exists()


def test_it_keeps_no_trace_of_a_staff_link_respondent(internal_phase):
    client = Client(REMOTE_ADDR=CLIENT_IP)
    start = reverse("respond:phase-start", kwargs={"slug": "policing-a", "number": 1})
    page(client, f"{start}?key={internal_phase.access_key}")
    token = begin(client, internal_phase, 1, key=internal_phase.access_key)
    answer_everything(client, token, internal_phase)

    response = Response.objects.get()
    assert response.status == Response.Status.SUBMITTED and response.answers.count() == 2
    assert settings.SESSION_COOKIE_NAME not in client.cookies  # the journey made no session
    assert_nothing_links(response, client,
                         secrets=[token, hash_token(token), CLIENT_IP, RETURN_ADDRESS])


def test_it_keeps_no_trace_of_a_personal_link_respondent(internal_phase, mailoutbox):
    client = Client(REMOTE_ADDR=CLIENT_IP)
    officer = Person.objects.create(consultation=internal_phase.consultation,
                                    name="Constable Morgan", email="morgan@police.example")
    invitation, invitation_token = invite(internal_phase, officer)
    page(client, reverse("respond:invitation", kwargs={"token": invitation_token}))
    token = begin_invited(client, invitation_token)
    invitation.refresh_from_db()
    assert invitation.response is not None  # linked while a draft...
    answer_everything(client, token, internal_phase)

    response = Response.objects.get()
    invitation.refresh_from_db()
    assert invitation.response is None  # ...and no longer once submitted
    assert invitation.status == Invitation.Status.SUBMITTED
    for moment in (invitation.opened_at, invitation.started_at, invitation.submitted_at):
        # Only the day is kept: the invitation cannot be matched to the response by time.
        assert moment.astimezone(timezone.utc).timetz() == time(0, tzinfo=timezone.utc)
    assert not hasattr(response, "respondent") or response.respondent is None
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert [m.to for m in mailoutbox] == [[RETURN_ADDRESS]]  # the return link; no receipt
    assert not Response.objects.filter(invitations=invitation).exists()
    assert_nothing_links(
        response, client,
        secrets=[token, hash_token(token), CLIENT_IP, RETURN_ADDRESS],
        identity=[invitation_token, hash_token(invitation_token), officer.email, officer.name],
    )


def test_it_would_find_a_trace_if_one_were_left(internal_phase):
    """The search itself works: a draft still holds its link, and the test says so."""
    client = Client(REMOTE_ADDR=CLIENT_IP)
    token = begin(client, internal_phase, 1, key=internal_phase.access_key)
    with pytest.raises(AssertionError, match="DraftAccess"):
        assert_nothing_links(Response.objects.get(), client, secrets=[hash_token(token)])
