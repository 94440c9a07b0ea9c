"""Shared test data: named personas and small, deterministic consultations.

- Alice organises consultation A ("policing-a").
- Bob is an analyst on A: he can read it but not change it.
- Charlie organises consultation B ("policing-b") and is an outsider to A.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission, User

from consulta.web.consultations.models import (
    Consultation,
    Membership,
    Phase,
    Question,
    RespondentRole,
)
from consulta.web.stakeholders.models import Organisation, Person

# Fixtures shared by many modules, registered here rather than imported into each: the
# respondent journey's (phases, a respondent's browser, fresh rate limits), the loopback SMTP
# server, and the real browser's (tests/browser/browsing.py; a conftest.py there would shadow
# this one for the modules that import helpers from it).
pytest_plugins = ["test_respond_support", "smtp", "browser.browsing"]

# Fixed instants keep tests deterministic; phase 1 is over and phase 2 open "now" in most tests.
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PHASE_1_CLOSES = datetime(2026, 2, 1, 17, 0, tzinfo=UTC)
PHASE_2_CLOSES = datetime(2099, 3, 1, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects real passwords; tests only need a working hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, *, organiser: bool = True) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "correct horse battery")
    if organiser:
        user.user_permissions.add(Permission.objects.get(codename="add_consultation"))
    return user


def make_consultation(slug: str, title: str) -> Consultation:
    """A consultation shaped like the seed: an anonymous internal phase, then partners."""
    consultation = Consultation.objects.create(
        slug=slug,
        title=title,
        summary="What should the service do next?",
        run_by="Independent Review Body",
        run_for="Northshire Police",
        status=Consultation.Status.OPEN,
    )
    for position, name in enumerate(["police staff", "police officer", "senior leader"], 1):
        RespondentRole.objects.create(consultation=consultation, name=name, position=position)
    internal = Phase.objects.create(
        consultation=consultation, position=1, name="Staff and officers",
        audience=Phase.Audience.INTERNAL, anonymity=Phase.Anonymity.ANONYMOUS,
        opens_at=T0, closes_at=PHASE_1_CLOSES,
    )
    Question.objects.create(phase=internal, position=1, key="challenges",
                            title="What are the biggest challenges?")
    Question.objects.create(phase=internal, position=2, key="working_well",
                            title="Where is the service performing well?")
    partners = Phase.objects.create(
        consultation=consultation, position=2, name="Partners",
        audience=Phase.Audience.PARTNERS, anonymity=Phase.Anonymity.IDENTIFIED,
        opens_at=PHASE_1_CLOSES, closes_at=PHASE_2_CLOSES,
    )
    Question.objects.create(phase=partners, position=1, key="trust", required=True,
                            title="How can the service build trust?", context="Trust is earned.")
    Question.objects.create(phase=partners, position=2, key="partnership",
                            title="How can we work better with partners?")
    Question.objects.create(phase=partners, position=3, key="priority",
                            kind=Question.Kind.SINGLE_CHOICE, title="Which matters most?",
                            options=["Prevention", "Response", "Investigation"],
                            max_length=500)
    ambulance = Organisation.objects.create(consultation=consultation, name="Eastvale Ambulance Service",
                                            sector="public", type="ambulance service")
    charity = Organisation.objects.create(consultation=consultation, name="Safe Streets Trust",
                                          sector="voluntary", type="charity")
    Person.objects.create(consultation=consultation, name="Dana Okafor",
                          email="dana@eastvale-ambulance.example", organisation=ambulance,
                          job_title="Head of Operations")
    Person.objects.create(consultation=consultation, name="Sam Lee",
                          email="sam@safestreets.example", organisation=charity)
    return consultation


@pytest.fixture
def consultation(db) -> Consultation:
    return make_consultation("policing-a", "Policing A")


@pytest.fixture
def other_consultation(db) -> Consultation:
    return make_consultation("policing-b", "Policing B")


@pytest.fixture
def organiser(consultation) -> User:
    alice = make_user("alice")
    Membership.objects.create(consultation=consultation, user=alice)
    return alice


@pytest.fixture
def analyst(consultation) -> User:
    bob = make_user("bob", organiser=False)
    Membership.objects.create(consultation=consultation, user=bob, role=Membership.Role.ANALYST)
    return bob


@pytest.fixture
def outsider(other_consultation) -> User:
    charlie = make_user("charlie")
    Membership.objects.create(consultation=other_consultation, user=charlie)
    return charlie
