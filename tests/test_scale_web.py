"""Stateless web processes (issue 12): rate limits counted in a Redis that every process shares,
`consulta serve --processes N`, PostgreSQL's connection pool and static files with far-future
cache headers. The cross-process tests run real `consulta serve` processes on free ports, with a
Redis of their own (skipped where `redis-server` is not installed: Debian's redis-server) and a
SQLite data directory of their own, spoken to over real HTTP."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ImproperlyConfigured
from django_ratelimit.core import _get_window

from consulta.cli.common import CommandError
from consulta.cli.serve import prepare
from consulta.web.deployment.scaling import (
    LOCAL_CACHE,
    REDIS_CACHE,
    cache_settings,
    database_settings,
)
from smtp import free_port

POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "consulta", "CONN_MAX_AGE": 60,
            "OPTIONS": {}}
HASHED_CSS = re.compile(r"/static/consulta/consulta\.[0-9a-f]{12}\.css")
# An open public phase in the servers' own database (the same shapes as conftest's).
MAKE_CONSULTATION = """
import argparse, sys
from datetime import timedelta
from consulta.cli.common import setup
setup(argparse.Namespace(data_dir=sys.argv[1]))
from django.utils import timezone
from consulta.web.consultations.models import Consultation, Phase, Question
consultation = Consultation.objects.create(slug="northshire", title="Policing Northshire",
                                           status=Consultation.Status.OPEN)
phase = Phase.objects.create(consultation=consultation, position=1, name="Everyone",
    audience=Phase.Audience.PUBLIC, anonymity=Phase.Anonymity.IDENTIFIED,
    opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=30))
