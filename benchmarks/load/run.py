"""Load benchmark: simulated respondents complete the journey against `consulta serve` on loopback,
on SQLite (a temporary data directory) or on PostgreSQL (--database-url), with one web process
or several (--processes, sharing a Redis cache: one is started for the run unless --cache-url
names one). Two modes: a burst (--users N start at the same moment) and arrivals (--arrivals N
--over S: N respondents arrive evenly over S seconds, each does one journey and leaves). Prints
completions per second, page-step latencies and errors, and checks that every acknowledged
submission is in the database.

    python benchmarks/load/run.py --users 200
    python benchmarks/load/run.py --database-url postgres://.../consulta_e --processes 2 \
        --arrivals 1000 --over 600

Needs the `bench` extra (locust). Sends traffic only to 127.0.0.1, bounded in count and time.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUESTIONS = [
    ("trust", "How can the service ensure a trusted relationship with the public?"),
    ("partnership", "How can the service better work with partners?"),
    ("demand", "How is the service better able to meet and manage demand?"),
    ("efficiency", "What approaches would make it efficient and fit for purpose?"),
]


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def consultation_document(slug: str) -> dict:
    now = datetime.now(UTC)
    phase = {
        "number": 1, "name": "Open to everyone", "audience": "public",
        "anonymity": "confidential", "opens_at": stamp(now - timedelta(days=1)),
        "closes_at": stamp(now + timedelta(days=30)), "intro": "",
        "questions": [{"key": key, "title": title, "context": "", "kind": "long_text",
                       "required": True, "options": [], "max_length": 20000}
                      for key, title in QUESTIONS],
        "audience_members": [], "responses": [],
    }
    return {"format": "consulta-export", "format_version": 1, "consultations": [{
        "slug": slug, "title": "Load test", "status": "open",
        "created_at": stamp(now), "roles": [], "organisations": [], "people": [],
        "phases": [phase]}]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def consulta(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "consulta", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not start at {url}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def stored_references(database: str | Path, references: list[str]) -> int:
    """How many of ``references`` are submitted responses in the database (a SQLite file or a
    PostgreSQL URL)."""
    if not references:
        return 0
    query = "SELECT COUNT(*) FROM responses_response WHERE status='submitted' AND reference IN "
    if isinstance(database, Path):
        with sqlite3.connect(database) as db:
            marks = ",".join("?" * len(references))
            return db.execute(f"{query}({marks})", references).fetchone()[0]
    import psycopg

    with psycopg.connect(database) as db:
        marks = ",".join(["%s"] * len(references))
        return db.execute(f"{query}({marks})", references).fetchone()[0]


def start_redis() -> tuple[subprocess.Popen, str]:
    """A private, memory-only redis-server on a free loopback port, for one run."""
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return server, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.1)
    server.terminate()
    raise SystemExit("redis-server did not start")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="burst: respondents at once")
    parser.add_argument("--arrivals", type=int, help="arrivals: respondents arriving evenly "
                        "over --over seconds (instead of a burst)")
    parser.add_argument("--over", type=float, default=600, help="seconds of arrivals (600)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per process")
    parser.add_argument("--processes", type=int, default=1, help="consulta serve --processes")
    parser.add_argument("--database-url", help="postgres://... (default: SQLite in a temporary "
                        "data directory)")
    parser.add_argument("--cache-url", help="CONSULTA_CACHE_URL (default with --processes > 1: "
                        "a redis-server started for the run)")
    parser.add_argument("--run-time", default=None, help="upper bound on the run "
                        "(default: 300 s for a burst, --over + 300 s for arrivals)")
    parser.add_argument("--out", type=Path, help="also write the report (JSON) here")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    users = args.arrivals or args.users
    # Arrivals: locust starts users at a steady rate; each does one journey and stops, so
    # the spawn rate is the arrival rate. A burst starts them all within the first second.
    rate = users / args.over if args.arrivals else users
    run_time = args.run_time or f"{int(args.over) + 300 if args.arrivals else 300}s"
    work = Path(tempfile.mkdtemp(prefix="consulta-load-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CONSULTA_CACHE_URL"}}
    env.update(CONSULTA_DATA_DIR=str(work / "data"), CONSULTA_SUBMIT_RATE="1000000/m",
               CONSULTA_SAVE_RATE="1000000/m")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    redis = None
    if args.cache_url:
        env["CONSULTA_CACHE_URL"] = args.cache_url
    elif args.processes > 1:
        redis, env["CONSULTA_CACHE_URL"] = start_redis()
        atexit.register(redis.terminate)  # also when the import below fails
    # A new consultation each run: a PostgreSQL database is kept between runs.
    slug = f"load-{uuid.uuid4().hex[:8]}"
    document = work / "load.json"
    document.write_text(json.dumps(consultation_document(slug)))
    consulta("import", "consultation", str(document), env=env)

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "consulta", "serve", "--port", str(port),
                               "--threads", str(args.threads), "--processes",
                               str(args.processes)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        host = f"http://127.0.0.1:{port}"
        wait_until_up(host + "/")
        results = work / "results.json"
        locust_env = {**env, "LOAD_START_PATH": f"/c/{slug}/1/", "LOAD_RESULTS": str(results),
                      "LOAD_USERS": str(users)}
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
             "-u", str(users), "-r", f"{rate:.4f}", "--run-time", run_time,
             "--host", host, "--only-summary", "--loglevel", "ERROR"],
            env=locust_env, check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        if redis:
            redis.terminate()
            redis.wait(timeout=10)

    outcome = json.loads(results.read_text())
    database = args.database_url or work / "data" / "consulta.sqlite3"
    report = summary(args, users, outcome, stored_references(database, outcome["references"]))
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    acknowledged = len(outcome["references"])
    return 0 if report["stored"] == acknowledged == users and not outcome["request_errors"] else 1


def summary(args, users: int, outcome: dict, stored: int) -> dict:
    latencies = outcome["latencies_ms"]
    acknowledged = outcome["references"]
    elapsed = outcome["elapsed_s"]
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}; locust on the same machine",
        "database": "PostgreSQL" if args.database_url else "SQLite",
        "web_processes": args.processes,
        "waitress_threads": args.threads,
        "mode": f"arrivals over {args.over:.0f} s" if args.arrivals else "burst",
        "respondents": users,
        "completed_journeys": len(acknowledged),
        "failed_journeys": outcome["failed_journeys"],
        "wall_time_s": round(elapsed, 1),
        "completions_per_s": round(len(acknowledged) / elapsed, 2) if elapsed else 0,
        "requests": len(latencies),
        "request_errors": outcome["request_errors"],
        "median_page_latency_ms": round(percentile(latencies, 0.5)),
        "p95_page_latency_ms": round(percentile(latencies, 0.95)),
        "p99_page_latency_ms": round(percentile(latencies, 0.99)),
        "max_page_latency_ms": round(max(latencies, default=0)),
        "median_journey_s": round(percentile(outcome.get("journeys_s", []), 0.5), 1),
        "stored": stored,
        "acknowledged_and_stored": f"{stored} of {len(acknowledged)}",
    }


if __name__ == "__main__":
    raise SystemExit(main())
