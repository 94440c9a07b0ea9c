"""How long the workbench's answers page takes for a question with 10,000 coded answers.

Builds a consultation with one partners' question, N submitted answers and a finished run
coding them into 20 themes (rows written directly, no analysis), signs a member in, then times
the whole request (view, queries, template) for the first page, a middle page, a search, a
theme filter and low confidence + unreviewed, several times each, and counts the queries.

    python benchmarks/web/workbench_page.py --answers 10000

Uses a temporary data directory (SQLite); touches nothing else.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import one_question_run

WORDS = ["patrols", "night", "schools", "data", "trust", "response", "officers", "partners",
         "records", "youth", "station", "budget", "staff", "training", "housing"]


def words(i: int) -> str:
    return " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 40))


def build(answers: int):
    from django.contrib.auth.models import User

    from consulta.web.analysis.models import CodedTheme, Coding, Theme
    from consulta.web.consultations.models import Membership

    consultation, question, rows, run = one_question_run(answers, words)
    themes = Theme.objects.bulk_create([
        Theme(run=run, question=question, key=f"t{n:02d}", label=f"Theme {n}", size=answers // 20)
        for n in range(1, 21)])
    codings = Coding.objects.bulk_create([
        Coding(run=run, answer=a, primary=themes[i % 20], confidence=(i % 100) / 100,
               sentiment="negative") for i, a in enumerate(rows)], batch_size=2000)
    CodedTheme.objects.bulk_create(
        [CodedTheme(coding=c, theme=themes[i % 20], confidence=0.8) for i, c in enumerate(codings)]
        + [CodedTheme(coding=c, theme=themes[(i + 7) % 20], confidence=0.4)
           for i, c in enumerate(codings) if i % 3 == 0], batch_size=2000)
    user = User.objects.create_user("bench", "bench@example.org", "x")
    Membership.objects.create(consultation=consultation, user=user,
                              role=Membership.Role.ANALYST)
    return user, question


def measure(client, url: str, repeats: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates compiled, caches filled
    times = []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="consulta-bench-"))
    os.environ.update(CONSULTA_DATA_DIR=str(data_dir),
                      DJANGO_SETTINGS_MODULE="consulta.web.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    user, question = build(args.answers)
    print(f"built {args.answers} answers in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(user)
    base = f"/organise/bench/workbench/q/{question.pk}/"
    pages = {"first page": "", "page 100": "?page=100", "search": "?q=housing+youth",
             "theme filter": "?theme=t07", "low confidence, unreviewed":
             "?low_confidence=on&unreviewed=on&order=confidence"}
    print(f"| page | median of {args.repeats} (ms) | queries |")
    print("|---|---|---|")
    for name, query in pages.items():
        seconds, queries = measure(client, base + query, args.repeats)
        print(f"| {name} | {seconds * 1000:.0f} | {queries} |")


if __name__ == "__main__":
    main()
