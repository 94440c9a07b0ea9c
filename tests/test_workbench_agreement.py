"""Agreement between machine and person, against figures worked out by hand."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consulta.web.workbench.agreement import for_question, measure, wilson
from workbench_data import finished_run, signed_in, trust_codings

# Five answers, two themes: (person, machine).
ITEMS = [({"a"}, {"a"}), ({"a"}, {"b"}), ({"b"}, {"b"}), ({"a", "b"}, {"a"}), (set(), set())]


def test_it_measures_a_theme_as_worked_out_by_hand():
    theme_a = measure(ITEMS, ["a", "b"]).themes[0]
    # person a: 1 1 0 1 0; machine a: 1 0 0 1 0 -> TP 2, FP 0, FN 1, TN 2.
    # observed 4/5; chance 0.6*0.4 + 0.4*0.6 = 0.48; kappa (0.8 - 0.48) / 0.52.
    assert theme_a.kappa.value == pytest.approx(0.32 / 0.52)
    assert theme_a.precision.value == 1 and theme_a.recall.value == pytest.approx(2 / 3)
    assert theme_a.f1.value == pytest.approx(0.8)
    assert theme_a.n == 5 and theme_a.recall.n == 3 and theme_a.precision.n == 2


def test_it_pools_every_decision_for_the_question():
    overall = measure(ITEMS, ["a", "b"])
    # 10 decisions: person 1 1 0 1 0 | 0 0 1 1 0, machine 1 0 0 1 0 | 0 1 1 0 0.
    # agree 7/10; person yes 0.5, machine yes 0.4; chance 0.2 + 0.3 = 0.5; kappa 0.4.
    assert overall.kappa.value == pytest.approx(0.4)
    assert overall.precision.value == pytest.approx(3 / 4)
    assert overall.recall.value == pytest.approx(3 / 5)
    assert overall.f1.value == pytest.approx(6 / 9)
    assert overall.kappa.low <= 0.4 <= overall.kappa.high


def test_it_gives_wilson_intervals_for_proportions():
    # Wilson, 8 of 10: 0.4902 to 0.9433.
    figure = wilson(8, 10)
    assert (round(figure.low, 4), round(figure.high, 4)) == (0.4902, 0.9433)
    assert wilson(0, 0).value is None


def test_it_leaves_kappa_undefined_when_both_always_agree_on_one_code():
    assert measure([(set(), set()), (set(), set())], ["a"]).themes[0].kappa.value is None


def test_it_measures_only_blind_reviews_and_shows_them_to_every_member(consultation, analyst,
                                                                       organiser):
    run = finished_run(consultation)
    codings = trust_codings(run)
    client = signed_in(analyst)
    choices = {0: ["t01"], 1: ["t02"], 2: ["t01"], 3: ["t01", "t02"], 4: []}
    for index, themes in choices.items():
        url = reverse("workbench:answer", args=["policing-a", codings[index].answer.question_id,
                                                codings[index].pk])
        page = client.get(url + "?blind_mode=1")
        client.post(url + "?blind_mode=1", {
            "run": run.pk, "version": 0, "shown": page.context["form"].initial["shown"],
            "blind": "True", "themes": themes})
    # Not blind: does not count.
    url = reverse("workbench:answer", args=["policing-a", codings[5].answer.question_id,
                                            codings[5].pk])
    page = client.get(url)
    client.post(url, {"run": run.pk, "version": 0, "shown": page.context["form"].initial["shown"],
                      "themes": ["t01"]})
    # Machine: t01, t02, t03, t01, t02 (answers interleave patrols, schools, data).
    measured = for_question(run, codings[0].answer.question)
    assert measured.n == 5
    t01 = measured.themes[[t.key for t in measured.themes].index("t01")]
    # person t01: 1 0 1 1 0; machine t01: 1 0 0 1 0 -> TP 2, FP 0, FN 1: recall 2/3.
    assert t01.recall.value == pytest.approx(2 / 3) and t01.precision.value == 1
    page = signed_in(organiser).get(reverse("workbench:overview", args=["policing-a"]))
    assert "Agreement on 5 answers coded blind" in page.content.decode()
