"""Settings for more than one web process: the shared cache and the PostgreSQL connection pool,
as functions of the environment (settings.py applies them), so they can be tested without
re-importing the settings module.

- ``CONSULTA_CACHE_URL``: unset, each process counts rate limits in its own memory (one
  process, the demo); ``redis://`` (or ``rediss://``, ``unix://``) counts them in Redis, shared
  by every process on every machine, with atomic increments (django-ratelimit needs them; the
  database cache has none).
- ``CONSULTA_DB_POOL_MAX``: each process's pool of PostgreSQL connections (Django's psycopg
  pool); 0 turns the pool off (for a server-side pooler such as PgBouncer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

LOCAL_CACHE = "django.core.cache.backends.locmem.LocMemCache"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
REDIS_SCHEMES = ("redis", "rediss", "unix")
#: A Redis that does not answer fails the request in this many seconds rather than holding a
#: web thread (and the respondent) for the operating system's TCP timeout.
REDIS_TIMEOUT = 2
#: Connections per process: at least waitress's threads (8 by default, `--threads`), so no
#: request waits for one; 10 processes x 10 stay inside PostgreSQL's default 100 connections.
DEFAULT_POOL_MAX = 10
POOL_MIN = 2  # kept open while idle, so the first requests after a quiet hour do not connect


def cache_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Django's ``CACHES`` for ``CONSULTA_CACHE_URL``."""
    url = env.get("CONSULTA_CACHE_URL", "").strip()
    if not url:
        return {"default": {"BACKEND": LOCAL_CACHE}}
    # Django's Redis cache takes several servers (a primary, then replicas) separated so.
    for server in url.replace(";", ",").split(","):
        _check_redis_url(server.strip())
    try:
        import redis  # noqa: F401  (Django imports it only at the first request)
    except ImportError as error:
        raise ImproperlyConfigured(
            "CONSULTA_CACHE_URL is a Redis address, but the redis package is not installed: "
            "pip install 'consulta[scale]'."
        ) from error
    return {"default": {
        "BACKEND": REDIS_CACHE,
        "LOCATION": url,
        # Apart from other sites' keys in a shared Redis (two installations: use a database
        # number each, redis://host:6379/1).
        "KEY_PREFIX": "consulta",
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
    }}


def _check_redis_url(url: str) -> None:
    # The message never repeats the address: it may hold the Redis password.
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES:
        raise ImproperlyConfigured(
            "CONSULTA_CACHE_URL must be a Redis address (redis://host:6379/0, rediss:// or "
            f"unix://), or unset for a cache in each process; it starts with {parts.scheme!r}."
        )
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError as error:
        raise ImproperlyConfigured("CONSULTA_CACHE_URL has a port that is not a number.") from error
    if parts.scheme != "unix" and not parts.hostname:
        raise ImproperlyConfigured("CONSULTA_CACHE_URL names no host (redis://host:6379/0).")


def shared_cache(caches: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether every process sees the same counts (False for a cache in each process)."""
    return caches["default"]["BACKEND"] != LOCAL_CACHE


def pool_size(env: Mapping[str, str]) -> int:
    text = env.get("CONSULTA_DB_POOL_MAX", "").strip() or str(DEFAULT_POOL_MAX)
    try:
        size = int(text)
    except ValueError:
        size = -1
    if size < 0:
        raise ImproperlyConfigured(
            f"CONSULTA_DB_POOL_MAX must be a whole number, 0 or more (it is {text!r})."
        )
    return size


def database_settings(database: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """``database`` (from ``DATABASE_URL``) with Django's psycopg pool on PostgreSQL.

    A pooled connection goes back to the pool at the end of each request instead of being
    closed (or kept by one thread, as CONN_MAX_AGE does), so a process needs no more
    connections than it has threads working at once; Django requires CONN_MAX_AGE 0 with it.
    """
    if database.get("ENGINE") != "django.db.backends.postgresql":
        return database
    size = pool_size(env)
    if size == 0:
        return database
    try:
        import psycopg_pool  # noqa: F401
    except ImportError as error:
        raise ImproperlyConfigured(
            "PostgreSQL connections are pooled, but psycopg-pool is not installed: pip install "
            "'consulta[postgres]', or set CONSULTA_DB_POOL_MAX=0 to connect without a pool."
        ) from error
    options = dict(database.get("OPTIONS", {}))
    # Waiting longer than this for a free connection means the pool is too small: fail the
    # request (the log says why) rather than hold it for psycopg's default 30 s.
    options["pool"] = {"min_size": min(POOL_MIN, size), "max_size": size, "timeout": 10}
    return {**database, "OPTIONS": options, "CONN_MAX_AGE": 0}
