"""Imports during live traffic: they read and check outside any transaction, write in one
short one, and what they read is checked unchanged before writing; meanwhile requests that
meet SQLite's write lock wait for it (the busy timeout) instead of failing."""

from __future__ import annotations

import csv
import io
import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from consulta.web import settings as site_settings
from consulta.web.consultations.models import Consultation
from consulta.web.imports import ImportRefused
from consulta.web.interchange import (
    InterchangeError,
    export_consultations,
    import_consultations,
)
from consulta.web.responses import importer as response_importer
from consulta.web.responses.importer import import_responses
from consulta.web.responses.models import Respondent, Response
from consulta.web.stakeholders import importer as stakeholder_importer
from consulta.web.stakeholders.importer import import_stakeholders
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person


def as_csv(*rows: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def network(rows: int) -> bytes:
    """``rows`` people in organisations of ten, each in both phases' audiences."""
    return as_csv(["organisation", "sector", "parent", "name", "email", "phases"],
                  *[[f"Org {n // 10}", "voluntary", "Org 0" if n >= 10 else "", f"Person {n}",
                     f"p{n}@example.org", "1;2"] for n in range(rows)])


class Statements:
    """Every statement run on the default connection, and whether it ran in a transaction."""

    def __init__(self) -> None:
        self.seen: list[tuple[bool, str]] = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append((connection.in_atomic_block, sql))
        return execute(sql, params, many, context)

    def inside(self) -> list[str]:
        return [sql for atomic, sql in self.seen if atomic]

    def outside(self) -> list[str]:
        return [sql for atomic, sql in self.seen if not atomic]


# --- One short transaction, after reading and checking outside it ---------------------------


@pytest.mark.django_db(transaction=True)
def test_it_writes_a_big_network_in_a_few_statements_in_one_transaction(consultation):
    statements = Statements()
    with connection.execute_wrapper(statements):
        report = import_stakeholders(consultation, network(2000), "network.csv")
    assert report.counts["people created"] == 2000
    assert AudienceMember.objects.filter(person__isnull=False).count() == 4000
    assert Organisation.objects.get(name="Org 7").parent.name == "Org 0"
    writes = [sql for sql in statements.inside() if not sql.lstrip().upper().startswith("SELECT")]
    # 200 organisations, 2,000 people, 4,000 audience rows and the audit entry: in batches of
    # 500 (SQLite may split a batch further), not one statement per row.
    assert 10 <= len(writes) <= 40, len(writes)
    assert not [sql for sql in statements.outside() if sql.lstrip().upper().startswith(
        ("INSERT", "UPDATE", "DELETE"))]


@pytest.mark.django_db(transaction=True)
def test_it_reads_the_file_and_checks_every_row_outside_any_transaction(consultation,
                                                                         monkeypatch):
    in_transaction = []
    real = stakeholder_importer._read_row

    def read_row(*args):
        in_transaction.append(connection.in_atomic_block)
        return real(*args)

    monkeypatch.setattr(stakeholder_importer, "_read_row", read_row)
    import_stakeholders(consultation, network(30), "network.csv")
    assert in_transaction == [False] * 30


@pytest.mark.django_db(transaction=True)
def test_it_updates_and_leaves_alone_in_bulk_too(consultation):
    import_stakeholders(consultation, network(40), "network.csv")
    changed = as_csv(["organisation", "sector", "name", "email", "job_title", "phases"],
                     ["Org 1", "public", "Person 10", "p10@example.org", "Chair", "1"],
                     ["Org 2", "", "Renamed", "p11@example.org", "", "2"])
    report = import_stakeholders(consultation, changed, "network.csv")
    assert {name: report.counts.get(name, 0) for name in (
        "organisations updated", "organisations unchanged", "people updated",
        "audience members added")} == {
        "organisations updated": 1, "organisations unchanged": 1, "people updated": 2,
        "audience members added": 0}
    moved = Person.objects.get(email="p11@example.org")
    assert (moved.name, moved.organisation.name) == ("Renamed", "Org 2")
    assert Organisation.objects.get(name="Org 1").sector == "public"
    assert Person.objects.get(email="p10@example.org").job_title == "Chair"


# --- What was read must be what is written over ----------------------------------------------


def test_it_plans_again_when_the_network_changed_after_reading(consultation, monkeypatch):
    real = stakeholder_importer._check_plan
    plans = []

    def an_organiser_adds_the_same_org_meanwhile(plan, network, columns, report):
        plans.append(plan)
        if len(plans) == 1:  # after the first reading, before writing
            Organisation.objects.create(consultation=consultation, name="Org 0", sector="public")
        return real(plan, network, columns, report)

    monkeypatch.setattr(stakeholder_importer, "_check_plan", an_organiser_adds_the_same_org_meanwhile)
    report = import_stakeholders(consultation, network(3), "network.csv")
    assert len(plans) == 2
    # Planned again: the organisation is now found, not created twice.
    assert report.counts.get("organisations created", 0) == 0
    assert report.counts["organisations updated"] == 1  # its sector, as the file says
    assert Organisation.objects.get(name="Org 0").sector == "voluntary"


def test_it_refuses_when_the_network_keeps_changing(consultation, monkeypatch):
    monkeypatch.setattr(stakeholder_importer, "_signature_now", lambda target: object())
    with pytest.raises(ImportRefused) as caught:
        import_stakeholders(consultation, network(3), "network.csv")
    assert [problem.as_line() for problem in caught.value.report.errors] == [
        "File: The network kept changing while importing. Try the import again."]
    assert not Person.objects.filter(email="p0@example.org").exists()


@pytest.fixture
def partners(consultation):
    return consultation.phases.get(position=2)


def test_a_response_import_notices_a_respondent_who_answered_online_meanwhile(
        consultation, partners, monkeypatch):
    data = as_csv(["respondent", "email", "trust"],
                  ["Sam", "sam@safestreets.example", "On paper."],
                  ["Kim", "kim@example.org", "Also on paper."])
    real = response_importer.stage

    def sam_submits_online_meanwhile(rows, context, report):
        if not Response.objects.filter(channel=Response.Channel.WEB).exists():
            online = Response.objects.create(phase=partners, status=Response.Status.SUBMITTED)
            Respondent.objects.create(response=online, email="sam@safestreets.example")
        return real(rows, context, report)

    monkeypatch.setattr(response_importer, "stage", sam_submits_online_meanwhile)
    with pytest.raises(ImportRefused) as caught:
        import_responses(partners, data, "responses.csv")
    assert [problem.as_line() for problem in caught.value.report.errors] == [
        ("Row 2, column “email”: This respondent already has a submitted response in this "
         "phase.")]
    assert Response.objects.count() == 1  # Sam's own, online


def test_a_response_import_ignores_other_submissions_meanwhile(partners, monkeypatch):
    real = response_importer.stage

    def someone_else_submits_meanwhile(rows, context, report):
        Response.objects.create(phase=partners, status=Response.Status.SUBMITTED)
        return real(rows, context, report)

    monkeypatch.setattr(response_importer, "stage", someone_else_submits_meanwhile)
    report = import_responses(partners, as_csv(["email", "trust"], ["kim@example.org", "Yes."]),
                              "responses.csv")
    assert report.counts["responses created"] == 1 and Response.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_response_import_writes_in_one_short_transaction(partners):
    rows = [[f"r{n}@example.org", f"Answer number {n}.", "prevention"] for n in range(1500)]
    statements = Statements()
    with connection.execute_wrapper(statements):
        report = import_responses(partners, as_csv(["email", "trust", "priority"], *rows),
                                  "responses.csv")
    assert report.counts == {**report.counts, "responses created": 1500,
                             "respondents recorded": 1500, "answers created": 3000}
    writes = [sql for sql in statements.inside() if not sql.lstrip().upper().startswith("SELECT")]
    # Not 4,500 row by row: batches (of 83 responses on SQLite, which takes 999 values a
    # statement), and the audit entry.
    assert 8 <= len(writes) <= 60, len(writes)
    assert Response.objects.get(respondent__email="r7@example.org").answers.count() == 2


# --- Requests wait for the write lock instead of failing -------------------------------------

HOLD = 1.5  # seconds the "import" holds the write lock


@pytest.fixture
def file_database(tmp_path, monkeypatch, django_db_blocker):
    """A second connection alias on a SQLite file, with the site's own SQLite options."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    options = site_settings._database()["OPTIONS"]

    def use(alias: str, **overrides) -> str:
        databases = {alias: {"ENGINE": "django.db.backends.sqlite3",
                             "NAME": str(tmp_path / "site.sqlite3"),
                             "OPTIONS": {**options, **overrides}}}
        databases["default"] = dict(connections.settings["default"])  # it must be there
        connections.settings[alias] = connections.configure_settings(databases)[alias]
        return alias

    with django_db_blocker.unblock():
        alias = use("file")
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE note (text varchar(20))")
        yield use
        for name in list(connections.settings):
            if name.startswith("file"):
                connections[name].close()
                del connections[name]
                del connections.settings[name]


class LockHolder(threading.Thread):
    """An import's transaction in another thread: it writes, then holds the lock HOLD s."""

    def __init__(self, alias: str) -> None:
        super().__init__()
        self.alias, self.held, self.released_at = alias, threading.Event(), 0.0

    def run(self) -> None:
        try:
            with transaction.atomic(using=self.alias):
                connections[self.alias].cursor().execute("INSERT INTO note VALUES ('import')")
                self.held.set()
                time.sleep(HOLD)
            self.released_at = time.monotonic()
        finally:
            connections[self.alias].close()


def hold_the_write_lock(alias: str) -> LockHolder:
    holder = LockHolder(alias)
    holder.start()
    assert holder.held.wait(10)
    return holder


def notes(alias: str) -> list[str]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT text FROM note ORDER BY text")
        return [text for (text,) in cursor.fetchall()]


def test_a_write_waits_for_the_lock_and_succeeds(file_database):
    alias = file_database("file")
    assert connections[alias].settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    holder = hold_the_write_lock(alias)
    with transaction.atomic(using=alias):  # a respondent's save, as a request makes it
        connections[alias].cursor().execute("INSERT INTO note VALUES ('request')")
    saved_at = time.monotonic()
    holder.join()
    assert saved_at >= holder.released_at  # it met the lock, and waited rather than failed
    assert notes(alias) == ["import", "request"]


def test_a_read_does_not_wait_for_the_lock(file_database):
    alias = file_database("file")
    holder = hold_the_write_lock(alias)
    assert notes(alias) == []  # WAL: readers see the last commit, at once
    read_at = time.monotonic()
    holder.join()
    assert read_at < holder.released_at
    assert notes(alias) == ["import"]


def test_without_a_busy_timeout_the_write_would_fail(file_database):
    """The check above can fail: with no time to wait, the same save is refused."""
    alias = file_database("file-impatient", timeout=0)
    holder = hold_the_write_lock(file_database("file"))
    try:
        with (pytest.raises(OperationalError, match="database is locked"),
              transaction.atomic(using=alias)):
            connections[alias].cursor().execute("INSERT INTO note VALUES ('request')")
    finally:
        holder.join()


# --- A whole consultation, restored from an export ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_consultation_import_checks_everything_then_writes_in_bulk(consultation):
    import_stakeholders(consultation, network(300), "network.csv")
    document = export_consultations(["policing-a"])
    Consultation.objects.all().delete()
    statements = Statements()
    with connection.execute_wrapper(statements):
        [copied] = import_consultations(document)
    assert copied.people.count() == 302 and copied.organisations.get(name="Org 5").parent
    writes = [sql for sql in statements.inside() if not sql.lstrip().upper().startswith("SELECT")]
    # One statement per kind of row and batch (the 300 people's 600 audience rows in two),
    # not one per row as before.
    assert len(writes) < 30, len(writes)
    assert not [sql for sql in statements.outside() if sql.lstrip().upper().startswith(
        ("INSERT", "UPDATE", "DELETE"))]


def test_a_consultation_import_turns_a_clash_into_a_message(consultation):
    document = export_consultations(["policing-a"])
    Consultation.objects.all().delete()
    people = document["consultations"][0]["people"]
    people.append({**people[0], "name": "Someone else"})  # the same address twice
    with pytest.raises(InterchangeError, match="could not be stored: UNIQUE|unique_person"):
        import_consultations(document)
    assert not Consultation.objects.exists() and not Organisation.objects.exists()


def test_a_consultation_import_refuses_a_question_key_given_twice(consultation):
    document = export_consultations(["policing-a"])
    Consultation.objects.all().delete()
    questions = document["consultations"][0]["phases"][0]["questions"]
    questions.append(dict(questions[0]))
    with pytest.raises(InterchangeError, match=r"questions\[\d+\].key: .* already a question"):
        import_consultations(document)
