"""Sign-in throttling (django-axes): repeated failures pause sign-in for a while, per username and
address and per address, never per username alone; no login history with addresses is kept."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse
from django.utils import timezone

PASSWORD = "correct horse battery"


def sign_in(client: Client, password: str, username: str = "alice", **headers):
    return client.post(reverse("accounts:login"), {"username": username, "password": password},
                       **headers)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, times: int, username: str = "alice", **headers):
    for _ in range(times):
        response = sign_in(client, "wrong password", username, **headers)
    return response


def end_cool_off() -> None:
    """Time travel: every recorded failure happened 16 minutes ago (the cool-off is 15)."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))


def test_it_explains_the_first_failures_on_the_sign_in_form(client, organiser):
    response = fail(client, 4)
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_it_pauses_sign_in_after_five_failures_even_with_the_right_password(client, organiser):
    fifth = fail(client, 5)
    assert fifth.status_code == 429
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    html = response.content.decode()
    assert "<h1>Sign-in paused</h1>" in html
    assert "paused for 15 minutes" in html
    assert 'href="/accounts/password/reset/"' in html
    assert "<title>Sign-in paused – Consulta</title>" in html  # the site's page, not a bare 429


def test_it_lets_the_person_in_once_the_cool_off_is_over(client, organiser):
    fail(client, 6)
    end_cool_off()
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_it_does_not_extend_the_pause_for_attempts_during_it(client, organiser):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    fail(client, 3)  # refused, but not counted: the pause still ends on time
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, PASSWORD).status_code == 302


def test_it_does_not_lock_the_account_for_people_elsewhere(client, organiser):
    fail(client, 10)
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(colleague, PASSWORD).status_code == 302
    assert signed_in(colleague)


def test_it_pauses_an_address_that_tries_many_usernames(client, organiser):
    for number in range(20):
        fail(client, 1, username=f"guess{number}")
    response = sign_in(client, PASSWORD)  # alice had no failure herself
    assert response.status_code == 429
    assert not signed_in(client)
    assert sign_in(Client(REMOTE_ADDR="198.51.100.7"), PASSWORD).status_code == 302


def test_it_does_not_pause_an_address_below_its_limit(client, organiser):
    for number in range(19):
        fail(client, 1, username=f"guess{number}")
    assert sign_in(client, PASSWORD).status_code == 302


def test_it_forgets_a_username_s_failures_after_a_successful_sign_in(client, organiser):
    fail(client, 4)
    assert sign_in(client, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    assert fail(client, 4).status_code == 200  # counting starts again
    assert sign_in(client, PASSWORD).status_code == 302


def test_it_keeps_the_address_count_when_someone_signs_in(client, organiser):
    """One account an attacker can open must not wipe the address's failures for the others."""
    for number in range(19):
        fail(client, 1, username=f"guess{number}")
    assert sign_in(client, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    assert fail(client, 1, username="guess19").status_code == 429


def test_it_keeps_no_login_history_with_addresses(client, organiser):
    fail(client, 2)
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"  # while it counts
    sign_in(client, PASSWORD)
    assert not AccessAttempt.objects.exists()  # reset by the successful sign-in
    assert not AccessLog.objects.exists()
    assert not AccessFailureLog.objects.exists()


def test_it_deletes_failures_once_their_cool_off_is_over(client, organiser):
    fail(client, 2)
    end_cool_off()
    fail(client, 1, username="someone-else")
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["someone-else"]


def test_it_ignores_forwarded_addresses_unless_told_to_trust_a_proxy(client, organiser,
                                                                     settings):
    settings.CONSULTA_TRUST_PROXY = False
    for number in range(5):  # a new forged address each time: still one address
        fail(client, 1, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    assert sign_in(client, PASSWORD).status_code == 429


def test_it_counts_the_address_a_trusted_proxy_saw(client, organiser, settings):
    settings.CONSULTA_TRUST_PROXY = True
    fail(client, 5, HTTP_X_FORWARDED_FOR="forged, 203.0.113.9")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    assert sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 302


def test_it_leaves_password_checks_without_a_request_to_django(organiser):
    """``consulta demo`` and the test client check passwords with no request to throttle."""
    assert authenticate(username="alice", password=PASSWORD) == organiser
    assert authenticate(username="alice", password="wrong password") is None
