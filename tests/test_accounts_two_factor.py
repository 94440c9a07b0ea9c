"""Two-factor authentication: setting up an authenticator app, recovery codes, signing in with a
code, and consultations that require it of their members."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from consulta.web.accounts.two_factor import SETUP_SESSION_KEY, new_recovery_codes
from consulta.web.consultations.models import Membership

PASSWORD = "correct horse battery"


def give_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def app_code(device_or_key) -> str:
    key = device_or_key.bin_key if isinstance(device_or_key, TOTPDevice) else device_or_key
    return f"{totp(key):06d}"


def sign_in_with_code(client, user, device) -> None:
    """A session signed in with a code, as the code step leaves it."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def password_step(client, next_url=""):
    data = {"username": "alice", "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


# Setting up -------------------------------------------------------------------------------------


def test_it_shows_a_qr_code_as_inline_svg_and_the_key_to_type(client, organiser):
    client.force_login(organiser)
    response = client.get(reverse("accounts:two-factor-setup"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg width="' in html and "<title>QR code for your authenticator app</title>" in html
    key = client.session[SETUP_SESSION_KEY]
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert b32decode(secret.replace(" ", "")).hex() == key
    assert "data:image" not in html and "<script" not in html and "style=" not in html
    assert not TOTPDevice.objects.exists()  # nothing stored until confirmed
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_turns_two_factor_on_with_a_right_code_and_shows_ten_recovery_codes(client, organiser):
    client.force_login(organiser)
    client.get(reverse("accounts:two-factor-setup"))
    key = bytes.fromhex(client.session[SETUP_SESSION_KEY])
    response = client.post(reverse("accounts:two-factor-confirm"), {"code": app_code(key)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Your recovery codes</h1>" in html
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html)
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    device = TOTPDevice.objects.get(user=organiser)
    assert device.confirmed and device.key == key.hex()
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # verified now
    assert SETUP_SESSION_KEY not in client.session


def test_it_refuses_a_wrong_set_up_code(client, organiser):
    client.force_login(organiser)
    client.get(reverse("accounts:two-factor-setup"))
    response = client.post(reverse("accounts:two-factor-confirm"), {"code": "000000"})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_it_only_confirms_by_post(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("accounts:two-factor-confirm")).status_code == 405


def test_it_asks_for_a_code_before_replacing_an_app(client, organiser):
    give_app(organiser)
    client.force_login(organiser)  # password only: not verified
    response = client.get(reverse("accounts:two-factor-setup"))
    assert response["Location"] == reverse("accounts:login-code")


# Signing in -------------------------------------------------------------------------------------


def test_it_signs_in_without_a_code_when_the_user_has_no_app(client, organiser):
    assert password_step(client)["Location"] == reverse("consultations:index")
    assert signed_in(client)


def test_it_asks_for_the_code_after_the_password_before_signing_in(client, organiser):
    device = give_app(organiser)
    page = reverse("consultations:overview", args=["policing-a"])
    response = password_step(client, page)
    assert response["Location"] == f"{reverse('accounts:login-code')}?next=%2Forganise%2Fpolicing-a%2F"
    assert not signed_in(client)  # the password alone is not enough
    assert client.get(reverse("consultations:index")).status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "<h1>Enter your code</h1>" in html
    response = client.post(reverse("accounts:login-code"),
                           {"code": app_code(device), "next": page})
    assert response["Location"] == page
    assert signed_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_it_refuses_a_wrong_code(client, organiser):
    give_app(organiser)
    password_step(client)
    response = client.post(reverse("accounts:login-code"), {"code": "123456"})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    assert not signed_in(client)


def test_it_slows_down_guessing(client, organiser):
    device = give_app(organiser)
    password_step(client)
    client.post(reverse("accounts:login-code"), {"code": "123456"})
    response = client.post(reverse("accounts:login-code"), {"code": app_code(device)})
    assert "Too many wrong codes" in response.content.decode()  # even a right one, for now
    assert not signed_in(client)


def test_it_accepts_a_recovery_code_once(client, organiser):
    give_app(organiser)
    recovery = new_recovery_codes(organiser)[0]
    password_step(client)
    response = client.post(reverse("accounts:login-code"), {"code": recovery.upper()})
    assert response.status_code == 302 and signed_in(client)
    assert not StaticToken.objects.filter(token=recovery).exists()
    client.post(reverse("accounts:logout"))
    password_step(client)
    StaticDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert client.post(reverse("accounts:login-code"), {"code": recovery}).status_code == 400


def test_it_sends_a_code_step_without_a_password_step_back_to_sign_in(client, organiser):
    give_app(organiser)
    response = client.post(reverse("accounts:login-code"), {"code": "123456"})
    assert response["Location"] == reverse("accounts:login")


def test_it_does_not_redirect_off_site_after_the_code(client, organiser):
    device = give_app(organiser)
    password_step(client)
    response = client.post(reverse("accounts:login-code"),
                           {"code": app_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("consultations:index")


def test_it_sends_the_admin_sign_in_to_the_site_s_two_step_page(client, organiser):
    give_app(organiser)
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response["Location"] == f"{reverse('accounts:login')}?next=%2Fadmin%2F"
    data = {"username": "alice", "password": PASSWORD}
    assert client.post(reverse("admin:login"), data).status_code == 405
    assert not signed_in(client)


def test_it_sends_a_signed_in_user_without_an_app_from_the_code_page_to_set_up(client,
                                                                              organiser):
    client.force_login(organiser)
    response = client.get(reverse("accounts:login-code"))
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))


# Recovery codes and turning off -----------------------------------------------------------------


def test_it_makes_new_recovery_codes_for_a_verified_session(client, organiser):
    device = give_app(organiser)
    old = new_recovery_codes(organiser)
    sign_in_with_code(client, organiser, device)
    response = client.post(reverse("accounts:two-factor-recovery-codes"))
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10 and not set(codes) & set(old)
    assert StaticToken.objects.count() == 10


def test_it_refuses_account_changes_to_a_session_without_a_code(client, organiser):
    give_app(organiser)
    client.force_login(organiser)
    for name in ["accounts:two-factor-recovery-codes", "accounts:two-factor-turn-off"]:
        assert client.post(reverse(name))["Location"] == reverse("accounts:login-code")
    assert TOTPDevice.objects.exists()


@pytest.mark.parametrize("name", ["accounts:two-factor-recovery-codes",
                                  "accounts:two-factor-turn-off"])
def test_it_only_changes_two_factor_by_post(client, organiser, name):
    sign_in_with_code(client, organiser, give_app(organiser))
    assert client.get(reverse(name)).status_code == 405


def test_it_turns_two_factor_off(client, organiser):
    sign_in_with_code(client, organiser, give_app(organiser))
    new_recovery_codes(organiser)
    response = client.post(reverse("accounts:two-factor-turn-off"))
    assert response["Location"] == reverse("accounts:account")
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()


def test_it_shows_the_state_on_the_account_page(client, organiser):
    client.force_login(organiser)
    html = client.get(reverse("accounts:account")).content.decode()
    assert "Set up two-factor authentication" in html
    sign_in_with_code(client, organiser, give_app(organiser))
    new_recovery_codes(organiser)
    html = client.get(reverse("accounts:account")).content.decode()
    assert "You have 10 unused recovery codes." in html


# Consultations that require it ------------------------------------------------------------------


@pytest.fixture
def strict(consultation):
    consultation.require_two_factor = True
    consultation.save()
    return consultation


def overview(slug="policing-a") -> str:
    return reverse("consultations:overview", args=[slug])


def test_it_sends_a_member_without_an_app_to_set_one_up_and_back(client, strict, analyst):
    client.force_login(analyst)
    response = client.get(overview())
    assert response["Location"] == (
        f"{reverse('accounts:two-factor-setup')}?next=%2Forganise%2Fpolicing-a%2F")
    html = client.get(response["Location"]).content.decode()
    assert "“Policing A” requires two-factor authentication." in html
    assert 'name="next" value="/organise/policing-a/"' in html
    key = bytes.fromhex(client.session[SETUP_SESSION_KEY])
    response = client.post(reverse("accounts:two-factor-confirm"),
                           {"code": app_code(key), "next": overview()})
    assert f'href="{overview()}"' in response.content.decode()
    assert client.get(overview()).status_code == 200


def test_it_asks_a_member_with_an_app_for_a_code(client, strict, organiser):
    device = give_app(organiser)
    client.force_login(organiser)  # a session from before the app, without a code
    members = reverse("consultations:members", args=["policing-a"])
    response = client.get(members)
    assert response["Location"] == f"{reverse('accounts:login-code')}?next=%2Forganise%2Fpolicing-a%2Fmembers%2F"
    response = client.post(reverse("accounts:login-code"),
                           {"code": app_code(device), "next": members})
    assert response["Location"] == members
    assert client.get(members).status_code == 200


def test_it_guards_changes_too(client, strict, organiser):
    client.force_login(organiser)
    response = client.post(reverse("consultations:update", args=["policing-a"]), {"title": "X"})
    assert response["Location"] == reverse("accounts:two-factor-setup")
    strict.refresh_from_db()
    assert strict.title == "Policing A"


def test_it_still_hides_the_consultation_from_outsiders(client, strict, outsider):
    client.force_login(outsider)
    assert client.get(overview()).status_code == 404


def test_it_lets_verified_members_in_and_leaves_other_consultations_alone(
        client, strict, organiser, other_consultation):
    sign_in_with_code(client, organiser, give_app(organiser))
    assert client.get(overview()).status_code == 200
    Membership.objects.create(consultation=other_consultation, user=organiser)
    client.force_login(organiser)
    assert client.get(overview("policing-b")).status_code == 200


def test_it_shows_members_two_factor_status(client, organiser, analyst):
    sign_in_with_code(client, organiser, give_app(organiser))
    html = client.get(reverse("consultations:members", args=["policing-a"])).content.decode()
    assert '<th scope="col">Two-factor</th>' in html
    alice = html[html.index('<th scope="row">alice</th>'):html.index('<th scope="row">bob</th>')]
    bob = html[html.index('<th scope="row">bob</th>'):]
    assert "<td>On</td>" in alice and "<td>Off</td>" in bob
