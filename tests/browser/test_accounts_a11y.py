"""axe-core finds no WCAG 2.x A or AA violation on the account pages: your account, passwords,
two-factor set-up and sign-in, the paused sign-in page and the invitation pages."""

from __future__ import annotations

import re
from base64 import b32decode

import browsing
import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import make_consultation, make_user
from consulta.web.consultations.models import Membership

axe_violations = browsing.axe_violations
PASSWORD = "correct horse battery"


def sign_in(page, base: str, username: str = "alice"):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


@pytest.fixture
def alice(live_server, transactional_db):
    consultation = make_consultation("policing-a", "Policing A")
    user = make_user("alice")
    Membership.objects.create(consultation=consultation, user=user)
    return user


@pytest.mark.parametrize("path", [
    "/accounts/", "/accounts/password/", "/accounts/two-factor/setup/",
    "/organise/policing-a/members/",
])
def test_it_has_accessible_account_pages(page, live_server, alice, path):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}{path}")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == [], path


def test_it_has_accessible_two_factor_steps(page, live_server, alice):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/accounts/two-factor/setup/")
    secret = page.locator("#secret").inner_text().replace(" ", "")
    page.fill("#id_code", f"{totp(b32decode(secret)):06d}")
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == "Your recovery codes"
    assert axe_violations(page) == []
    page.click("button.link-button")  # sign out
    sign_in(page, live_server.url)
    assert page.locator("h1").inner_text() == "Enter your code"
    page.fill("#id_code", "000000")
    page.click("main button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    assert axe_violations(page) == []
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_it_has_accessible_password_reset_and_paused_pages(page, live_server, alice):
    for path in ["/accounts/password/reset/", "/accounts/password/reset/sent/"]:
        page.goto(f"{live_server.url}{path}")
        assert axe_violations(page) == [], path
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "alice")
        page.fill("#id_password", "wrong password")
        page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == "Sign-in paused"
    assert axe_violations(page) == []


def test_it_has_accessible_invitation_pages(page, live_server, alice, settings):
    settings.CONSULTA_BASE_URL = live_server.url
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/organise/policing-a/members/")
    page.fill("#id_invite-email", "dora@example.org")
    page.click("text=Send invitation")
    link = re.search(r"(http\S+/accounts/invitation/\S+/)", mail.outbox[-1].body).group(1)
    page.click("button.link-button")  # sign out
    page.goto(link)
    assert axe_violations(page) == []
    page.fill("#id_new_password1", "short")
    page.fill("#id_new_password2", "short")
    page.click("main button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    assert axe_violations(page) == []
