"""Shared fixtures and steps for the respondent journey tests (test_respond_*.py).

It holds no tests itself. The conftest's consultation "policing-a" is reused: its internal
phase (1, anonymous) is reopened here, its partner phase (2, identified) is open, and a public
phase (3) with one question of every kind is added.
"""

from __future__ import annotations

import re

import django_ratelimit.core
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from conftest import PHASE_1_CLOSES, PHASE_2_CLOSES, T0
from consulta.web.consultations.models import Phase, Question
from consulta.web.outreach.models import Invitation, InvitationToken
from consulta.web.stakeholders.models import Person
from consulta.web.tokens import hash_token, new_token

CLIENT_IP = "203.0.113.9"  # TEST-NET-3: a documentation address, never a real client
DRAFT_URL = re.compile(r"/r/(?P<token>[A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def fresh_rate_limits(monkeypatch):
    # Rate limits count in the cache, which outlives a test: every test starts with none used.
    # The counting window is pinned, so a test never straddles the turn of a minute or hour.
    monkeypatch.setattr(django_ratelimit.core, "_get_window", lambda value, period: 1_800_000_000)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def respondent_client() -> Client:
    """A browser with a fixed client address (which must never be stored)."""
    return Client(REMOTE_ADDR=CLIENT_IP)


@pytest.fixture
def internal_phase(consultation) -> Phase:
    phase = consultation.phases.get(position=1)
    phase.closes_at = PHASE_2_CLOSES  # open now, like phase 2
    phase.save()
    return phase


@pytest.fixture
def partner_phase(consultation) -> Phase:
    return consultation.phases.get(position=2)


@pytest.fixture
def public_phase(consultation) -> Phase:
    phase = Phase.objects.create(
        consultation=consultation, position=3, name="Everyone in Northshire",
        audience=Phase.Audience.PUBLIC, anonymity=Phase.Anonymity.IDENTIFIED,
        opens_at=PHASE_1_CLOSES, closes_at=PHASE_2_CLOSES,
    )
    Question.objects.create(phase=phase, position=1, key="views", title="What do you think?",
                            context="Say as much as you like.")
    Question.objects.create(phase=phase, position=2, key="area", kind=Question.Kind.SHORT_TEXT,
                            title="Which area do you live in?", max_length=500)
    Question.objects.create(phase=phase, position=3, key="safe", required=True,
                            kind=Question.Kind.AGREEMENT_SCALE, title="I feel safe at night.",
                            max_length=500)
    Question.objects.create(phase=phase, position=4, key="contact",
                            kind=Question.Kind.MULTIPLE_CHOICE, title="How do you contact us?",
                            options=["Phone", "Online", "In person"], max_length=500)
    Question.objects.create(phase=phase, position=5, key="first", kind=Question.Kind.SINGLE_CHOICE,
                            title="Which comes first?", options=["Prevention", "Response"],
                            max_length=500)
    return phase


def close(phase: Phase) -> None:
    phase.opens_at, phase.closes_at = T0, PHASE_1_CLOSES
    phase.save()


def invite(phase: Phase, person: Person) -> tuple[Invitation, str]:
    """An invitation as the outreach app makes it: one row, and a personal link (hashed)."""
    invitation = Invitation.objects.create(
        phase=phase, person=person, organisation=person.organisation, sent_at=T0, send_count=1
    )
    token = new_token()
    InvitationToken.objects.create(invitation=invitation, token_hash=hash_token(token))
    return invitation, token


def token_in(url: str) -> str:
    match = DRAFT_URL.search(url)
    assert match, f"no draft link in {url}"
    return match["token"]


def begin(client: Client, phase: Phase, number: int, key: str = "") -> str:
    """Start a draft from a phase's start page; returns the draft's token."""
    url = reverse("respond:begin", kwargs={"slug": phase.consultation.slug, "number": number})
    response = client.post(url, {"key": key} if key else {})
    assert response.status_code == 303, response.status_code
    return token_in(response["Location"])


def begin_invited(client: Client, invitation_token: str) -> str:
    response = client.post(reverse("respond:invitation-begin", kwargs={"token": invitation_token}))
    assert response.status_code == 303, response.status_code
    return token_in(response["Location"])


def url(name: str, token: str, **kwargs) -> str:
    return reverse(f"respond:{name}", kwargs={"token": token, **kwargs})


def save(client: Client, token: str, position: int, answer, revision: int = 0, **extra):
    data = {"answer": answer, "revision": revision, **extra}
    return client.post(url("question-save", token, position=position), data)


def page(client: Client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, (address, response.status_code)
    return response.content.decode()
