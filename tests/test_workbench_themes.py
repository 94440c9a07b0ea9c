"""Theme actions: each one request, recorded, undoable, and never silently overwriting."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.workbench.models import Decision
from workbench_data import finished_run, keys_of, signed_in, trust_codings


@pytest.fixture
def run(consultation):
    return finished_run(consultation)


@pytest.fixture
def codings(run):
    return trust_codings(run)


@pytest.fixture
def trust(codings):
    return codings[0].answer.question


def url(trust, action: str) -> str:
    return reverse("workbench:action", args=["policing-a", trust.pk, action])


def post(client, trust, action, run, version=0, **data):
    return client.post(url(trust, action), {"run": run.pk, "version": version, **data})


def picture(run, trust) -> dict:
    """Everything an action can change: themes with their fields and codes, and primaries."""
    themes = {t.key: (t.label, t.description, t.parent.key if t.parent else None, t.size,
                      sorted(keys for keys in t.coded_answers.values_list("coding_id",
                                                                          "source")))
              for t in Theme.objects.filter(run=run, question=trust)}
    primaries = dict(Coding.objects.filter(run=run, answer__question=trust)
                     .values_list("pk", "primary__key"))
    return {"themes": themes, "primaries": primaries}


ACTIONS = {
    "rename": {"theme": "t01", "label": "Night patrols", "description": "Too few at night."},
    "merge": {"theme": "t03", "target": "t01", "reason": "Same point"},
    "delete": {"theme": "t03", "reason": "Not a theme"},
    "reorder": {"theme": "t03", "step": "-1"},
    "reviewed": {},
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_it_does_each_action_and_undoes_it_exactly(run, trust, analyst, action):
    client = signed_in(analyst)
    before = picture(run, trust)
    response = post(client, trust, action, run, **ACTIONS[action])
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.action == action and decision.user == analyst
    assert action == "reorder" or action == "reviewed" or picture(run, trust) != before
    undo = reverse("workbench:undo", args=["policing-a", trust.pk, decision.pk])
    assert client.post(undo, {"run": run.pk, "version": decision.pk}).status_code == 302
    assert picture(run, trust) == before
    decision.refresh_from_db()
    assert decision.undone_by == analyst and decision.undone_at is not None


def test_it_merges_a_theme_into_another(run, trust, codings, organiser):
    response = post(signed_in(organiser), trust, "merge", run, theme="t03", target="t01",
                    reason="Both about slow response")
    assert response.status_code == 302
    assert not Theme.objects.filter(run=run, question=trust, key="t03").exists()
    t01 = Theme.objects.get(run=run, question=trust, key="t01")
    assert t01.size == 28
    assert all(keys_of(c) <= {"t01", "t02"} for c in codings)


def test_it_moves_chosen_answers_and_creates_a_theme_from_others(run, trust, codings, analyst):
    client = signed_in(analyst)
    in_t01 = [c.pk for c in codings if keys_of(c) == {"t01"}]
    response = post(client, trust, "move", run, theme="t01", target="t02",
                    answers=in_t01[:2], reason="About schools really")
    assert response.status_code == 302
    moved = Coding.objects.filter(pk__in=in_t01[:2])
    assert all(keys_of(c) == {"t02"} and c.primary.key == "t02" for c in moved)
    assert CodedTheme.objects.get(coding=in_t01[0]).source == CodedTheme.Source.ANALYST
    version = Decision.objects.get().pk
    response = post(client, trust, "create", run, version=version, theme="t01",
                    label="Response times", answers=in_t01[2:5], reason="A point of its own")
    assert response.status_code == 302
    created = Theme.objects.get(run=run, question=trust, key="t04")
    assert created.label == "Response times" and created.size == 3
    assert Theme.objects.get(run=run, question=trust, key="t01").size == 14 - 2 - 3


def test_it_sends_answers_left_with_no_theme_to_review(run, trust, codings, analyst):
    post(signed_in(analyst), trust, "delete", run, theme="t02", reason="Too broad")
    left = [c for c in Coding.objects.filter(pk__in=[c.pk for c in codings]) if not keys_of(c)]
    assert len(left) == 14 and all(c.primary is None for c in left)
    page = signed_in(analyst).get(reverse("workbench:question", args=["policing-a", trust.pk]))
    assert "14 with no theme (for review)" in page.content.decode()


def test_it_requires_a_reason_where_codes_change(run, trust, analyst):
    response = post(signed_in(analyst), trust, "merge", run, theme="t03", target="t01")
    assert response.status_code == 302
    assert not Decision.objects.exists()
    assert Theme.objects.filter(run=run, key="t03").exists()


def test_it_tells_the_second_analyst_and_changes_nothing(run, trust, analyst, organiser):
    post(signed_in(organiser), trust, "rename", run, theme="t01", label="Night patrols")
    response = post(signed_in(analyst), trust, "merge", run, version=0, theme="t01",
                    target="t02", reason="Same")
    assert response.status_code == 409
    page = response.content.decode()
    assert "renamed t01" in page and "alice" in page
    assert f'name="version" value="{Decision.objects.get().pk}"' in page  # ready to apply again
    assert Theme.objects.filter(run=run, key="t01", label="Night patrols").exists()
    assert Decision.objects.count() == 1


def test_it_undoes_only_the_latest_change(run, trust, analyst):
    client = signed_in(analyst)
    post(client, trust, "rename", run, theme="t01", label="Night patrols")
    first = Decision.objects.get()
    post(client, trust, "rename", run, version=first.pk, theme="t02", label="Schools")
    undo = reverse("workbench:undo", args=["policing-a", trust.pk, first.pk])
    latest = Decision.objects.first().pk
    assert client.post(undo, {"run": run.pk, "version": latest}).status_code == 409
    assert Theme.objects.get(run=run, question=trust, key="t01").label == "Night patrols"


def test_it_records_every_action_in_the_audit_trail(run, trust, analyst, organiser):
    post(signed_in(analyst), trust, "merge", run, theme="t03", target="t01", reason="Same")
    entry = LogEntry.objects.filter(additional_data__event__kind="workbench").get()
    assert entry.actor == analyst
    assert entry.additional_data["event"]["summary"] == "merged t03 into t01"
    trail = signed_in(organiser).get(reverse("consultations:audit", args=["policing-a"]))
    assert "merged t03 into t01 in question trust" in trail.content.decode()


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_it_refuses_each_action_to_outsiders_and_gets(run, trust, outsider, analyst, action):
    assert post(signed_in(outsider), trust, action, run, **ACTIONS[action]).status_code == 404
    assert signed_in(analyst).get(url(trust, action)).status_code == 405
    assert not Decision.objects.exists()


def test_it_refuses_a_form_from_an_earlier_analysis(run, trust, analyst, consultation):
    newer = AnalysisRun.objects.create(consultation=consultation, finished_at=timezone.now(),
                                       status=AnalysisRun.Status.DONE)
    Theme.objects.create(run=newer, question=trust, key="t01", label="Newer")
    response = post(signed_in(analyst), trust, "rename", run, theme="t01", label="Stale")
    assert response.status_code == 403
    assert not Theme.objects.filter(label="Stale").exists()
