"""Inviting a colleague to a consultation by email: a single-use, expiring link with which they
set their own password, or accept with the account they have."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from consulta.web.accounts.models import ColleagueInvitation
from consulta.web.consultations.models import Membership
from consulta.web.tokens import hash_token

INVITE = reverse("accounts:invite", args=["policing-a"])
GOOD_PASSWORD = "lantern orchard velvet"


def send(client, email="dora@example.org", role="analyst"):
    return client.post(INVITE, {"invite-email": email, "invite-role": role})


def emailed_link() -> str:
    """The path of the invitation link in the last email."""
    link = re.search(r"https://consult\.example\.org(/accounts/invitation/\S+/)", mail.outbox[-1].body)
    return link.group(1)


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.CONSULTA_BASE_URL = "https://consult.example.org"


@pytest.fixture
def invited(client, organiser) -> str:
    """Alice invites dora@example.org as an analyst; the link's path. Nobody is signed in after."""
    client.force_login(organiser)
    send(client)
    client.post(reverse("accounts:logout"))
    return emailed_link()


def test_it_emails_a_single_use_link_stored_only_as_a_hash(client, organiser):
    client.force_login(organiser)
    response = send(client)
    assert response["Location"] == reverse("consultations:members", args=["policing-a"])
    message = mail.outbox[0]
    assert message.to == ["dora@example.org"]
    assert message.subject == "You are invited to help run a consultation: Policing A"
    assert "alice has invited you" in message.body and "as analyst" in message.body
    token = emailed_link().split("/")[-2]
    invitation = ColleagueInvitation.objects.get()
    assert invitation.token_hash == hash_token(token)
    assert token not in str(ColleagueInvitation.objects.values().get())
    lifetime = invitation.expires_at - invitation.created_at
    assert timedelta(days=7) <= lifetime < timedelta(days=7, seconds=1)


def test_it_records_the_invitation_in_the_consultation_s_audit_trail(client, organiser,
                                                                      consultation):
    client.force_login(organiser)
    send(client)
    entry = LogEntry.objects.get(content_type__model="colleagueinvitation")
    assert entry.additional_data["consultation_id"] == consultation.pk
    assert entry.actor == organiser
    assert "token_hash" not in entry.changes_dict
    html = client.get(reverse("consultations:audit", args=["policing-a"])).content.decode()
    assert "Invitation for dora@example.org as Analyst" in html


def test_it_keeps_one_title_line_in_the_subject(client, organiser, consultation):
    consultation.title = "Policing\r\nBcc: someone@example.org"
    consultation.save()
    client.force_login(organiser)
    send(client)
    assert mail.outbox[0].subject.endswith("Policing Bcc: someone@example.org")


def test_it_shows_the_invite_form_to_organisers_only(client, organiser, analyst):
    members = reverse("consultations:members", args=["policing-a"])
    client.force_login(organiser)
    html = client.get(members).content.decode()
    assert f'action="{INVITE}"' in html and 'id="id_invite-email"' in html
    client.force_login(analyst)
    assert f'action="{INVITE}"' not in client.get(members).content.decode()


def test_it_refuses_a_bad_address_on_a_page_with_the_error(client, organiser):
    client.force_login(organiser)
    response = send(client, email="not an address")
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_invite-email">Enter a valid email address.</a>' in html
    assert "<h1>Invite a colleague</h1>" in html
    assert not mail.outbox


def test_it_refuses_to_invite_a_member(client, organiser):
    client.force_login(organiser)
    response = send(client, email="ALICE@example.org")
    assert response.status_code == 400
    assert "already a member" in response.content.decode()


def test_it_hides_the_consultation_from_outsiders(client, outsider):
    client.force_login(outsider)
    assert send(client).status_code == 404
    assert not ColleagueInvitation.objects.exists()


def test_it_refuses_analysts(client, analyst):
    client.force_login(analyst)
    assert send(client).status_code == 403
    assert not mail.outbox


def test_it_only_invites_by_post(client, organiser):
    client.force_login(organiser)
    assert client.get(INVITE).status_code == 405


# The invited person ----------------------------------------------------------------------------


