"""The back office with a million stored answers: fill a PostgreSQL database, time the pages.

Builds a consultation "million" with two phases (invited partners, identified; the public,
confidential), 4 long-text questions each, ~250,000 submitted responses x 4 answers (1,000,000
answers by default), a stakeholder network with invitations, and a finished analysis run with
20 themes per question (3 of them sub-themes), every answer coded (rows written directly, no
analysis). The big tables are written with COPY. Then signs an organiser in with Django's test
client and times each page (median of --repeats, after one warm-up) and counts its queries.

    DATABASE_URL=postgres://consulta:consulta@127.0.0.1:5432/consulta_e \\
        python benchmarks/web/million.py --responses 250000          # load (if absent), time
    python benchmarks/web/million.py --skip-load                     # time only
    python benchmarks/web/million.py --reload                        # drop and load again

Needs DATABASE_URL on PostgreSQL (refuses SQLite and the database named "consulta").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

SLUG = "million"
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
DAYS = 60
QUESTIONS = ["What works well today?", "What gets in the way?", "What should change first?",
             "What would you do with more money?"]
WORDS = ["patrols", "night", "schools", "data", "trust", "response", "officers", "partners",
         "records", "youth", "station", "budget", "staff", "training", "housing", "mental",
         "health", "victims", "courts", "neighbourhood", "transport", "drugs", "knife", "crime"]
THEMES_PER_QUESTION = 20
SUB_THEMES = 3  # the last three themes are sub-themes of the first three
SECTORS = ["public", "private", "voluntary", "academic", "other"]
CONSENTS = ["full", "anonymous", "none"]


def text(i: int, question: int) -> str:
    """About 40 words (~280 characters), different for each answer, deterministic."""
    words = [WORDS[(i * k + question * 7 + k * k) % len(WORDS)] for k in range(1, 41)]
    return f"Answer {i}: " + " ".join(words) + "."


# --- COPY ----------------------------------------------------------------------------------------


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY ``rows`` (tuples in ``columns`` order, field names) into ``model``'s table; every
    other concrete field gets its Django default (COPY knows no Django defaults). Returns the
    number of rows."""
    from django.db import connection

    fields = {f.name: f for f in model._meta.concrete_fields}
    rest = [f for name, f in fields.items() if name not in columns and name != "id"]
    fixed = tuple(_plain(f.get_default()) for f in rest)
    names = [fields[c].column for c in columns] + [f.column for f in rest]
    sql = f"COPY {model._meta.db_table} ({', '.join(names)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(tuple(_plain(v) for v in row) + fixed)
            count += 1
    return count


def _plain(value):
    return json.dumps(value) if isinstance(value, (list, dict)) else value


