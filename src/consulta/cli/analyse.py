"""``consulta analyse``: themes, coding, sentiment, campaigns and who-said-what.

Two forms. ``consulta analyse INPUT --text-column COL --out DIR`` runs the analysis library on a
file on its own: no Django, no database (and no Django import, so it starts fast).
``consulta analyse --consultation SLUG`` analyses a consultation's stored responses and keeps the
results in the database, where the back office shows them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from consulta.cli.common import CommandError, add_command, add_data_dir, setup

if TYPE_CHECKING:
    from consulta.analysis.previous import PreviousAnalysis

OUTPUT_NOTE = (
    "Writes DIR/answers.csv, themes.csv, campaigns.csv, groups.csv (with --group-column),\n"
    "analysis.json and report.html (docs/analysis.md says how to read them). Empty answers\n"
    "('', 'n/a', 'none', '-', 'Did not answer') are kept and never themed. Input: CSV, XLSX,\n"
    "JSONL or Parquet (needs pyarrow).\n\n"
    "With --consultation SLUG instead of a file: analyses the consultation's submitted answers\n"
    "to its text questions and keeps the results in the database (the back office's Analysis\n"
    "page); the previous analysis keeps its theme ids. With --queue it is left to the\n"
    "background worker (`consulta worker`, started by `consulta serve`) instead of run now.\n\n"
    "Large inputs (over 200,000 answers, or any size with --stream; CSV or JSONL) are analysed\n"
    "streaming, in memory that does not grow with their size: vectors go to disk (--work-dir,\n"
    "default OUT/.consulta-work; a stopped run restarts from the chunks already embedded,\n"
    "a rerun with other theme settings reuses them; delete it when done: ~2 GB a million),\n"
    "themes are fitted on a sample of each question (--sample-size answers) and every answer\n"
    "is coded with them, answers.csv written chunk by chunk (analysis.json then lists no\n"
    "answers, and there is no report.html). Campaigns: the sample's near-duplicates, joined\n"
    "by their edited copies anywhere; exact copies over everything."
)
USAGE = (
    "%(prog)s INPUT --text-column COL --out DIR [options]\n"
    "       %(prog)s --consultation SLUG [--queue] [--seed N] [--embedder NAME] [--data-dir DIR]"
)
#: What only the file form uses: (attribute, how the user wrote it).
FILE_ONLY = (("input", "INPUT"), ("text_column", "--text-column"), ("out", "--out"),
             ("id_column", "--id-column"), ("question_column", "--question-column"),
             ("group_column", "--group-column"), ("previous", "--previous"),
             ("codes", "--codes"), ("codebook", "--codebook"),
             ("min_theme_size", "--min-theme-size"),
             ("max_themes", "--max-themes"), ("sub_themes", "--no-sub-themes"),
             ("count_campaigns_once", "--count-campaigns-once"),
             ("min_group_size", "--min-group-size"), ("cache_dir", "--cache-dir"),
             ("consent_column", "--consent-column"), ("consent_values", "--consent-values"),
             ("stream", "--stream"), ("work_dir", "--work-dir"), ("ray", "--ray"),
             ("chunk_size", "--chunk-size"), ("sample_size", "--sample-size"))
#: What the streaming analysis does not do (it finds its own themes): (attribute, flag).
NOT_STREAMED = (("previous", "--previous"), ("codes", "--codes"), ("codebook", "--codebook"))
CONSENT_VALUES = "full,anonymous"


def register(commands) -> None:
    from consulta.analysis.embedders import EMBEDDERS

    parser = add_command(
        commands,
        "analyse",
        help="find the themes in free-text answers and write tables and a report",
        example="consulta analyse answers.csv --text-column answer --id-column ref "
        "--group-column sector --out results/",
        description="Find the themes in free-text answers (per question), code every answer, "
        "score sentiment\nand framing, find campaigns and compare groups, offline.\n\n" + OUTPUT_NOTE,
    )
    parser.usage = USAGE
    parser.epilog += ("\n  consulta analyse answers.csv --text-column answer --id-column ref "
                      "--codebook frame.csv --codes coded.csv --out results/"
                      "\n  consulta analyse --consultation future-of-london-policing --seed 0"
                      "\n  consulta analyse million.csv --text-column answer --id-column ref "
                      "--stream --work-dir /var/tmp/work --out results/")
    parser.add_argument("input", metavar="INPUT", nargs="?",
                        help="CSV, XLSX, JSONL or Parquet file")
    parser.add_argument("--consultation", metavar="SLUG",
                        help="analyse this consultation's stored responses instead of a file")
    parser.add_argument("--queue", action="store_true",
                        help="with --consultation: queue the analysis for the background worker")
    parser.add_argument("--text-column", metavar="COL",
                        help="the column holding the answers (required with INPUT)")
    parser.add_argument("--id-column", metavar="COL",
                        help="the column of answer ids (default: row numbers from 1)")
    parser.add_argument("--question-column", metavar="COL",
                        help="the column naming each answer's question (themes are per question)")
    parser.add_argument("--group-column", metavar="COL", action="append", default=[],
                        help="a column to compare groups by (repeat for several)")
    parser.add_argument("--consent-column", metavar="COL",
                        help="the column saying whether each respondent consented to being "
                             "quoted: other answers are analysed but never quoted nor made a "
                             "theme's label or summary")
    parser.add_argument("--consent-values", metavar="V,V", default=CONSENT_VALUES,
                        help="with --consent-column: the values that consent, comma separated, "
                             f"any case (default {CONSENT_VALUES})")
    parser.add_argument("--out", metavar="DIR",
                        help="where to write the results (required with INPUT)")
    parser.add_argument("--embedder", choices=sorted(EMBEDDERS), default=None,
                        help="how texts become vectors (default: auto when available, else tfidf)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--min-theme-size", type=int, metavar="N",
                        help="smallest theme, in points (default: max(5, 1%% of the question))")
    parser.add_argument("--max-themes", type=int, default=30, metavar="N",
                        help="most specific themes per question (default 30); they are "
                             "grouped into about a third as many broad themes")
    parser.add_argument("--no-sub-themes", dest="sub_themes", action="store_false",
                        help="flat themes: do not group them into broad themes")
    parser.add_argument("--previous", metavar="DIR",
                        help="an earlier output folder: keep its theme ids and assignments")
    parser.add_argument("--codes", metavar="FILE",
                        help="coded examples (columns id, theme, optional question) to learn from")
    parser.add_argument("--codebook", metavar="FILE",
                        help="a code frame (CSV/XLSX; columns theme, optional question, label, "
                             "description, parent): every answer is coded into its codes, "
                             "answers that fit none are 'other'")
    parser.add_argument("--count-campaigns-once", action="store_true",
                        help="count each campaign as one answer in the group statistics")
    parser.add_argument("--min-group-size", type=int, default=10, metavar="N",
                        help="hide figures for groups smaller than this (default 10)")
    parser.add_argument("--cache-dir", metavar="DIR", help="embedding cache folder")
    parser.add_argument("--stream", action="store_true",
                        help="analyse streaming whatever the size (automatic above 200,000 "
                             "answers): bounded memory, themes fitted on a sample")
    parser.add_argument("--work-dir", metavar="DIR",
                        help="streaming: where vectors and the manifest go (default "
                             "OUT/.consulta-work); a rerun resumes from it")
    parser.add_argument("--ray", metavar="ADDRESS",
                        help="streaming: embed on this Ray cluster (e.g. 127.0.0.1:6379; needs "
                             "the ray extra)")
    parser.add_argument("--chunk-size", type=int, default=50_000, metavar="N",
                        help="streaming: answers read and embedded at a time (default 50000)")
    parser.add_argument("--sample-size", type=int, default=20_000, metavar="N",
                        help="streaming: answers per question the themes are fitted on "
                             "(default 20000)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_data_dir(parser)
    parser.set_defaults(handler=run, analyse_parser=parser)


def run(args: argparse.Namespace) -> int:
    _check_form(args)
    if args.consultation:
        return run_consultation(args)
    return run_file(args)


def _check_form(args: argparse.Namespace) -> None:
    """One form or the other, complete: argparse's usage error otherwise."""
    parser = args.analyse_parser
    if args.consultation:
        given = [flag for name, flag in FILE_ONLY
                 if getattr(args, name) != parser.get_default(name)]
        if given:
            parser.error(f"{', '.join(given)}: for a file (INPUT), not with --consultation")
        return
    missing = [flag for name, flag in FILE_ONLY[:3] if not getattr(args, name)]
    if missing:
        parser.error("give INPUT --text-column COL --out DIR, or --consultation SLUG; "
                     f"missing: {', '.join(missing)}")
    if args.data_dir:
        parser.error("--data-dir is used with --consultation only")
    if args.queue:
        parser.error("--queue is used with --consultation only")
    if args.consent_values != CONSENT_VALUES and not args.consent_column:
        parser.error("--consent-values is used with --consent-column only")


