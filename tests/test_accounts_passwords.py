"""Passwords (validators, change, reset by email) and sessions that end when left idle."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

PASSWORD = "correct horse battery"
NEW_PASSWORD = "lantern orchard velvet"


@pytest.mark.parametrize("password, problem", [
    ("short pass", "at least 12 characters"),
    ("password1234", "too common"),
    ("alice@example.org", "too similar"),
    ("918273645546", "entirely numeric"),
])
def test_it_refuses_weak_passwords(organiser, password, problem):
    with pytest.raises(ValidationError, match=problem):
        validate_password(password, organiser)


def test_it_accepts_a_long_unusual_password(organiser):
    validate_password(NEW_PASSWORD, organiser)


def test_it_changes_the_password_of_a_signed_in_user(client, organiser):
    client.force_login(organiser)
    page = client.get(reverse("accounts:password-change"))
    assert page.status_code == 200
    assert '<label for="id_old_password">Old password' in page.content.decode()
    response = client.post(reverse("accounts:password-change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password-change-done")
    organiser.refresh_from_db()
    assert organiser.check_password(NEW_PASSWORD)
    assert client.get(reverse("consultations:index")).status_code == 200  # still signed in


def test_it_applies_the_validators_when_changing(client, organiser):
    client.force_login(organiser)
    response = client.post(reverse("accounts:password-change"), {
        "old_password": PASSWORD, "new_password1": "password1234", "new_password2": "password1234"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too common." in html and 'class="error-summary"' in html
    organiser.refresh_from_db()
    assert organiser.check_password(PASSWORD)


def test_it_sends_signed_out_people_from_password_change_to_sign_in(client, db):
    response = client.get(reverse("accounts:password-change"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_resets_a_password_by_email_with_a_link_on_the_site_s_address(client, organiser,
                                                                          settings):
    settings.CONSULTA_BASE_URL = "https://consult.example.org"
    response = client.post(reverse("accounts:password-reset"), {"email": "alice@example.org"},
                           HTTP_HOST="localhost")
    assert response["Location"] == reverse("accounts:password-reset-done")
    message = mail.outbox[0]
    assert message.subject == "Reset your Consulta password"
    link = re.search(r"https://consult\.example\.org(/accounts/password/reset/\S+/)", message.body)
    form_page = client.get(link.group(1), follow=True)
    assert "<h1>Choose a new password</h1>" in form_page.content.decode()
    response = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password-reset-complete")
    organiser.refresh_from_db()
    assert organiser.check_password(NEW_PASSWORD)
    used = client.get(link.group(1), follow=True).content.decode()
    assert "<h1>This link no longer works</h1>" in used


def test_it_does_not_say_whether_an_address_has_an_account(client, organiser):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password-reset-done")
    assert not mail.outbox


def test_it_links_the_sign_in_page_to_password_reset(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("accounts:password-reset")}"' in html


def test_it_ends_a_session_after_an_idle_hour_and_restarts_the_clock_on_each_request(
        client, organiser, settings):
    assert settings.SESSION_COOKIE_AGE == 3600 and settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(organiser)
    response = client.get(reverse("consultations:index"))
    assert response.cookies["sessionid"]["max-age"] == 3600  # sent again: the clock restarts
    assert client.session.get_expiry_age() == 3600