def next_ids(model, n: int) -> range:
    """``n`` ids above the table's highest, and the table's sequence moved past them."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        first = cursor.fetchone()[0] + 1
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)",
                       [first + n])
    return range(first, first + n)


# --- the data --------------------------------------------------------------------------------------


def build(responses: int, log) -> None:
    from django.contrib.auth.models import User

    from consulta.web.consultations.models import Consultation, Membership, Phase, Question

    consultation = Consultation.objects.create(slug=SLUG, title="A million answers",
                                               status=Consultation.Status.OPEN)
    partners = Phase.objects.create(
        consultation=consultation, name="Partners", position=1,
        audience=Phase.Audience.PARTNERS, anonymity=Phase.Anonymity.IDENTIFIED,
        opens_at=START, closes_at=START + timedelta(days=DAYS))
    public = Phase.objects.create(
        consultation=consultation, name="Everyone", position=2,
        audience=Phase.Audience.PUBLIC, anonymity=Phase.Anonymity.CONFIDENTIAL,
        opens_at=START, closes_at=START + timedelta(days=DAYS + 300))
    questions = [Question.objects.create(phase=phase, key=f"q{n}", title=title, position=n,
                                         required=True)
                 for phase in (partners, public) for n, title in enumerate(QUESTIONS, 1)]
    user = User.objects.create_user("million", "million@example.org", "x")
    Membership.objects.create(consultation=consultation, user=user,
                              role=Membership.Role.ORGANISER)
    people = _network(consultation, partners, responses, log)
    _responses(consultation, partners, public, questions, people, responses, log)
    _analysis(consultation, questions, log)


def _network(consultation, partners, responses: int, log) -> list[tuple[int, int]]:
    """Organisations and people (one in ten respondents is an invited partner), audience and
    invitations. Returns (person id, organisation id) of the invited people."""
    from consulta.web.outreach.models import Invitation
    from consulta.web.stakeholders.models import AudienceMember, Organisation, Person

    started = time.perf_counter()
    invited = max(responses // 10, 10)
    organisations = next_ids(Organisation, invited // 5)
    copy_rows(Organisation, ["id", "consultation", "name", "sector", "type", "created_at"], (
        (pk, consultation.pk, f"Organisation {n:06d}", SECTORS[n % 5],
         ["charity", "NHS trust", "business", "university", "local authority"][n % 5], START)
        for n, pk in enumerate(organisations)))
    people = next_ids(Person, invited)
    pairs = [(pk, organisations[n % len(organisations)]) for n, pk in enumerate(people)]
    copy_rows(Person, ["id", "consultation", "name", "email", "organisation", "created_at"], (
        (pk, consultation.pk, f"Person {n:07d}", f"p{n}@example.org", org, START)
        for n, (pk, org) in enumerate(pairs)))
    copy_rows(AudienceMember, ["phase", "person", "organisation", "added_at"], (
        (partners.pk, pk, org, START) for pk, org in pairs))
    copy_rows(Invitation, ["phase", "person", "organisation", "created_at", "sent_at",
                           "send_count", "opened_at"], (
        (partners.pk, pk, org, START, START, 1, START + timedelta(hours=n % 48) if n % 4 else None)
        for n, (pk, org) in enumerate(pairs)))
    log(f"network: {len(organisations)} organisations, {len(people)} people and invitations "
        f"in {time.perf_counter() - started:.1f} s")
    return pairs


def _responses(consultation, partners, public, questions, people, total: int, log) -> None:
    from consulta.web.outreach.models import Invitation
    from consulta.web.respond.models import TypedOrganisation
    from consulta.web.responses.models import Answer, Respondent, Response

    started = time.perf_counter()
    ids = next_ids(Response, total)
    partner_count = len(people) * 9 // 10  # nine in ten invited partners answered

    def moment(n: int) -> datetime:
        return START + timedelta(seconds=(n * 7919) % (DAYS * 86400))

    def rows():
        for n, pk in enumerate(ids):
            partner = n < partner_count
            phase = partners if partner else public
            organisation = people[n][1] if partner else None
            status = "withdrawn" if n % 500 == 7 else "submitted"
            typed = "" if partner or n % 3 else f"Typed organisation {n % 4000}"
            yield (pk, phase.pk, f"M{n:07d}", "web", status, moment(n), moment(n),
                   CONSENTS[n % 3], organisation, partner, typed)

    copy_rows(Response, ["id", "phase", "reference", "channel", "status", "created_at",
                         "submitted_at", "consent", "organisation", "on_behalf",
                         "organisation_name"], rows())
    log(f"responses: {total} in {time.perf_counter() - started:.1f} s")
    copy_rows(Respondent, ["response", "person", "name", "email"], (
        (ids[n], people[n][0], f"Person {n:07d}", f"p{n}@example.org")
        for n in range(partner_count)))
    copy_rows(TypedOrganisation, ["response", "sector", "type"], (
        (ids[n], SECTORS[n % 5], "charity") for n in range(partner_count, total) if n % 3 == 0))
    _link_invitations(Invitation, partners, ids, partner_count)
    started = time.perf_counter()
    copy_rows(Answer, ["response", "question", "text", "updated_at"], (
        (pk, questions[q + (0 if n < partner_count else 4)].pk, text(n, q), moment(n))
        for n, pk in enumerate(ids) for q in range(4)))
    log(f"answers: {total * 4} in {time.perf_counter() - started:.1f} s")


def _link_invitations(Invitation, partners, ids, partner_count: int) -> None:
    from django.db import connection

    # The n-th invitation (by id) led to the n-th partner response.
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {Invitation._meta.db_table} i SET response_id = r.id,
                   submitted_at = r.submitted_at, started_at = r.created_at
            FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM
                  {Invitation._meta.db_table} WHERE phase_id = %s) ranked,
                 (SELECT id, submitted_at, created_at, ROW_NUMBER() OVER (ORDER BY id) AS n
                  FROM responses_response WHERE id BETWEEN %s AND %s) r
            WHERE i.id = ranked.id AND ranked.n = r.n""",
                       [partners.pk, ids[0], ids[0] + partner_count - 1])