def run_consultation(args: argparse.Namespace) -> int:
    """Analyse a stored consultation and keep the results (Django is started only here)."""
    setup(args)
    from consulta.web.analysis.services import analyse_consultation
    from consulta.web.consultations.models import Consultation

    consultation = Consultation.objects.filter(slug=args.consultation).first()
    if consultation is None:
        raise CommandError(f"There is no consultation {args.consultation!r}.")
    if args.queue:
        return queue_consultation(consultation, args)
    started = time.perf_counter()
    try:
        analysis_run = analyse_consultation(consultation, seed=args.seed,
                                            embedder=args.embedder, progress=not args.quiet)
    except ValueError as error:  # RecordsError: nothing to analyse, and the like
        raise CommandError(f"{consultation.slug} could not be analysed: {error}") from None
    counts = analysis_run.summary["counts"]
    print(f"Analysed {consultation.slug}: {counts['questions']} question(s), "
          f"{counts['themes']} themes, {counts['answers_coded']} answers coded "
          f"in {time.perf_counter() - started:.1f} s.")
    print(f"See them on /organise/{consultation.slug}/analysis/")
    return 0


def queue_consultation(consultation, args: argparse.Namespace) -> int:
    from django.utils import timezone

    from consulta.web.analysis.services import queue_analysis

    run, created = queue_analysis(consultation, seed=args.seed, embedder=args.embedder)
    queued_at = timezone.localtime(run.created_at).strftime("%Y-%m-%d %H:%M")
    if created:
        print(f"Queued an analysis of {consultation.slug} at {queued_at}: the background "
              "worker (`consulta worker`, or the one `consulta serve` starts) will run it.")
    else:
        print(f"An analysis of {consultation.slug} queued at {queued_at} is still waiting for "
              "the worker; nothing more was queued.")
    print(f"See it on /organise/{consultation.slug}/analysis/")
    return 0


