"""How long a stakeholder import holds SQLite's write lock, as a request would feel it.

A probe thread on a connection of its own tries ``BEGIN IMMEDIATE`` every 5 ms without waiting
and records the longest stretch it could not have the lock, while the importer loads N rows
(organisations of ten people, each person in two phases' audiences) into a new network, then
the same file again (everything found, nothing changed). Requests wait up to 20 s for the lock
(the busy timeout in settings.py); an import must hold it for much less.

    python benchmarks/load/import_lock.py --rows 40000

Uses a temporary data directory; touches nothing else.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import threading
import time
from pathlib import Path


def longest_wait(database: Path, stop: threading.Event, result: list[float]) -> None:
    connection = sqlite3.connect(database, timeout=0, isolation_level=None)
    blocked_since = None
    while not stop.is_set():
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("COMMIT")
            if blocked_since is not None:
                result[0] = max(result[0], time.monotonic() - blocked_since)
            blocked_since = None
        except sqlite3.OperationalError:  # "database is locked": the import holds it
            blocked_since = blocked_since or time.monotonic()
        time.sleep(0.005)
    if blocked_since is not None:
        result[0] = max(result[0], time.monotonic() - blocked_since)
    connection.close()


def network_file(rows: int) -> bytes:
    lines = ["organisation,sector,type,name,email,job_title,phases"]
    lines += [f"Org {n // 10},voluntary,charity,Person {n},p{n}@example.org,Officer,1;2"
              for n in range(rows)]
    return "\n".join(lines).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=40_000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="consulta-import-lock-"))
    os.environ.update(CONSULTA_DATA_DIR=str(data_dir),
                      DJANGO_SETTINGS_MODULE="consulta.web.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from consulta.web.consultations.models import Consultation, Phase
    from consulta.web.stakeholders.importer import import_stakeholders

    call_command("migrate", verbosity=0)
    consultation = Consultation.objects.create(slug="import-lock", title="Import lock")
    now = timezone.now()
    for number in (1, 2):
        Phase.objects.create(consultation=consultation, position=number, name=f"Phase {number}",
                             audience=Phase.Audience.PARTNERS,
                             anonymity=Phase.Anonymity.IDENTIFIED, opens_at=now,
                             closes_at=now + timezone.timedelta(days=30))
    data = network_file(args.rows)
    for label in ("new network", "same file again"):
        stop, longest = threading.Event(), [0.0]
        probe = threading.Thread(target=longest_wait,
                                 args=(data_dir / "consulta.sqlite3", stop, longest))
        probe.start()
        started = time.monotonic()
        report = import_stakeholders(consultation, data, "network.csv")
        took = time.monotonic() - started
        stop.set()
        probe.join()
        print(f"{label}: {args.rows} rows in {took:.2f} s; write lock held at most "
              f"{longest[0]:.2f} s ({report.summary()})")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
