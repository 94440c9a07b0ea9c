"""Django settings for Consulta.

Everything a deployment changes comes from the environment:

- ``CONSULTA_DATA_DIR``: where the SQLite database and the generated secret key live
  (default ``./consulta-data``).
- ``DATABASE_URL``: use this database instead (for example ``postgres://user:pw@host/db``);
  ``CONSULTA_DB_POOL_MAX``: PostgreSQL connections pooled per process (deployment/scaling.py).
- ``CONSULTA_CACHE_URL``: ``redis://…`` to share rate limits between web processes.
- ``CONSULTA_SECRET_KEY``, ``CONSULTA_DEBUG``, ``CONSULTA_ALLOWED_HOSTS`` (comma-separated),
  ``CONSULTA_MAX_IMPORT_BYTES``, ``CONSULTA_SEND_INLINE_LIMIT``.
- ``CONSULTA_SESSION_IDLE_SECONDS``: sign back-office users out after this long idle (3600).
- ``CONSULTA_BASE_URL``: the site's address; ``https://`` turns on secure cookies, HSTS, the
  redirect to HTTPS and CSRF_TRUSTED_ORIGINS (deployment/environment.py).
- ``CONSULTA_TRUST_PROXY``: believe a TLS proxy's X-Forwarded-Proto and X-Forwarded-For.
- ``CONSULTA_SUBMIT_RATE``, ``CONSULTA_SAVE_RATE``, ``CONSULTA_RETURN_LINK_RATE``,
  ``CONSULTA_UNSUBSCRIBE_RATE``: per-address rate limits; ``CONSULTA_DRAFT_GRACE_DAYS``,
  ``CONSULTA_ACCESSIBILITY_CONTACT``; Django's ``EMAIL_*`` and ``DEFAULT_FROM_EMAIL``.

The README's "Deploying" section lists them all with their meaning.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from consulta.web.consultations.audit import AUDITED_MODELS
from consulta.web.deployment.environment import base_url, security_settings
from consulta.web.deployment.scaling import cache_settings, database_settings
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
    "csp",
    "consulta.web.deployment",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "consulta.web.accounts",
    "consulta.web.consultations",
    "consulta.web.stakeholders",
    "consulta.web.responses",
    "consulta.web.outreach",
    "consulta.web.respond",
    "consulta.web.analysis",
    "consulta.web.workbench",
    "consulta.web.reports",
    "consulta.web.privacy",
    "consulta.web.redactions",
    "consulta.web.publishing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "consulta.web.deployment.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): signed in with a code
    "consulta.web.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
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
        # PostgreSQL: a pool of connections per process (CONSULTA_DB_POOL_MAX); without the
        # pool, or on another engine, each thread keeps its connection for a minute.
        parsed = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        return database_settings(parsed, os.environ)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "consulta.sqlite3",
        "OPTIONS": {
            # WAL lets readers (the monitoring pages) run while a writer commits; IMMEDIATE
            # transactions take the write lock up front instead of failing half-way with
            # "database is locked" when two requests write at once.
            # secure_delete zeroes deleted content, so a cleared identity is not left readable
            # in free pages (privacy_storage.py checkpoints the -wal after such writes).
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA secure_delete=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Accounts, sign-in throttling and two-factor codes: docs/adr/0009-accounts-and-two-factor.md.
AUTHENTICATION_BACKENDS = [
    "consulta.web.accounts.throttle.ThrottledSignIn",  # axes: refuses sign-in while locked out
    "django.contrib.auth.backends.ModelBackend",
]
# A back-office session ends after this long without a request (seconds; default 1 hour).
SESSION_COOKIE_AGE = int(os.environ.get("CONSULTA_SESSION_IDLE_SECONDS", "3600"))
SESSION_SAVE_EVERY_REQUEST = True  # each request restarts the idle clock
# 5 failures for one username from one address, or 20 from one address across usernames,
# pause sign-in there for 15 minutes. Never per username alone: then anyone could keep
# every account locked from anywhere.
AXES_HANDLER = "consulta.web.accounts.throttle.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = 5
CONSULTA_LOGIN_ADDRESS_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lockout ends on time
AXES_LOCKOUT_CALLABLE = "consulta.web.accounts.throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "consulta.web.deployment.proxy.client_address"  # as rate limits
AXES_CLIENT_STR_CALLABLE = "consulta.web.accounts.throttle.client_description"
# No login history: attempts (with addresses) are deleted when their cool-off ends.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Consulta"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "consultations:index"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# `consulta serve` collects the files here on start, under hashed names that browsers keep for a
# year (deployment/static.py). Without a data directory (tests) there is none; WhiteNoise warns
# about a root that does not exist, so an empty one is made beside the database.
STATIC_ROOT = DATA_DIR / "static" if DATA_DIR.is_dir() else None
if STATIC_ROOT is not None:
    STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "consulta.web.deployment.static.StaticStorage"},
}
# Also serve straight from the app folders: nothing to collect between install and first run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# HTTPS behind a proxy and the security headers (deployment/environment.py): CONSULTA_TRUST_PROXY,
# SECURE_PROXY_SSL_HEADER, CSRF_TRUSTED_ORIGINS, secure cookies, HSTS and the HTTPS redirect for
# an https:// CONSULTA_BASE_URL, Referrer-Policy, CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY.
globals().update(security_settings(os.environ))
# HSTS preloading asks browsers' makers to hard-code HTTPS for the whole registered domain (a
# council's or a force's, not only this site's): the domain's owner decides that, not this app.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

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
CONSULTA_BASE_URL = base_url(os.environ)

# Rate limits count in this cache: each process's own memory by default (one process sees every
# request), Redis with CONSULTA_CACHE_URL, so that several processes or machines share the
# counts (deployment/scaling.py). Nothing else here keeps state in a process: sessions,
# sign-in throttling (axes) and the task queue live in the database.
CACHES = cache_settings(os.environ)
RATELIMIT_USE_CACHE = "default"
# The client's address: X-Forwarded-For's right-most entry only behind a trusted proxy.
RATELIMIT_IP_META_KEY = "consulta.web.deployment.proxy.client_address"
# Per client address: starting and submitting responses, and asking for a return link by email.
CONSULTA_SUBMIT_RATE = os.environ.get("CONSULTA_SUBMIT_RATE", "20/m")
CONSULTA_RETURN_LINK_RATE = os.environ.get("CONSULTA_RETURN_LINK_RATE", "5/h")
# Saving a draft's answers: a page every half-second, far more than anyone types.
CONSULTA_SAVE_RATE = os.environ.get("CONSULTA_SAVE_RATE", "120/m")
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
# Unsubmitted drafts are deleted this many days after their phase closes (privacy/retention.py).
CONSULTA_DRAFT_GRACE_DAYS = int(os.environ.get("CONSULTA_DRAFT_GRACE_DAYS", "30"))

# Imports above this size are refused before any parsing (bytes).
CONSULTA_MAX_IMPORT_BYTES = int(os.environ.get("CONSULTA_MAX_IMPORT_BYTES", str(20 * 1024 * 1024)))
# Let uploads reach the view, which refuses oversized files with a clear message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The audit trail records who changed what and when, never where from: respondents' and
# organisers' IP addresses are not kept (anonymous phases promise no link to a person).
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDITLOG_INCLUDE_TRACKING_MODELS = AUDITED_MODELS
AUDITLOG_STORE_JSON_CHANGES = True

# Personal links' secrets never reach the log (deployment/redact.py): filtered on the handler
# for everything, and on the loggers that print paths, before any other handler sees them.
_REDACT = {"filters": ["redact_secrets"]}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "consulta.web.deployment.redact.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", **_REDACT}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {name: _REDACT for name in ("django.request", "django.security.csrf", "waitress")},
}