def run_file(args: argparse.Namespace) -> int:
    from consulta.analysis.outputs import write_outputs
    from consulta.analysis.pipeline import AnalysisConfig, analyse, default_embedder
    from consulta.analysis.records import Columns, RecordsError, read_answers

    _check_numbers(args)
    started = time.perf_counter()
    if _streamed(args):
        return run_stream(args, started)
    try:
        answers = read_answers(args.input, Columns(
            text=args.text_column, id=args.id_column, question=args.question_column,
            groups=tuple(args.group_column), consent=args.consent_column,
            consent_values=_consent_values(args.consent_values)))
        codes = _read_codes(args.codes) if args.codes else None
        codebook = _read_codebook(args.codebook) if args.codebook else None
    except RecordsError as error:
        raise CommandError(str(error)) from None
    read_seconds = time.perf_counter() - started
    config = AnalysisConfig(
        embedder=args.embedder or default_embedder(), seed=args.seed,
        min_theme_size=args.min_theme_size, max_themes=args.max_themes,
        sub_themes=args.sub_themes, count_campaigns_once=args.count_campaigns_once,
        min_group_size=args.min_group_size, group_columns=list(args.group_column),
        cache_dir=args.cache_dir,
    )
    try:
        analysis = analyse(answers, config, previous=_read_previous(args.previous),
                           codes=codes, codebook=codebook, progress=not args.quiet)
    except (RecordsError, ValueError) as error:
        raise CommandError(str(error)) from None
    analysis.timings = {"read": round(read_seconds, 3), **analysis.timings}
    written = write_outputs(analysis, args.out)
    _summarise(analysis, written, time.perf_counter() - started)
    return 0


def _columns(args: argparse.Namespace):
    from consulta.analysis.records import Columns

    return Columns(text=args.text_column, id=args.id_column, question=args.question_column,
                   groups=tuple(args.group_column), consent=args.consent_column,
                   consent_values=_consent_values(args.consent_values))


def _streamed(args: argparse.Namespace) -> bool:
    """--stream, or a CSV/JSONL input over STREAM_ABOVE answers (counted in one quick pass)."""
    from consulta.analysis.records import RecordsError
    from consulta.analysis.stream import STREAM_ABOVE
    from consulta.analysis.stream_read import STREAMED_SUFFIXES, count_rows

    given = [flag for name, flag in NOT_STREAMED if getattr(args, name)]
    if not args.stream:
        if given or Path(args.input).suffix.lower() not in STREAMED_SUFFIXES:
            return False
        # About 1 KB an answer at least: smaller files are far below the threshold.
        if not Path(args.input).is_file() or Path(args.input).stat().st_size < STREAM_ABOVE * 50:
            return False
        try:
            return count_rows(args.input, _columns(args)) > STREAM_ABOVE
        except RecordsError as error:
            raise CommandError(str(error)) from None
    if given:
        raise CommandError(f"{', '.join(given)}: not with --stream (a streamed analysis finds "
                           "its own themes).")
    return True


