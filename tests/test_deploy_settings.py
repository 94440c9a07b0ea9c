"""Deployable behind HTTPS: what the environment turns on, whom the site believes about the
client, the security headers, and `consulta check --deploy` with the README's production
settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django_ratelimit.core import is_ratelimited

from consulta.web.deployment.environment import YEAR, security_settings
from consulta.web.deployment.proxy import client_address

HTTPS_SITE = {"CONSULTA_BASE_URL": "https://consult.example.org/", "CONSULTA_TRUST_PROXY": "1"}


# The settings an environment implies ------------------------------------------------------------


def test_it_keeps_a_local_http_site_plain():
    values = security_settings({})
    assert values["CONSULTA_TRUST_PROXY"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["CSRF_TRUSTED_ORIGINS"] == []
    assert not values["SESSION_COOKIE_SECURE"] and not values["CSRF_COOKIE_SECURE"]
    assert not values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] == 0


def test_it_secures_an_https_site():
    values = security_settings(HTTPS_SITE)
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://consult.example.org"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] == YEAR and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize("value", ["", "0", "no", "false"])
def test_it_trusts_no_proxy_unless_told(value):
    values = security_settings({**HTTPS_SITE, "CONSULTA_TRUST_PROXY": value})
    assert values["CONSULTA_TRUST_PROXY"] is False and values["SECURE_PROXY_SSL_HEADER"] is None


def test_its_content_security_policy_allows_no_inline_script_or_style():
    directives = security_settings({})["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in str(directives)


# The client's address ---------------------------------------------------------------------------


def forwarded_request(forwarded: str, remote: str = "127.0.0.1"):
    return RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)


def test_it_ignores_x_forwarded_for_without_a_trusted_proxy(settings):
    settings.CONSULTA_TRUST_PROXY = False
    assert client_address(forwarded_request("203.0.113.9")) == "127.0.0.1"


def test_it_takes_the_address_the_trusted_proxy_added(settings):
    settings.CONSULTA_TRUST_PROXY = True
    # The client wrote the first entry itself; the proxy appended the address it saw.
    assert client_address(forwarded_request("10.9.9.9, 203.0.113.9")) == "203.0.113.9"
    assert client_address(forwarded_request("2001:db8::1")) == "2001:db8::1"


def test_it_falls_back_to_the_connection_when_the_header_is_not_an_address(settings):
    settings.CONSULTA_TRUST_PROXY = True
    assert client_address(forwarded_request("10.0.0.1, not-an-address")) == "127.0.0.1"
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"


def limited(request) -> bool:
    return is_ratelimited(request, group="test-deploy", key="ip", rate="1/m", increment=True)


@pytest.mark.parametrize("trusted", [True, False])
def test_rate_limits_count_forwarded_clients_apart_only_behind_a_trusted_proxy(settings, trusted):
    settings.CONSULTA_TRUST_PROXY = trusted
    cache.clear()
    assert not limited(forwarded_request("198.51.100.1"))
    # Another client behind the same proxy has its own allowance only when the proxy is trusted;
    # otherwise a spoofed header must not buy a fresh allowance.
    assert limited(forwarded_request("198.51.100.2")) is not trusted
    assert limited(forwarded_request("198.51.100.1"))


def test_a_trusted_proxy_says_the_request_came_over_https(client, settings, db):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    redirect = client.get("/", HTTP_X_FORWARDED_PROTO="http")
    assert redirect.status_code == 301 and redirect["Location"].startswith("https://")


# Headers -------------------------------------------------------------------------------------


def test_every_page_has_the_security_headers(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/organise/", "/accounts/login/"])
def test_back_office_pages_are_never_stored(client, organiser, path):
    client.force_login(organiser)
    assert "no-store" in client.get(path)["Cache-Control"]


def test_analysis_downloads_are_never_stored(client, analyst, consultation):
    from consulta.web.analysis.models import AnalysisRun

    run = AnalysisRun.objects.create(consultation=consultation, status=AnalysisRun.Status.DONE)
    client.force_login(analyst)
    response = client.get(reverse("analysis:download", args=[consultation.slug, run.pk,
                                                             "themes.csv"]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_public_pages_may_be_cached(client, db):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_the_brand_colour_is_a_style_element_allowed_by_the_policys_nonce(client, consultation):
    consultation.brand_colour = "#123456"
    consultation.save()
    response = client.get(reverse("respond:phase-start", args=["policing-a", 2]))
    html = response.content.decode()
    [nonce] = re.findall(r"<style nonce=\"([^\"]+)\">[^<]*--brand-colour: #123456", html)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert " style=" not in html


# Templates stay within the policy ----------------------------------------------------------------

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "consulta" / "web"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|<style(?![^>]*\bnonce=)")


def test_no_page_template_has_inline_script_or_style():
    """Emails are exempt: mail readers ignore the site's policy and need inline styles; so are
    documents (the report as one HTML file, the PDF's source): downloaded as attachments, never
    shown as the site's pages, they must carry their own styles."""
    found = [f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
             for path in TEMPLATES.rglob("templates/**/*.html")
             if "email" not in path.parts and "documents" not in path.parts
             for match in INLINE.finditer(path.read_text(encoding="utf-8"))]
    assert not found


def test_the_template_check_would_find_inline_code():
    assert INLINE.search('<p style="color: red">') and INLINE.search("<script>alert(1)</script>")
    assert INLINE.search("<style>p{}</style>")
    assert not INLINE.search('<script type="module" src="/static/x.js"></script>')


# consulta check --------------------------------------------------------------------------------


def run_check(tmp_path, *arguments: str, **environment: str) -> subprocess.CompletedProcess:
    """The command in a fresh process: settings are read from the environment at import."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("CONSULTA_", "DJANGO_", "EMAIL_", "DATABASE_URL"))}
    env.update({"CONSULTA_DATA_DIR": str(tmp_path / "data"), **environment})
    return subprocess.run([sys.executable, "-m", "consulta", "check", *arguments],
                          check=False, env=env, capture_output=True, text=True, timeout=120)


def test_check_passes_with_the_documented_production_settings(tmp_path):
    result = run_check(
        tmp_path, "--deploy", "--fail-level", "WARNING",
        CONSULTA_BASE_URL="https://consult.example.org",
        CONSULTA_ALLOWED_HOSTS="consult.example.org",
        CONSULTA_SECRET_KEY=secrets.token_urlsafe(60),
        CONSULTA_TRUST_PROXY="1",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_names_each_problem_of_a_demo_setup_without_a_traceback(tmp_path):
    result = run_check(tmp_path, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for problem in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert problem in result.stderr


def test_check_warns_of_an_https_site_whose_proxy_is_not_trusted(tmp_path):
    result = run_check(tmp_path, "--deploy", CONSULTA_BASE_URL="https://consult.example.org")
    assert result.returncode == 0  # warnings fail only from --fail-level WARNING
    assert "consulta.W001" in result.stderr + result.stdout


def test_the_readme_documents_every_setting_read_from_the_environment():
    root = Path(__file__).resolve().parents[1]
    deploying = (root / "README.md").read_text().split("## Deploying", 1)[1].split("\n## ", 1)[0]
    read = set()
    for path in (root / "src" / "consulta").rglob("*.py"):
        read |= set(re.findall(r"environ(?:\.get)?\(\s*\"((?:CONSULTA|EMAIL)_[A-Z_]+)\"",
                               path.read_text(encoding="utf-8")))
    read |= {"CONSULTA_TRUST_PROXY", "CONSULTA_BASE_URL"}  # read through a mapping
    assert read and not sorted(name for name in read if f"{name}=" not in deploying)
