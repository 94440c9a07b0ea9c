"""Two-factor authentication with django-otp: an authenticator app (TOTP) and recovery codes.

A user has at most one confirmed authenticator app and one set of recovery codes. Setting up
keeps the new secret in the session until the user proves, with a code, that their app holds
it; only then is a device stored, so an abandoned set-up leaves nothing behind.
"""

from __future__ import annotations

import re
import time
from base64 import b32encode
from binascii import unhexlify

import segno
from django.db import transaction
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device, verify_token
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

RECOVERY_CODE_COUNT = 10
SETUP_SESSION_KEY = "two_factor_setup_key"
APP_CODE = re.compile(r"^\d{6}$")


class TwoFactorRequired(Exception):
    """Raised by the back-office loaders when a consultation requires two-factor authentication
    and this session has not given a code; the middleware sends the user to give one."""


def is_verified(user) -> bool:
    """Signed in with a code in this session (OTPMiddleware adds ``is_verified`` to the user)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def has_two_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


# Setting up -------------------------------------------------------------------------------------


def pending_key(request: HttpRequest) -> str:
    """The secret being set up (hex), made on first sight and kept in the session."""
    key = request.session.get(SETUP_SESSION_KEY)
    if not key:
        key = request.session[SETUP_SESSION_KEY] = default_key()
    return key


def secret_for_people(hex_key: str) -> str:
    """The secret as authenticator apps ask for it: base 32, in groups of four."""
    text = b32encode(unhexlify(hex_key)).decode()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def qr_code_svg(user, hex_key: str) -> str:
    """The otpauth:// address as an inline SVG QR code: markup, so no data: URL the
    Content-Security-Policy would have to allow, and no inline style."""
    address = TOTPDevice(user=user, key=hex_key).config_url
    return segno.make(address, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app", svgclass="qr-code",
        dark="#0b0c0c", light="#ffffff",
    )


def _matching_step(hex_key: str, code: str) -> int | None:
    """The time step at which ``code`` is right for the key (one step either side), or None."""
    if not APP_CODE.match(code):
        return None
    totp = TOTP(unhexlify(hex_key))
    totp.time = time.time()  # one clock reading for the check and the step it returns
    return totp.t() if totp.verify(int(code), tolerance=1) else None


@transaction.atomic
def confirm_setup(request: HttpRequest, code: str) -> list[str] | None:
    """Store the app and new recovery codes if ``code`` is right; returns the codes (to show
    once), or None. The session counts as verified from then on."""
    hex_key = request.session.get(SETUP_SESSION_KEY)
    step = _matching_step(hex_key, code.strip().replace(" ", "")) if hex_key else None
    if step is None:
        return None
    user = request.user
    TOTPDevice.objects.filter(user=user).delete()  # one app at a time: the new one replaces it
    device = TOTPDevice.objects.create(
        user=user, name="Authenticator app", key=hex_key, confirmed=True, last_t=step
    )
    del request.session[SETUP_SESSION_KEY]
    otp_login(request, device)
    return new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ten new ones (each works once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def turn_off(request: HttpRequest) -> None:
    TOTPDevice.objects.filter(user=request.user).delete()
    StaticDevice.objects.filter(user=request.user).delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)


# Signing in -------------------------------------------------------------------------------------


def check_code(user, code: str):
    """The device that accepts ``code`` (a 6-digit app code or a recovery code), or None.

    Each device's own throttle (django-otp) slows guessing: every wrong code doubles the wait
    before that device accepts another.
    """
    code = code.strip().replace(" ", "").lower()
    wanted = TOTPDevice if APP_CODE.match(code) else StaticDevice
    for device in devices_for_user(user):
        if isinstance(device, wanted):
            return verify_token(user, device.persistent_id, code)
    return None


def is_throttled(user) -> bool:
    """A device is refusing codes for now after wrong ones."""
    return any(not device.verify_is_allowed()[0] for device in devices_for_user(user))
