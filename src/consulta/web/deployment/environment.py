"""The security settings a deployment's environment implies, as a function of that environment,
so they can be tested without re-importing the settings module.

settings.py applies ``security_settings(os.environ)``. Everything HTTPS-only depends on the
site's own address (``CONSULTA_BASE_URL``): a local ``http://`` demo keeps plain cookies and no
redirect; an ``https://`` site gets secure cookies, HSTS, a redirect to HTTPS and its origin as
the one trusted for CSRF.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
YEAR = 365 * 24 * 60 * 60

# No inline script or style anywhere: pages load their code and styles from /static/. The
# respondent pages' brand colour is the one inline <style>, allowed by a per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Browser features no page here uses, switched off for the site and anything it could embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in ("accelerometer", "browsing-topics", "camera", "display-capture",
                    "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb")
}


def flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes"}


def base_url(env: Mapping[str, str]) -> str:
    return env.get("CONSULTA_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def origin(url: str) -> str:
    """``https://consult.example.org/x`` -> ``https://consult.example.org``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def security_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Django settings (names as Django spells them) for the environment ``env``."""
    url = base_url(env)
    https = url.startswith("https://")
    trust_proxy = flag(env, "CONSULTA_TRUST_PROXY")
    return {
        "CONSULTA_BASE_URL": url,
        # Only a proxy we were told about may say the request came over HTTPS or from whom;
        # otherwise anyone could send the headers (proxy.client_address reads the address).
        "CONSULTA_TRUST_PROXY": trust_proxy,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if trust_proxy else None,
        "CSRF_TRUSTED_ORIGINS": [origin(url)] if https else [],
        "SESSION_COOKIE_SECURE": https,
        "CSRF_COOKIE_SECURE": https,
        "SECURE_SSL_REDIRECT": https,
        "SECURE_HSTS_SECONDS": YEAR if https else 0,
        # Only this host's own subdomains (none, normally), never the parent domain's.
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": https,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "CONTENT_SECURITY_POLICY": CONTENT_SECURITY_POLICY,
        "PERMISSIONS_POLICY": PERMISSIONS_POLICY,
    }