def _analysis(consultation, questions, log) -> None:
    from django.db import connection

    from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
    from consulta.web.responses.models import Answer

    started = time.perf_counter()
    run = AnalysisRun.objects.create(
        consultation=consultation, status=AnalysisRun.Status.DONE, started_at=START,
        finished_at=START, summary={"config": {"min_group_size": 10}})
    themes: dict[int, list[int]] = {}
    for question in questions:
        made = []
        for n in range(1, THEMES_PER_QUESTION + 1):
            parent = made[n - 1 - (THEMES_PER_QUESTION - SUB_THEMES)] \
                if n > THEMES_PER_QUESTION - SUB_THEMES else None
            made.append(Theme.objects.create(
                run=run, question=question, key=f"t{n:02d}", parent=parent,
                label=f"{WORDS[n].capitalize()} and {WORDS[n + 1]} need attention",
                keywords=f"{WORDS[n]}; {WORDS[n + 1]}", summary="People said so. Often.",
                stance="neither"))
        themes[question.pk] = [t.pk for t in made]
    answers = Answer.objects.filter(question__in=questions).order_by("id")
    # A list, not a server-side cursor: the connection cannot fetch while it runs a COPY.
    rows = list(answers.values_list("id", "question_id"))
    coding_ids = next_ids(Coding, len(rows))
    pairs: list[tuple[int, int, int]] = []  # coding, primary theme, second theme

    def codings():
        for (answer, question), pk in zip(rows, coding_ids, strict=False):
            keys = themes[question]
            primary, second = keys[answer % len(keys)], keys[(answer * 7 + 3) % len(keys)]
            pairs.append((pk, primary, second if answer % 3 == 0 and second != primary else 0))
            yield (pk, run.pk, answer, primary, 0.3 + (answer % 70) / 100,
                   ["negative", "neutral", "positive"][answer % 3], "", "neither", [], "")

    count = copy_rows(Coding, ["id", "run", "answer", "primary", "confidence", "sentiment",
                               "campaign", "stance", "segments", "text_sha256"], codings())
    copy_rows(CodedTheme, ["coding", "theme", "confidence", "source"], (
        (coding, theme, 0.8 if theme == primary else 0.45, "model")
        for coding, primary, second in pairs for theme in (primary, second) if theme))
    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE analysis_theme t SET size = s.n, respondents = s.n,
                   share = s.n::float / GREATEST(q.total, 1)
            FROM (SELECT ct.theme_id, COUNT(*) AS n FROM analysis_codedtheme ct
                  JOIN analysis_coding c ON c.id = ct.coding_id WHERE c.run_id = %s
                  GROUP BY ct.theme_id) s,
                 (SELECT a.question_id, COUNT(*) AS total FROM analysis_coding c
                  JOIN responses_answer a ON a.id = c.answer_id WHERE c.run_id = %s
                  GROUP BY a.question_id) q
            WHERE t.id = s.theme_id AND t.question_id = q.question_id""", [run.pk, run.pk])
    _add_quotes(run)
    log(f"analysis: {count} codings, {len(themes) * THEMES_PER_QUESTION} themes in "
        f"{time.perf_counter() - started:.1f} s")


def _add_quotes(run) -> None:
    """Five quotes per theme from its first answers (consent is applied when shown)."""
    from consulta.web.analysis.models import Coding

    for theme in run.themes.all():
        rows = Coding.objects.filter(run=run, primary=theme).order_by("id")[:8].values_list(
            "answer_id", "answer__text")
        theme.quotes = [{"answer": pk, "text": body} for pk, body in rows]
        theme.save(update_fields=["quotes"])


# --- timing ------------------------------------------------------------------------------------


def pages(consultation) -> dict[str, str]:
    from consulta.web.analysis.models import Theme

    question = consultation.phases.get(position=2).questions.get(position=1)
    base = f"/organise/{SLUG}/"
    theme = Theme.objects.filter(question=question).order_by("pk").first()
    workbench = f"{base}workbench/q/{question.pk}/"
    return {
        "consultations list": "/organise/",
        "consultation overview": base,
        "monitoring": f"{base}monitoring/",
        "responses list, first page": f"{base}responses/",
        "responses list, page 200": f"{base}responses/?page=200",
        "responses, filter sector + consent": f"{base}responses/?sector=voluntary&consent=full",
        "responses, filter, page 50": f"{base}responses/?sector=voluntary&consent=full&page=50",
        "responses, search": f"{base}responses/?q=M0123456",
        "analysis page": f"{base}analysis/",
        "workbench overview": f"{base}workbench/",
        "workbench question, first page": workbench,
        "workbench question, page 100": f"{workbench}?page=100",
        "workbench question, theme filter": f"{workbench}?theme={theme.key}",
        "invitations (partners)": f"{base}phases/1/invitations/",
    }


def measure(client, url: str, repeats: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    response = client.get(url)  # warm: templates compiled, caches filled
    first = time.perf_counter() - started
    times = []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
    return first, statistics.median(times), len(queries), response.status_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=250_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-load", action="store_true", help="time the pages only")
    parser.add_argument("--reload", action="store_true", help="delete the data and load again")
    parser.add_argument("--only", help="time only the pages whose name contains one of these "
                        "(comma-separated)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or url.rstrip("/").endswith("/consulta"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database of your own.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consulta.web.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from consulta.web.consultations.models import Consultation

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    log = lambda message: print(message, flush=True)
    existing = Consultation.objects.filter(slug=SLUG).first()
    if existing and args.reload:
        with connection.cursor() as cursor:  # faster than the ORM's cascade at this size
            cursor.execute("TRUNCATE analysis_analysisrun, responses_response, "
                           "stakeholders_organisation, stakeholders_person CASCADE")
        existing.delete()
        User.objects.filter(username="million").delete()
        existing = None
    if existing is None and not args.skip_load:
        started = time.perf_counter()
        with transaction.atomic():
            build(args.responses, log)
        with connection.cursor() as cursor:  # as autovacuum would soon: index-only scans
            cursor.execute("VACUUM ANALYZE")
        log(f"loaded in {time.perf_counter() - started:.0f} s")
    consultation = Consultation.objects.get(slug=SLUG)
    client = Client()
    client.force_login(User.objects.get(username="million"))
    print(f"| page | first (ms) | median of {args.repeats} (ms) | queries | status |")
    print("|---|---|---|---|---|")
    for name, path in pages(consultation).items():
        if args.only and not any(part in name for part in args.only.split(",")):
            continue
        first, seconds, queries, status = measure(client, path, args.repeats)
        print(f"| {name} | {first * 1000:.0f} | {seconds * 1000:.0f} | {queries} | {status} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