Question.objects.create(phase=phase, position=1, key="views", title="What do you think?")
"""

# --- Settings read from the environment --------------------------------------------------------


def test_it_keeps_rate_limits_in_each_process_without_a_cache_url():
    assert cache_settings({})["default"]["BACKEND"] == LOCAL_CACHE
    assert cache_settings({"CONSULTA_CACHE_URL": " "})["default"]["BACKEND"] == LOCAL_CACHE


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "rediss://:pw@cache.example.org:6380",
                                 "unix:///run/redis/redis.sock?db=2",
                                 "redis://primary:6379,redis://replica:6379"])
def test_it_counts_in_redis_given_a_redis_address(url):
    pytest.importorskip("redis")
    cache = cache_settings({"CONSULTA_CACHE_URL": url})["default"]
    assert cache["BACKEND"] == REDIS_CACHE
    assert cache["LOCATION"] == url
    assert cache["OPTIONS"]["socket_timeout"] <= 5  # a dead Redis never holds a thread long


@pytest.mark.parametrize("url", ["memcached://127.0.0.1:11211", "127.0.0.1:6379",
                                 "redis://cache:port/0", "redis:///0",
                                 "db://:s3cret-pw@cache.example.org"])
def test_it_refuses_a_cache_url_that_is_not_redis_and_names_the_variable(url):
    with pytest.raises(ImproperlyConfigured) as refused:
        cache_settings({"CONSULTA_CACHE_URL": url})
    assert "CONSULTA_CACHE_URL" in str(refused.value)
    assert "s3cret-pw" not in str(refused.value)  # the password is never repeated


def test_a_junk_cache_url_stops_every_command_with_a_clear_message(tmp_path):
    env = {**os.environ, "CONSULTA_CACHE_URL": "memcached://127.0.0.1:11211"}
    result = subprocess.run([sys.executable, "-m", "consulta", "check", "--data-dir",
                             str(tmp_path)], env=env, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 2
    assert "consulta: error: CONSULTA_CACHE_URL must be a Redis address" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_pools_postgresql_connections_per_process():
    pytest.importorskip("psycopg_pool")
    pooled = database_settings(POSTGRES, {})
    assert pooled["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 10, "timeout": 10}
    assert pooled["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool
    assert database_settings(POSTGRES, {"CONSULTA_DB_POOL_MAX": "4"})["OPTIONS"]["pool"][
        "max_size"] == 4
    assert database_settings(POSTGRES, {"CONSULTA_DB_POOL_MAX": "0"}) == POSTGRES  # PgBouncer
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}
    assert database_settings(sqlite, {}) == sqlite
    with pytest.raises(ImproperlyConfigured, match="CONSULTA_DB_POOL_MAX"):
        database_settings(POSTGRES, {"CONSULTA_DB_POOL_MAX": "lots"})


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="the suite runs on SQLite")
def test_the_suite_on_postgresql_runs_through_the_pool(db):
    from django.db import connection

    connection.ensure_connection()
    assert connection.pool is not None
    assert connection.settings_dict["OPTIONS"]["pool"]["max_size"] >= 8  # waitress's threads


def test_several_processes_without_a_shared_cache_get_a_warning(settings, capsys):
    settings.CACHES = cache_settings({})
    prepare(2, 8)
    assert "CONSULTA_CACHE_URL is not set" in capsys.readouterr().err
    prepare(1, 8)
    assert capsys.readouterr().err == ""  # one process sees every request


def test_serve_refuses_to_start_on_a_redis_that_does_not_answer(settings):
    pytest.importorskip("redis")
    settings.CACHES = cache_settings({"CONSULTA_CACHE_URL": f"redis://127.0.0.1:{free_port()}/0"})
    with pytest.raises(CommandError, match="cache at CONSULTA_CACHE_URL does not answer"):
        prepare(2, 8)


# --- Real processes sharing one Redis -------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    pytest.importorskip("redis")
    import redis

    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    if not wait_until(lambda: _answers(client), 10):
        server.kill()
        pytest.fail("redis-server did not start")
    yield url
    server.terminate()
    server.wait(timeout=10)


def _answers(client) -> bool:
    import redis

    try:
        return client.ping()
    except (OSError, redis.RedisError):  # still starting
        return False


@pytest.fixture(scope="module")
def site(tmp_path_factory, redis_url):
    """A data directory with an open public phase, and the environment to serve it with."""
    data = tmp_path_factory.mktemp("site") / "data"
    # SQLite in the data directory, never the suite's database; counts in the test's Redis.
    env = {name: value for name, value in os.environ.items()
           if name not in {"DATABASE_URL", "CONSULTA_DATA_DIR", "CONSULTA_SUBMIT_RATE"}}
    env.update(CONSULTA_CACHE_URL=redis_url, CONSULTA_TRUST_PROXY="1")
    subprocess.run([sys.executable, "-c", MAKE_CONSULTATION, str(data)], env=env, check=True,
                   timeout=120)
    return data, env


def start_serving(site, *options: str) -> tuple[subprocess.Popen, int, Path]:
    data, env = site
    port = free_port()
    log = data.parent / f"serve-{port}.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "consulta", "serve", "--port", str(port), "--data-dir",
             str(data), *options], env=env, stdout=out, stderr=subprocess.STDOUT)
    return server, port, log


@pytest.fixture(scope="module")
def servers(site):
    """Two `consulta serve` on one data directory and one Redis: the first with two web
    processes and a worker, the second a single process (started together: quicker)."""
    started = [start_serving(site, "--processes", "2"), start_serving(site, "--no-worker")]
    try:
        for _, port, log in started:
            assert wait_until(lambda port=port: _status(port) == 200, 90), log.read_text()
        yield started
    finally:
        for server, _, _ in started:
            stop(server)


def _status(port: int) -> int | None:
    try:
        return request(port, "GET", "/")[0]
    except OSError:
        return None


def request(port: int, method: str, path: str, *, headers: dict | None = None,
            body: str | None = None) -> tuple[int, http.client.HTTPMessage, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def start_response(port: int, address: str) -> int:
    """A respondent (seen by the proxy as ``address``) opens the start page and starts."""
    proxied = {"X-Forwarded-For": address}
    status, headers, page = request(port, "GET", "/c/northshire/1/", headers=proxied)
    assert status == 200, page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = headers["Set-Cookie"].split(";")[0]
    status, _, _ = request(port, "POST", "/c/northshire/1/begin/", body=urlencode(
        {"csrfmiddlewaretoken": token}), headers={
        **proxied, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    return status


def address_with_a_minute_to_itself(spare: float = 40) -> str:
    """A client address whose one-minute counting window has ``spare`` seconds left: the limit
    must not start afresh half-way through the test."""
    for last in range(1, 255):
        address = f"198.51.100.{last}"
        if _get_window(address, 60) - time.time() >= spare:
            return address
    raise AssertionError("every address's window ends soon")  # cannot happen: windows differ


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return bool(condition())


def test_twenty_starts_a_minute_hold_across_two_serve_processes(servers):
    (_, first, _), (_, second, _) = servers
    address = address_with_a_minute_to_itself()
    assert [start_response(port, address) for port in [first, second] * 10] == [303] * 20
    # The 21st start is refused whichever process gets it: they count in one place.
    assert start_response(first, address) == 429
    assert start_response(second, address) == 429
    assert start_response(second, "198.51.100.255") == 303  # another address is not held back


def test_processes_serve_one_address_restart_a_killed_one_and_stop_together(servers):
    server, port, log = servers[0]  # --processes 2
    assert wait_until(lambda: "Started a background worker" in log.read_text(), 30)
    children = [int(pid) for pid in re.findall(r"web process \(process (\d+)\)",
                                               log.read_text())]
    worker = int(re.search(r"background worker \(process (\d+)\)", log.read_text())[1])
    assert len(children) == 2

    os.kill(children[0], signal.SIGKILL)
    assert all(request(port, "GET", "/")[0] == 200 for _ in range(5))  # the other serves
    assert wait_until(lambda: log.read_text().count("Started a web process") == 3, 20)
    replacement = int(re.findall(r"Started a web process \(process (\d+)\)",
                                 log.read_text())[-1])
    assert "stopped unexpectedly" in log.read_text()
    assert alive(replacement) and alive(children[1])

    # Static files under hashed names, kept by browsers and proxies for a year.
    status, _, page = request(port, "GET", "/")
    stylesheet = HASHED_CSS.search(page).group(0)
    status, headers, css = request(port, "GET", stylesheet)
    assert status == 200 and ".skip-link" in css
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"

    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
    assert wait_until(lambda: not any(map(alive, [replacement, children[1], worker])), 10)
    assert "Web processes stopped." in log.read_text()


def test_waitress_hands_a_trusted_proxys_headers_to_django(settings):
    # Waitress deletes X-Forwarded-For and -Proto by default: behind nginx every respondent
    # would share the proxy's allowance, and an https:// site would redirect to itself.
    from consulta.cli.serving import waitress_options

    settings.CONSULTA_TRUST_PROXY = True
    assert waitress_options(8)["clear_untrusted_proxy_headers"] is False
    settings.CONSULTA_TRUST_PROXY = False
    assert waitress_options(8)["clear_untrusted_proxy_headers"] is True