def run_stream(args: argparse.Namespace, started: float) -> int:
    from consulta.analysis.pipeline import AnalysisConfig, default_embedder
    from consulta.analysis.records import RecordsError
    from consulta.analysis.stream import StreamConfig, analyse_stream

    config = AnalysisConfig(
        embedder=args.embedder or default_embedder(), seed=args.seed,
        min_theme_size=args.min_theme_size, max_themes=args.max_themes,
        sub_themes=args.sub_themes, count_campaigns_once=args.count_campaigns_once,
        min_group_size=args.min_group_size, group_columns=list(args.group_column),
        cache_dir=args.cache_dir)
    stream = StreamConfig(chunk_size=args.chunk_size, sample_size=args.sample_size,
                          work_dir=args.work_dir, ray_address=args.ray)
    work = Path(args.work_dir) if args.work_dir else Path(args.out) / ".consulta-work"
    try:
        result = analyse_stream(args.input, _columns(args), args.out, config, stream,
                                progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"\nStopped. The chunks embedded so far are kept in {work}: run the same "
              "command again to go on from them.", file=sys.stderr)
        raise
    except ImportError as error:  # --ray without Ray installed
        raise CommandError(f"--ray needs Ray: pip install 'consulta[ray]' ({error}).") from None
    except (RecordsError, ValueError) as error:
        raise CommandError(str(error)) from None
    analysis = result.analysis
    themes = sum(len([t for t in q.themes if t.theme != "other" and not t.parent])
                 for q in analysis.questions)
    answers = sum(q.answers for q in analysis.questions)
    resumed = (f"; {result.resumed_chunks} of {result.chunks} chunks already embedded"
               if result.resumed_chunks else "")
    print(f"Analysed {answers} answers to {len(analysis.questions)} question(s), streaming: "
          f"{themes} themes in {time.perf_counter() - started:.1f} s{resumed}.",
          file=sys.stderr)
    size = sum(f.stat().st_size for f in work.glob("chunk-*")) / 1e6
    shown = f"{size / 1000:.1f} GB" if size >= 1000 else f"{size:.0f} MB"
    print(f"The vectors ({shown}) stay in {work}: a rerun (say with other theme "
          "settings) reuses them; delete the folder when done.", file=sys.stderr)
    for path in result.written:
        print(path)
    return 0


def _consent_values(given: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in given.split(",") if v.strip())
    if not values:
        raise CommandError("--consent-values needs at least one value, e.g. full,anonymous.")
    return values


def _check_numbers(args: argparse.Namespace) -> None:
    if args.min_theme_size is not None and args.min_theme_size < 2:
        raise CommandError("--min-theme-size must be at least 2.")
    if args.max_themes < 1:
        raise CommandError("--max-themes must be at least 1.")
    if args.min_group_size < 1:
        raise CommandError("--min-group-size must be at least 1.")
    if args.chunk_size < 100 or args.sample_size < 100:
        raise CommandError("--chunk-size and --sample-size must be at least 100.")


def _read_previous(folder: str | None) -> PreviousAnalysis | None:
    """The earlier run (an earlier --out folder) whose theme ids this one keeps."""
    from consulta.analysis.previous import read_previous
    from consulta.analysis.records import RecordsError

    if not folder:
        return None
    try:
        return read_previous(folder)
    except RecordsError as error:
        raise CommandError(f"--previous: {error}") from None


def _read_codes(path: str) -> dict[tuple[str | None, str], str]:
    """(question or None, answer id) -> theme, from a file with columns id, theme[, question]."""
    from consulta.analysis.records import RecordsError, read_rows

    headers, rows = read_rows(path)
    missing = [name for name in ("id", "theme") if name not in headers]
    if missing:
        raise RecordsError(f"--codes {Path(path).name} has no column {', '.join(missing)}; "
                           f"columns found: {', '.join(headers)}.")
    codes = {}
    for _, row in rows:
        answer, theme = str(row.get("id") or "").strip(), str(row.get("theme") or "").strip()
        question = str(row.get("question") or "").strip() or None
        if answer and theme:
            codes.setdefault((question, answer), theme)
    if not codes:
        raise RecordsError(f"--codes {Path(path).name} has no coded examples.")
    return codes


def _read_codebook(path: str):
    """The code frame (consulta.analysis.codebook), its errors named after the option."""
    from consulta.analysis.codebook import read_code_frame
    from consulta.analysis.records import RecordsError

    try:
        return read_code_frame(path)
    except RecordsError as error:
        raise RecordsError(f"--codebook: {error}") from None


def _summarise(analysis, written, seconds: float) -> None:
    themes = sum(len([t for t in q.themes if t.theme != "other" and not t.parent])
                 for q in analysis.questions)
    print(f"Analysed {len(analysis.answers)} answers to {len(analysis.questions)} question(s): "
          f"{themes} themes in {seconds:.1f} s.", file=sys.stderr)
    for path in written:
        print(path)
