"""Splitting a theme: by picked answers (the theme keeps the rest) or re-clustered into parts."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.urls import reverse

from consulta.analysis.split import split_points
from consulta.web.analysis.models import Theme
from consulta.web.workbench.edits import version
from consulta.web.workbench.models import Decision
from workbench_data import finished_run, keys_of, signed_in, trust_codings


@pytest.fixture
def run(consultation):
    run = finished_run(consultation)
    run.summary = {"config": {"embedder": "tfidf", "seed": 0}}
    run.save(update_fields=["summary"])
    return run


@pytest.fixture
def codings(run):
    return trust_codings(run)


@pytest.fixture
def trust(codings):
    return codings[0].answer.question


def split(client, run, trust, follow=False, **data):
    url = reverse("workbench:split", args=["policing-a", trust.pk])
    return client.post(url, {"run": run.pk, "version": version(run, trust), "reason": "Two points",
                             **data}, follow=follow)


def themes(run, trust) -> dict[str, set[int]]:
    return {t.key: set(t.coded_answers.values_list("coding_id", flat=True))
            for t in Theme.objects.filter(run=run, question=trust)}


def test_the_library_splits_points_largest_part_first():
    points = np.array([[1, 0]] * 5 + [[0, 1]] * 3 + [[0.9, 0.1]] * 2, dtype=float)
    parts = split_points(points, 2)
    assert parts.tolist() == [0] * 5 + [1] * 3 + [0] * 2


def test_it_splits_picked_answers_off_a_theme_and_undoes_it(run, trust, codings, analyst):
    before = themes(run, trust)
    t01 = sorted(before["t01"])
    client = signed_in(analyst)
    response = split(client, run, trust, theme="t01", label="Response times",
                     answers=t01[:3])
    assert response.status_code == 302
    after = themes(run, trust)
    assert after["t04"] == set(t01[:3]) and after["t01"] == set(t01[3:])
    decision = Decision.objects.get(action=Decision.Action.SPLIT)
    assert decision.summary == "split t04 off t01 (3 answers)"
    undo = reverse("workbench:undo", args=["policing-a", trust.pk, decision.pk])
    assert client.post(undo, {"run": run.pk, "version": decision.pk}).status_code == 302
    assert themes(run, trust) == before


def test_it_reclusters_a_theme_into_parts(run, trust, codings, analyst):
    everything = themes(run, trust)["t01"]
    response = split(signed_in(analyst), run, trust, theme="t01", parts="3")
    assert response.status_code == 302
    after = themes(run, trust)
    assert set(after) == {"t01", "t02", "t03", "t04", "t05"}
    assert after["t01"] | after["t04"] | after["t05"] == everything
    assert len(after["t01"]) >= len(after["t04"]) >= 1 and after["t05"]
    assert Theme.objects.get(run=run, question=trust, key="t04").label
    assert all(keys_of(c) for c in codings)


def test_it_offers_each_theme_a_split_into_two_to_five_parts(run, trust, codings, analyst):
    client = signed_in(analyst)
    page = client.get(reverse("workbench:question", args=["policing-a", trust.pk]))
    html = page.content.decode()
    form = re.search(r'<form method="post" action="([^"]+)">((?:(?!</form>).)*'
                     r'id="parts-t01".*?)</form>', html, re.DOTALL)
    assert form and form.group(1) == reverse("workbench:split", args=["policing-a", trust.pk])
    assert re.findall(r'<option value="(\d)">', form.group(2)) == ["2", "3", "4", "5"]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(2)))
    response = client.post(form.group(1), {**fields, "parts": "2", "reason": "Two points"})
    assert response.status_code == 302 and "t04" in themes(run, trust)


def test_it_guards_the_split(run, trust, codings, analyst, outsider):
    t01 = sorted(themes(run, trust)["t01"])
    assert split(signed_in(outsider), run, trust, theme="t01", label="X",
                 answers=t01[:2]).status_code == 404
    client = signed_in(analyst)
    assert client.get(reverse("workbench:split", args=["policing-a", trust.pk])
                      ).status_code == 405
    refused = split(client, run, trust, theme="t01", label="All", answers=t01, follow=True)
    assert "Leave some answers" in refused.content.decode()
    url = reverse("workbench:split", args=["policing-a", trust.pk])
    stale = client.post(url, {"run": run.pk, "version": 0, "reason": "x", "theme": "t01",
                              "label": "X", "answers": t01[:2]})
    assert stale.status_code == 302  # version 0 is current: done
    again = client.post(url, {"run": run.pk, "version": 0, "reason": "x", "theme": "t01",
                              "label": "Y", "answers": t01[2:4]})
    assert again.status_code == 409
