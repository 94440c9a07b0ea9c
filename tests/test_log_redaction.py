"""Secret tokens never reach the server's log: personal links' secrets are redacted."""

from __future__ import annotations

import logging
import sys

import pytest
from django.conf import settings as django_settings

from consulta.web.deployment.redact import REDACTED, RedactSecrets, redact

TOKEN = "Zk3vJ9qLr0tXw2mB8cQe1A"


@pytest.mark.parametrize("line,expected", [
    (f"Not Found: /i/{TOKEN}/", "Not Found: /i/[redacted]/"),
    (f"Not Found: /i/{TOKEN}/begin/", "Not Found: /i/[redacted]/begin/"),
    (f"Forbidden (CSRF token missing.): /r/{TOKEN}/q/2/save/",
     "Forbidden (CSRF token missing.): /r/[redacted]/q/2/save/"),
    (f"Internal Server Error: /unsubscribe/{TOKEN}:1tQ:abc/one-click/",
     "Internal Server Error: /unsubscribe/[redacted]/one-click/"),
    (f"https://consult.example.org/done/{TOKEN}/", "https://consult.example.org/done/[redacted]/"),
    (f"GET /c/policing-a/1/?key={TOKEN}&x=1 HTTP/1.1",
     "GET /c/policing-a/1/?key=[redacted]&x=1 HTTP/1.1"),
    (f"/accounts/reset/MQ/{TOKEN}/", "/accounts/reset/MQ/[redacted]/"),
    ("Not Found: /organise/policing-a/audit/", "Not Found: /organise/policing-a/audit/"),
])
def test_it_redacts_secrets_in_paths_and_queries(line, expected):
    assert redact(line) == expected


def test_a_404_on_a_personal_link_logs_no_token(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/i/{TOKEN}/")
    assert response.status_code == 404
    messages = [record.getMessage() for record in caplog.records]
    assert f"Not Found: /i/{REDACTED}/" in messages
    assert TOKEN not in caplog.text


def test_a_draft_link_refused_without_its_csrf_token_logs_no_token(db, caplog):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING):
        response = client.post(f"/r/{TOKEN}/q/1/save/", {"answer": "x"})
    assert response.status_code == 403
    assert caplog.records and TOKEN not in caplog.text


def test_it_redacts_tracebacks_too():
    try:
        raise LookupError(f"no draft for /r/{TOKEN}/")
    except LookupError:
        record = logging.LogRecord("waitress", logging.ERROR, __file__, 1,
                                   "Exception while serving %s", (f"/r/{TOKEN}/",),
                                   sys.exc_info())
    RedactSecrets().filter(record)
    text = logging.Formatter().format(record)
    assert TOKEN not in text and "Exception while serving /r/[redacted]/" in text
    assert "LookupError: no draft for /r/[redacted]/" in text


def test_every_handler_and_the_path_loggers_redact():
    config = django_settings.LOGGING
    assert all("redact_secrets" in handler.get("filters", [])
               for handler in config["handlers"].values())
    for name in ("django.request", "django.security.csrf", "waitress"):
        assert any(isinstance(f, RedactSecrets) for f in logging.getLogger(name).filters)
