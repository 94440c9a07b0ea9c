"""One worker vs two on a consultation of 10 questions x 10,000 answers on PostgreSQL.

    flock /tmp/bench.lock .venv/bin/python benchmarks/workers/run.py \\
        --admin-url postgres://consulta:consulta@127.0.0.1:5432/consulta_b

It (re)creates its own database (``--database``, default consulta_b_workers), stores one
consultation of ``--questions`` text questions with ``--answers`` submitted answers each (20-60
words built from real answers as benchmarks/analysis/speed.py builds them, a different source
question per question; synthetic sentences when ../shared/data is missing), then analyses it:

- ``one task``: ``consulta analyse --consultation bench`` (the single-task path, no worker);
- ``N workers``: the analysis queued, then N ``consulta worker`` processes started at once;
  the run is split into one part per question that the workers share, and the last part joins.

Each configuration starts from no earlier run (so no theme ids are carried) and a fresh
embedding cache (the built model files linked in). Wall time runs from starting the processes
to the run being done; CPU time and peak memory per process are what ``os.wait4`` reports for
it (ru_utime + ru_stime, ru_maxrss). Workers are stopped with SIGTERM once the run is done.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "analysis"))
from common import DEFAULT_DATA, load_average, machine, machine_line, table

START = datetime(2026, 1, 5, tzinfo=UTC)
SLUG = "bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgres://consulta:consulta@127.0.0.1:5432/"
                        "consulta_b", help="a database to connect to while creating ours")
    parser.add_argument("--database", default="consulta_b_workers")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--answers", type=int, default=10_000, help="per question")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--no-single", action="store_true", help="skip the one-task run")
    parser.add_argument("--embedder", default=None, help="default: the pipeline's (auto)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)

    url = urlparse(args.admin_url)._replace(path=f"/{args.database}").geturl()
    recreate(args.admin_url, args.database)
    scratch = Path(tempfile.mkdtemp(prefix="consulta-workers-"))
    env = {**os.environ, "DATABASE_URL": url, "CONSULTA_DATA_DIR": str(scratch / "data")}
    os.environ.update(DATABASE_URL=url, CONSULTA_DATA_DIR=env["CONSULTA_DATA_DIR"])
    from consulta.cli.common import setup

    setup(argparse.Namespace(data_dir=env["CONSULTA_DATA_DIR"]))
    began = time.perf_counter()
    build(args.questions, args.answers, args.data)
    print(f"stored {args.questions} x {args.answers:,} answers in "
          f"{time.perf_counter() - began:.0f} s", flush=True)

    runs = []
    if not args.no_single:
        runs.append(single_task(env, scratch, args.embedder))
        print(runs[-1], flush=True)
    for workers in args.workers:
        runs.append(with_workers(workers, env, scratch, args.embedder))
        print(runs[-1], flush=True)
    payload = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
               "questions": args.questions, "answers_per_question": args.answers,
               "embedder": args.embedder or "auto (default)", "runs": runs}
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"Machine: {machine_line(payload['machine'])}")
    print(report(runs))
    return 0


# --- data ----------------------------------------------------------------------------------------


def recreate(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def texts(questions: int, answers: int, data: Path) -> list[list[str]]:
    """Per question, its answers: each drawn from one source question of real answers."""
    import numpy as np

    try:
        from speed import MAX_WORDS, MIN_WORDS, source_questions

        groups = sorted(source_questions(data), key=len, reverse=True)
    except OSError:  # no ../shared/data: sentences of a small vocabulary
        MIN_WORDS, MAX_WORDS = 20, 60
        words = ["officers", "patrol", "night", "schools", "data", "sharing", "trust", "response", "times", "youth", "partners", "funding", "training", "records", "community", "safety"]
        groups = [[" ".join(words[(i * j + k) % len(words)] for k in range(8))
                   for j in range(200)] for i in range(1, questions + 1)]
    rng = np.random.default_rng(0)
    out = []
    for q in range(questions):
        group = groups[q % len(groups)]
        found = []
        for _ in range(answers):
            target = int(rng.integers(MIN_WORDS, MAX_WORDS + 1))
            words: list[str] = []
            while len(words) < target:
                words += group[int(rng.integers(len(group)))].split()
            found.append(" ".join(words[:target]))
        out.append(found)
    return out


def build(questions: int, answers: int, data: Path) -> None:
    from consulta.web.consultations.models import Consultation, Phase, Question
    from consulta.web.responses.models import Answer, Response

    consultation = Consultation.objects.create(slug=SLUG, title="Bench")
    phase = Phase.objects.create(consultation=consultation, name="Partners", position=1,
                                 audience=Phase.Audience.PARTNERS, opens_at=START,
                                 closes_at=START + timedelta(days=30))
    rows = [Question.objects.create(phase=phase, key=f"q{n + 1}", position=n,
                                    title=f"Question {n + 1}: what should change?")
            for n in range(questions)]
    responses = Response.objects.bulk_create([
        Response(phase=phase, reference=f"B{i:07d}", status=Response.Status.SUBMITTED,
                 submitted_at=START) for i in range(answers)], batch_size=2000)
    for question, found in zip(rows, texts(questions, answers, data)):
        Answer.objects.bulk_create([Answer(response=r, question=question, text=text)
                                    for r, text in zip(responses, found)], batch_size=5000)


# --- runs ----------------------------------------------------------------------------------------


def fresh_env(env: dict, scratch: Path) -> dict:
    """``env`` with an empty embedding cache beside the built model files."""
    from speed import fresh_cache

    return {**env, "CONSULTA_MODEL_DIR": str(fresh_cache(None, scratch))}


def forget_runs() -> None:
    from django_tasks_db.models import DBTaskResult

    from consulta.web.analysis.models import AnalysisRun

    AnalysisRun.objects.all().delete()
    DBTaskResult.objects.all().delete()


def single_task(env: dict, scratch: Path, embedder: str | None) -> dict:
    forget_runs()
    command = [sys.executable, "-m", "consulta", "analyse", "--consultation", SLUG,
               "--data-dir", env["CONSULTA_DATA_DIR"]] + (
               ["--embedder", embedder] if embedder else [])
    load = load_average()
    started = time.perf_counter()
    log = scratch / "one-task.log"
    with log.open("w") as err:
        process = subprocess.Popen(command, env=fresh_env(env, scratch),
                                   stdout=subprocess.DEVNULL, stderr=err)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(command)} failed: {log.read_text()[-2000:]}")
    return {"config": "one task (consulta analyse --consultation)", "workers": 0,
            "load_before": load, "wall_s": round(wall, 1), **outcome(),
            "processes": [usage_of(usage)]}


def with_workers(workers: int, env: dict, scratch: Path, embedder: str | None) -> dict:
    from consulta.web.analysis.models import AnalysisRun
    from consulta.web.analysis.services import queue_analysis
    from consulta.web.consultations.models import Consultation

    forget_runs()
    run, _ = queue_analysis(Consultation.objects.get(slug=SLUG), embedder=embedder)
    worker_env = fresh_env(env, scratch)
    load = load_average()
    started = time.perf_counter()
    processes = [subprocess.Popen(
        [sys.executable, "-m", "consulta", "worker", "--interval", "0.5", "--data-dir",
         env["CONSULTA_DATA_DIR"]], env=worker_env, stdout=subprocess.DEVNULL,
        stderr=open(scratch / f"worker-{workers}-{n}.log", "w"))  # noqa: SIM115
        for n in range(workers)]
    finished = ("done", "failed")
    while AnalysisRun.objects.get(pk=run.pk).status not in finished:
        time.sleep(0.5)
    wall = time.perf_counter() - started
    usages = []
    for process in processes:
        process.send_signal(signal.SIGTERM)
        _, _, usage = os.wait4(process.pid, 0)
        usages.append(usage_of(usage))
    run.refresh_from_db()
    if run.status != "done":
        raise RuntimeError(f"the run failed: {run.error}")
    parts = list(run.parts.values_list("worker", "started_at", "finished_at", "attempts"))
    by_worker: dict[str, int] = {}
    for worker, *_ in parts:
        by_worker[worker] = by_worker.get(worker, 0) + 1
    return {"config": f"{workers} worker{'s' if workers > 1 else ''}, a part per question",
            "workers": workers, "load_before": load, "wall_s": round(wall, 1), **outcome(),
            "parts_per_worker": sorted(by_worker.values(), reverse=True),
            "part_seconds": sorted(round((f - s).total_seconds(), 1) for _, s, f, _ in parts),
            "attempts": sum(a for *_, a in parts), "processes": usages}


def usage_of(usage) -> dict:
    return {"cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_mb": round(usage.ru_maxrss / 1024)}


def outcome() -> dict:
    """What the run stored, to check that every configuration did the same work."""
    from consulta.web.analysis.models import AnalysisRun, Coding, Theme

    run = AnalysisRun.objects.get()
    return {"stored": {"codings": Coding.objects.filter(run=run).count(),
                       "themes": Theme.objects.filter(run=run, parent=None).count()},
            "timings": run.summary.get("timings", {})}


def report(runs: list[dict]) -> str:
    rows = []
    for run in runs:
        cpu = sum(p["cpu_s"] for p in run["processes"])
        rows.append([run["config"], f"{run['wall_s']:.0f}", f"{cpu:.0f}",
                     " / ".join(str(p["peak_mb"]) for p in run["processes"]),
                     f"{run['stored']['codings']:,}", run["stored"]["themes"],
                     " ".join(f"{x:.2f}" for x in run["load_before"])])
    return table(["configuration", "wall s", "CPU s (all processes)", "peak MB per process",
                  "answers coded", "top themes", "load before"], rows)


if __name__ == "__main__":
    raise SystemExit(main())
