"""Django settings for Consulta.

Everything a deployment changes comes from the environment:

- ``CONSULTA_DATA_DIR``: where the SQLite database and the generated secret key live
  (default ``./consulta-data``).
- ``DATABASE_URL``: use this database instead (for example ``postgres://user:pw@host/db``).
- ``CONSULTA_SECRET_KEY``, ``CONSULTA_DEBUG``, ``CONSULTA_ALLOWED_HOSTS`` (comma-separated),
  ``CONSULTA_MAX_IMPORT_BYTES``, ``CONSULTA_SEND_INLINE_LIMIT``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from consulta.web.consultations.audit import AUDITED_MODELS
from consulta.web.secrets import load_secret_key

DATA_DIR = Path(os.environ.get("CONSULTA_DATA_DIR", "consulta-data")).resolve()
BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = os.environ.get("CONSULTA_SECRET_KEY") or load_secret_key(DATA_DIR)
DEBUG = os.environ.get("CONSULTA_DEBUG", "").lower() in {"1", "true", "yes"}
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("CONSULTA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "consulta.web.accounts",
    "consulta.web.consultations",
    "consulta.web.stakeholders",
    "consulta.web.responses",
    "consulta.web.outreach",
    "consulta.web.respond",
    "consulta.web.analysis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "consulta.web.urls"
WSGI_APPLICATION = "consulta.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "consulta.sqlite3",
        "OPTIONS": {
            # WAL lets readers (the monitoring pages) run while a writer commits; IMMEDIATE
            # transactions take the write lock up front instead of failing half-way with
            # "database is locked" when two requests write at once.
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "consultations:index"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Only used after `collectstatic` (optional); WhiteNoise warns about a root that does not exist.
STATIC_ROOT = DATA_DIR / "static" if (DATA_DIR / "static").is_dir() else None
# Serve straight from the app folders: no collectstatic step between install and first run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Email: Django's own setting names, read from the environment. Without EMAIL_HOST (the demo),
# messages are printed to the console instead of sent.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "").lower() in {"1", "true", "yes"}
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Consulta <consulta@localhost>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# Links in emails are absolute, built from this.
CONSULTA_BASE_URL = os.environ.get("CONSULTA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Rate limits count in this cache. One waitress process serves the site, so a per-process
# memory cache sees every request; a multi-process deployment should point it at the database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
RATELIMIT_USE_CACHE = "default"
# Per client address: starting and submitting responses, and asking for a return link by email.
CONSULTA_SUBMIT_RATE = os.environ.get("CONSULTA_SUBMIT_RATE", "20/m")
CONSULTA_RETURN_LINK_RATE = os.environ.get("CONSULTA_RETURN_LINK_RATE", "5/h")
# Mail providers send every reader's one-click unsubscribe from a few addresses: generous.
CONSULTA_UNSUBSCRIBE_RATE = os.environ.get("CONSULTA_UNSUBSCRIBE_RATE", "60/m")
# Shown on the accessibility statement as the address to report problems to.
CONSULTA_ACCESSIBILITY_CONTACT = os.environ.get("CONSULTA_ACCESSIBILITY_CONTACT", "")

# Background work (docs/adr/0006-background-work.md): tasks are rows in this database, run by
# `consulta worker` (which `consulta serve` and `consulta demo` start beside the web server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Invitations or reminders for more people than this go to the worker instead of being sent
# while the organiser's browser waits (one SMTP exchange per person).
CONSULTA_SEND_INLINE_LIMIT = int(os.environ.get("CONSULTA_SEND_INLINE_LIMIT", "50"))

# Imports above this size are refused before any parsing (bytes).
CONSULTA_MAX_IMPORT_BYTES = int(os.environ.get("CONSULTA_MAX_IMPORT_BYTES", str(20 * 1024 * 1024)))
# Let uploads reach the view, which refuses oversized files with a clear message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The audit trail records who changed what and when, never where from: respondents' and
# organisers' IP addresses are not kept (anonymous phases promise no link to a person).
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDITLOG_INCLUDE_TRACKING_MODELS = AUDITED_MODELS
AUDITLOG_STORE_JSON_CHANGES = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
