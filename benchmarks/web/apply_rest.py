"""How long "apply to the rest" takes on a question with N answers, of which a person coded some.

Builds a consultation with one partners' question, N submitted answers in 20 topics (varied
sentences from a fixed vocabulary, nothing random), a finished run coding them into 20 themes
with every fifth answer in the wrong one, and a person's codes on ``--coded`` answers (ANALYST
rows); then times ``learning.apply_to_rest`` (the worker's work: the library learning and
coding, and writing the codes and the Decision) and says how many answers changed theme and
how many the person's topic agrees with afterwards.

    python benchmarks/web/apply_rest.py --answers 10000 [--embedder auto]

Uses a temporary data directory (SQLite); touches nothing else.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import one_question_run

TOPICS = ["patrols at night", "school visits", "data sharing", "custody suites", "road safety",
          "knife crime", "domestic abuse", "stop and search", "youth clubs", "mental health",
          "fraud online", "housing estates", "public transport", "drug markets", "hate crime",
          "shoplifting", "antisocial noise", "missing people", "burglary", "speeding cars"]
OPENINGS = ["We need more help with", "Our members worry about", "The service could improve",
            "Residents keep raising", "There is not enough focus on", "Partners want action on"]
ENDINGS = ["in our borough.", "near the hospital.", "on the estate.", "in the town centre.",
           "across the district.", "by the station.", "around the market."]


def text(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    return (f"{OPENINGS[(i // 20) % len(OPENINGS)]} {topic} "
            f"{ENDINGS[(i // 120) % len(ENDINGS)]} Answer {i}.")


def build(answers: int, coded: int):
    from django.contrib.auth.models import User

    from consulta.web.analysis.models import CodedTheme, Coding, Theme

    _, question, rows, run = one_question_run(answers, text)
    themes = Theme.objects.bulk_create([
        Theme(run=run, question=question, key=f"t{n + 1:02d}", label=topic.capitalize(),
              summary=f"Answers about {topic}.", size=answers // 20)
        for n, topic in enumerate(TOPICS)])
    truth = [i % 20 for i in range(answers)]
    machine = [t if i % 5 else (t + 1) % 20 for i, t in enumerate(truth)]  # a fifth wrong
    codings = Coding.objects.bulk_create([
        Coding(run=run, answer=a, primary=themes[machine[i]], confidence=0.6)
        for i, a in enumerate(rows)], batch_size=2000)
    person = User.objects.create_user("bench", "bench@example.org", "x")
    CodedTheme.objects.bulk_create([
        CodedTheme(coding=c, theme=themes[truth[i] if i < coded else machine[i]],
                   confidence=1.0 if i < coded else 0.6,
                   source=CodedTheme.Source.ANALYST if i < coded else CodedTheme.Source.MODEL)
        for i, c in enumerate(codings)], batch_size=2000)
    Coding.objects.bulk_update([c for i, c in enumerate(codings[:coded])
                                if not setattr(c, "primary", themes[truth[i]])],
                               ["primary"], batch_size=2000)
    return run, question, person, codings, truth, themes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--coded", type=int, default=400, help="answers a person coded")
    parser.add_argument("--embedder", default=None, help="default: the analysis's default")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="consulta-bench-"))
    os.environ.update(CONSULTA_DATA_DIR=str(data_dir),
                      DJANGO_SETTINGS_MODULE="consulta.web.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from consulta.web.analysis.models import Coding
    from consulta.web.workbench.edits import Edit
    from consulta.web.workbench.learning import apply_to_rest

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    run, question, person, codings, truth, themes = build(args.answers, args.coded)
    print(f"built {args.answers} answers ({args.coded} coded by a person) in "
          f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    decision = apply_to_rest(Edit(run=run, question=question, user=person, version=0),
                             embedder=args.embedder)
    seconds = time.perf_counter() - started
    keys = {t.pk: n for n, t in enumerate(themes)}
    primary = dict(Coding.objects.filter(run=run).values_list("pk", "primary_id"))
    rest = range(args.coded, args.answers)
    right = sum(keys.get(primary[codings[i].pk]) == truth[i] for i in rest)
    print(f"apply to the rest: {seconds:.1f} s ({decision.summary}); "
          f"{right / len(rest):.1%} of the rest in the person's topic (machine before: 80.0%)")


if __name__ == "__main__":
    main()
