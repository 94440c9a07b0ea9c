"""Load benchmark: N simulated respondents complete the journey at once against `consulta serve`
on SQLite, on loopback. Prints completions per second, p95 page latency and errors, and checks
that every acknowledged submission is in the database.

    python benchmarks/load/run.py --users 200

Needs the `bench` extra (locust). Sends traffic only to 127.0.0.1, bounded in count and time.
"""

from __future__ import annotations

import argparse
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


def consultation_document() -> dict:
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
        "slug": "load-test", "title": "Load test", "status": "open",
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


def stored_references(database: Path, references: list[str]) -> int:
    with sqlite3.connect(database) as db:
        marks = ",".join("?" * len(references))
        query = f"SELECT COUNT(*) FROM responses_response WHERE status='submitted' AND " \
                f"reference IN ({marks})"
        return db.execute(query, references).fetchone()[0] if references else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--run-time", default="300s", help="upper bound on the run")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="consulta-load-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(CONSULTA_DATA_DIR=str(work / "data"), CONSULTA_SUBMIT_RATE="1000000/m",
               CONSULTA_SAVE_RATE="1000000/m")
    document = work / "load.json"
    document.write_text(json.dumps(consultation_document()))
    consulta("import", "consultation", str(document), env=env)

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "consulta", "serve", "--port", str(port),
                               "--threads", str(args.threads)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        host = f"http://127.0.0.1:{port}"
        wait_until_up(host + "/")
        results = work / "results.json"
        locust_env = {**env, "LOAD_START_PATH": "/c/load-test/1/", "LOAD_RESULTS": str(results),
                      "LOAD_USERS": str(args.users)}
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(args.users), "--run-time", args.run_time,
             "--host", host, "--only-summary", "--loglevel", "ERROR"],
            env=locust_env, check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    outcome = json.loads(results.read_text())
    latencies = outcome["latencies_ms"]
    failures = outcome["request_errors"]
    acknowledged = outcome["references"]
    stored = stored_references(work / "data" / "consulta.sqlite3", acknowledged)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "users": args.users,
        "waitress_threads": args.threads,
        "completed_journeys": len(acknowledged),
        "failed_journeys": outcome["failed_journeys"],
        "wall_time_s": round(outcome["elapsed_s"], 1),
        "completions_per_s": round(len(acknowledged) / outcome["elapsed_s"], 2),
        "requests": len(latencies),
        "request_errors": failures,
        "median_page_latency_ms": round(percentile(latencies, 0.5)),
        "p95_page_latency_ms": round(percentile(latencies, 0.95)),
        "max_page_latency_ms": round(max(latencies, default=0)),
        "acknowledged_and_stored": f"{stored} of {len(acknowledged)}",
    }
    print(json.dumps(report, indent=2))
    return 0 if stored == len(acknowledged) == args.users and not failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