def test_it_lets_a_new_colleague_set_their_own_password_and_join(client, invited):
    html = client.get(invited).content.decode()
    assert "<h1>Join “Policing A”</h1>" in html
    assert 'value="dora@example.org"' in html  # the suggested username
    response = client.post(invited, {"username": "dora", "new_password1": GOOD_PASSWORD,
                                     "new_password2": GOOD_PASSWORD})
    assert response["Location"] == reverse("consultations:overview", args=["policing-a"])
    dora = User.objects.get(username="dora")
    assert dora.email == "dora@example.org" and dora.check_password(GOOD_PASSWORD)
    assert Membership.objects.get(user=dora).role == Membership.Role.ANALYST
    assert client.get(response["Location"]).status_code == 200  # signed in
    assert ColleagueInvitation.objects.get().accepted_by == dora


@pytest.mark.parametrize("password, problem", [
    ("short pass", "at least 12 characters"),
    ("password1234", "too common"),
    ("dora@example.org1", "too similar"),
    ("918273645546", "entirely numeric"),
])
def test_it_checks_the_new_password(client, invited, password, problem):
    response = client.post(invited, {"username": "dora", "new_password1": password,
                                     "new_password2": password})
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not User.objects.filter(username="dora").exists()


def test_it_refuses_a_taken_username(client, invited):
    response = client.post(invited, {"username": "ALICE", "new_password1": GOOD_PASSWORD,
                                     "new_password2": GOOD_PASSWORD})
    assert response.status_code == 400
    assert "That username is taken." in response.content.decode()


def test_it_works_only_once(client, invited):
    client.post(invited, {"username": "dora", "new_password1": GOOD_PASSWORD,
                          "new_password2": GOOD_PASSWORD})
    client.post(reverse("accounts:logout"))
    response = client.get(invited)
    assert response.status_code == 410
    assert "<h1>This invitation no longer works</h1>" in response.content.decode()


def test_it_expires_after_seven_days(client, invited):
    ColleagueInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(invited).status_code == 410
    response = client.post(invited, {"username": "dora", "new_password1": GOOD_PASSWORD,
                                     "new_password2": GOOD_PASSWORD})
    assert response.status_code == 410
    assert not User.objects.filter(username="dora").exists()


def test_it_answers_an_unknown_link_as_gone(client, db):
    assert client.get(reverse("accounts:invitation", args=["made-up"])).status_code == 410


def test_it_replaces_an_earlier_invitation_to_the_same_address(client, organiser, invited):
    first = invited
    client.force_login(organiser)
    send(client, role="organiser")
    client.post(reverse("accounts:logout"))
    assert client.get(first).status_code == 410
    assert client.get(emailed_link()).status_code == 200


def test_it_asks_someone_with_an_account_to_sign_in_and_accept(client, invited):
    dora = make_user("dora", organiser=False)
    html = client.get(invited).content.decode()
    assert f'href="{reverse("accounts:login")}?next={invited}"' in html
    assert 'name="new_password1"' not in html
    client.force_login(dora)
    html = client.get(invited).content.decode()
    assert "Accept as dora" in html
    response = client.post(invited + "accept/")
    assert response["Location"] == reverse("consultations:overview", args=["policing-a"])
    assert Membership.objects.get(user=dora).role == Membership.Role.ANALYST
    assert client.post(invited + "accept/").status_code == 410  # used


def test_it_accepts_only_by_post(client, invited):
    client.force_login(make_user("dora", organiser=False))
    assert client.get(invited + "accept/").status_code == 405
    assert not Membership.objects.filter(user__username="dora").exists()


def test_it_keeps_an_organiser_s_role_when_they_accept_as_analyst(client, invited, organiser):
    client.force_login(organiser)
    client.post(invited + "accept/")
    assert Membership.objects.get(user=organiser).role == Membership.Role.ORGANISER


def test_it_deletes_links_past_their_life_when_the_next_is_sent(client, organiser, invited):
    ColleagueInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(organiser)
    send(client, email="erin@example.org")
    assert list(ColleagueInvitation.objects.values_list("email", flat=True)) == ["erin@example.org"]
