"""Back-office pages at scale: counted by the database, a number of queries that does not grow
with the answers, and the same figures as the library computes on every answer
(benchmarks/web/million.py times them at a million answers)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consulta.analysis import who_said_what
from consulta.analysis.groups import GroupCounts, who_said_what_counts
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.analysis.results import run_results
from consulta.web.consultations.models import Question
from consulta.web.responses.models import Answer, Response
from consulta.web.stakeholders.models import Organisation

WHEN = datetime(2026, 3, 1, tzinfo=UTC)
SECTORS = ["public", "voluntary", "private"]


def answers_by_group(size: int):
    """Deterministic answers: their themes, group and campaign weight."""
    assignments, groups, weights = {}, {}, {}
    for i in range(size):
        assignments[i] = {t for t in ("a", "b", "c") if (i * 7 + ord(t)) % (3 + i % 4) == 0}
        groups[i] = {"group": ["x", "y", "z"][i % 3] if i % 50 else "tiny"}
        weights[i] = 0.25 if i % 9 == 0 else 1.0
    return assignments, groups, weights


def test_it_gives_the_same_figures_from_counts_as_from_answers():
    assignments, groups, weights = answers_by_group(400)
    counted: dict[str, GroupCounts] = {}
    for answer, themes in assignments.items():
        group = counted.setdefault(groups[answer]["group"], GroupCounts())
        group.answers += 1
        group.n += weights[answer]
        for theme in themes:
            group.counts[theme] = group.counts.get(theme, 0.0) + weights[answer]
    carried = {t for themes in assignments.values() for t in themes}
    expected = who_said_what(assignments, groups, weights=weights, min_group_size=20)
    found = who_said_what_counts("group", counted, carried, min_group_size=20)
    assert [(s.group, s.theme, s.suppressed) for s in found] == \
        [(s.group, s.theme, s.suppressed) for s in expected]
    assert any(s.suppressed for s in found) and not all(s.suppressed for s in found)
    for mine, theirs in zip(found, expected, strict=True):
        for key in ("n", "count", "prevalence", "ci_low", "ci_high", "lift", "p_value",
                    "q_value"):
            a, b = getattr(mine, key), getattr(theirs, key)
            assert (a is None and b is None) or a == pytest.approx(b), key


def add_coded(consultation, run: AnalysisRun, themes: dict[int, list[Theme]], count: int,
              start: int) -> None:
    """``count`` partner responses answering both text questions, coded into ``themes``."""
    organisations = list(Organisation.objects.filter(consultation=consultation))
    phase = consultation.phases.get(position=2)
    for i in range(start, start + count):
        response = Response.objects.create(
            phase=phase, reference=f"S{i:07d}", status=Response.Status.SUBMITTED,
            submitted_at=WHEN, consent=Response.Consent.FULL,
            organisation=organisations[i % len(organisations)] if i % 3 else None)
        for question_id, made in themes.items():
            answer = Answer.objects.create(response=response, question_id=question_id,
                                           text=f"Answer {i} about patrols and trust.")
            coding = Coding.objects.create(run=run, answer=answer, primary=made[i % 3],
                                           campaign="c1" if i % 5 == 0 else "",
                                           sentiment="neutral")
            CodedTheme.objects.create(coding=coding, theme=made[i % 3], confidence=0.9)
            if i % 4 == 0:
                CodedTheme.objects.create(coding=coding, theme=made[(i + 1) % 3], confidence=0.4)


@pytest.fixture
def coded_run(consultation):
    run = AnalysisRun.objects.create(
        consultation=consultation, status=AnalysisRun.Status.DONE, finished_at=WHEN,
        summary={"config": {"min_group_size": 5, "count_campaigns_once": True}})
    questions = Question.objects.filter(phase__consultation=consultation, phase__position=2,
                                        kind=Question.Kind.LONG_TEXT)
    themes = {q.pk: [Theme.objects.create(run=run, question=q, key=f"t0{n}", label=f"Theme {n}",
                                          share=0.3) for n in (1, 2, 3)]
              for q in questions}
    add_coded(consultation, run, themes, 30, 0)
    return run, themes


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_analysis_page_costs_the_same_queries_however_many_answers(
        client, organiser, consultation, coded_run):
    run, themes = coded_run
    client.force_login(organiser)
    url = f"/organise/{consultation.slug}/analysis/"
    queries_of(client, url)  # warm: sessions, content types
    before = queries_of(client, url)
    add_coded(consultation, run, themes, 60, 30)
    assert queries_of(client, url) == before


def test_the_analysis_page_figures_are_the_librarys_on_every_answer(consultation, coded_run):
    run, _ = coded_run
    views = {view.question.pk: view for phase in run_results(run) for view in phase.questions}
    for question, view in views.items():
        codings = Coding.objects.filter(run=run, answer__question_id=question)
        assignments = {c.pk: {str(t) for t in c.coded_themes.values_list("theme_id", flat=True)}
                       for c in codings}
        sector = dict(codings.values_list("pk", "answer__response__organisation__sector"))
        labels = {"public": "Public", "voluntary": "Voluntary and community",
                  "private": "Private", None: "No organisation"}
        sizes = codings.filter(campaign="c1").count()
        weights = {c.pk: 1 / sizes if c.campaign else 1.0 for c in codings}
        stats = who_said_what(assignments, {pk: {"group": labels[sector[pk]]} for pk in sector},
                              weights=weights, min_group_size=5)
        expected = {(s.group, s.theme): s for s in stats}
        assert view.coded == 30
        for row, item in zip(view.groups.rows, view.all_themes, strict=True):
            for column, cell in zip(view.groups.columns[1:], row.cells[1:], strict=True):
                stat = expected[(column.label, str(item.theme.pk))]
                assert cell.share == pytest.approx(stat.prevalence)
                assert cell.low == pytest.approx(stat.ci_low)


def test_the_workbench_overview_counts_every_question_in_a_fixed_number_of_queries(
        client, organiser, consultation, coded_run):
    run, themes = coded_run
    client.force_login(organiser)
    url = f"/organise/{consultation.slug}/workbench/"
    queries_of(client, url)
    before = queries_of(client, url)
    add_coded(consultation, run, themes, 60, 30)
    bare = Coding.objects.filter(run=run).order_by("pk").first()
    bare.coded_themes.all().delete()
    assert queries_of(client, url) == before
    rows = client.get(url).context["rows"]
    assert [row["answers"] for row in rows] == [90, 90]
    assert {row["question"].pk: row["unthemed"] for row in rows} == {
        q: int(q == bare.answer.question_id) for q in themes}


def test_a_label_from_a_withheld_answer_is_not_shown_and_one_across_two_answers_is(
        consultation, coded_run):
    run, themes = coded_run
    question, made = next(iter(themes.items()))
    phase = consultation.phases.get(position=2)
    for n, text in enumerate(["Patrols at night\nmatter.", "Schools first.  Then youth clubs."]):
        response = Response.objects.create(phase=phase, reference=f"W{n:07d}", submitted_at=WHEN,
                                           status=Response.Status.SUBMITTED,
                                           consent=Response.Consent.NONE)
        Answer.objects.create(response=response, question_id=question, text=text)
    made[0].label, made[1].label = "Then youth   clubs", "Night matter. Schools first"
    Theme.objects.bulk_update(made[:2], ["label"])
    views = {v.question.pk: v for phase in run_results(run) for v in phase.questions}
    shown = {item.theme.pk: item.label for item in views[question].all_themes}
    assert shown[made[0].pk] != "Then youth   clubs"  # words of a withheld answer
    assert shown[made[1].pk] == "Night matter. Schools first"  # across two answers: nobody's
