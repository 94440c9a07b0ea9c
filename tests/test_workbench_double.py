"""Double coding: two or more people code one stored sample blind; their agreement, against
figures worked out by hand, and disagreements resolved as a person's codes."""

from __future__ import annotations

import random
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.workbench import double
from consulta.web.workbench.coding import shown_codes
from consulta.web.workbench.models import Decision, DoubleSample, Review
from workbench_data import finished_run, keys_of, signed_in, trust_codings

# Two coders, five answers, two themes (the machine-agreement tests' items, person against person).
ALICE = {1: {"a"}, 2: {"a"}, 3: {"b"}, 4: {"a", "b"}, 5: set()}
BOB = {1: {"a"}, 2: {"b"}, 3: {"b"}, 4: {"a"}, 5: set()}


@pytest.fixture
def run(consultation):
    return finished_run(consultation)


@pytest.fixture
def trust(run):
    return trust_codings(run)[0].answer.question


def url(name: str, trust, *args) -> str:
    return reverse(f"workbench:{name}", args=["policing-a", trust.pk, *args])


def start(client, run, trust, size=6, seed=1):
    return client.post(url("double-start", trust), {"run": run.pk, "size": size, "seed": seed})


def hidden(page) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"',
                           page.content.decode()))


def code_sample(client, keys: list[list[str]]) -> list[int]:
    """Code the sample from the queue, blind, one answer after another; the Coding ids coded."""
    trust_id = Coding.objects.get(pk=DoubleSample.objects.get().codings[0]).answer.question_id
    queue = reverse("workbench:queue", args=["policing-a", trust_id]) + "?queue=double&blind_mode=1"
    coded = []
    for themes in keys:
        answer = client.get(queue)
        assert answer.status_code == 302 and "/a/" in answer.url
        page = client.get(answer.url)
        assert "Blind: the analysis" in page.content.decode()
        assert not re.search(r'name="themes"[^>]*checked', page.content.decode())
        saved = client.post(answer.url, {**hidden(page), "themes": themes})
        assert saved.status_code == 302 and "queue=double" in saved.url
        coded.append(int(answer.url.split("/a/")[1].split("/")[0]))
    return coded


def test_it_keeps_the_live_codes_when_a_second_person_codes_blind(run, trust, analyst,
                                                                   organiser):
    start(signed_in(organiser), run, trust, size=3, seed=1)
    first = code_sample(signed_in(organiser), [["t01"]])[0]
    second = code_sample(signed_in(analyst), [["t02"]])[0]
    coding = Coding.objects.get(pk=first)
    assert second == first and keys_of(coding) == {"t01"}  # the first coder's, not the last's
    assert Review.objects.get(user=analyst).themes == ["t02"]
    assert [item.coding.pk for item in double.disagreements(DoubleSample.objects.get())[0]] == [
        first]
    assert resolve(signed_in(analyst), run, trust, coding, ["t02"]).status_code == 302
    assert keys_of(coding) == {"t02"}


def test_it_measures_two_coders_as_worked_out_by_hand():
    measured = double.measure({"alice": ALICE, "bob": BOB}, ["a", "b"])
    theme_a = measured.themes[0]
    # a: alice 1 1 0 1 0, bob 1 0 0 1 0. Kappa: observed 4/5, chance 0.6*0.4 + 0.4*0.6 = 0.48.
    assert theme_a.kappa.value == pytest.approx(0.32 / 0.52)
    # Alpha: coincidences o11 4, o00 4, o10 = o01 = 1; n1 = n0 = 5, n 10:
    # 1 - (n - 1) * 2 / (2 * n1 * n0) = 1 - 18/50.
    assert theme_a.alpha.value == pytest.approx(0.64)
    assert (theme_a.n, measured.n, measured.coders) == (5, 5, 2)
    # Pooled, 10 decisions: kappa 0.4 (observed 7/10, chance 0.5); alpha: n1 9, n0 11, n 20,
    # 3 disagreeing decisions: 1 - 19 * 6 / (2 * 9 * 11).
    assert measured.kappa.value == pytest.approx(0.4)
    assert measured.alpha.value == pytest.approx(1 - 114 / 198)


def test_it_measures_three_coders_with_alpha_only_and_skips_lone_answers():
    ratings = {"alice": {1: {"a"}, 2: {"a"}, 3: set(), 4: {"a"}},
               "bob": {1: {"a"}, 2: set(), 3: set()}, "carol": {1: {"a"}, 3: set()}}
    measured = double.measure(ratings, ["a"])
    # Answer 4 has one coder: not pairable. 1: (1,1,1), 2: (1,0), 3: (0,0,0).
    # o11 = 6 pairs / (3 - 1) = 3, o10 = o01 = 1, o00 = 3; n1 = n0 = 4, n 8: 1 - 7 * 2 / 32.
    assert measured.n == 3 and measured.coders == 3
    assert measured.alpha.value == pytest.approx(0.5625)
    assert measured.kappa.value is None


def test_it_leaves_agreement_undefined_when_everyone_says_the_same_one_thing():
    measured = double.measure({"alice": {1: set(), 2: set()}, "bob": {1: set(), 2: set()}},
                              ["a"])
    assert measured.alpha.value is None and measured.kappa.value is None and measured.n == 2
    assert double.measure({}, ["a"]).n == 0


def test_it_draws_a_seeded_sample_once_and_stores_it(run, trust, analyst, organiser):
    response = start(signed_in(analyst), run, trust, size=6, seed=1)
    assert response.status_code == 302 and response.url == url("double", trust)
    sample = DoubleSample.objects.get()
    ids = sorted(Coding.objects.filter(run=run, answer__question=trust).values_list("pk",
                                                                                    flat=True))
    assert sample.codings == random.Random(1).sample(ids, 6) and sample.user == analyst
    client = signed_in(organiser)
    again = start(client, run, trust, size=10, seed=2)
    assert again.status_code == 302 and DoubleSample.objects.get().codings == sample.codings
    page = client.get(again.url)
    assert "already has a double-coding sample" in page.content.decode()
    entry = LogEntry.objects.filter(additional_data__event__kind="workbench").get()
    assert entry.additional_data["event"]["summary"] == "drew a double-coding sample of 6 answers"


def test_it_refuses_a_bad_size_and_changes_nothing(run, trust, analyst):
    response = start(signed_in(analyst), run, trust, size=1)
    assert response.status_code == 302 and not DoubleSample.objects.exists()


def test_two_people_code_blind_and_see_agreement_and_disagreements(run, trust, analyst,
                                                                   organiser):
    start(signed_in(organiser), run, trust, size=6, seed=1)
    alice = code_sample(signed_in(organiser), [["t01"], ["t01"], ["t02"], ["t02"], ["t03"],
                                               ["t01"]])
    bob = code_sample(signed_in(analyst), [["t01"], ["t02"], ["t02"], ["t02"], ["t03"],
                                           ["t03"]])
    sample = DoubleSample.objects.get()
    assert alice == bob == sample.codings  # the same answers, in the stored order
    assert Review.objects.filter(blind=True).count() == 12
    done = signed_in(analyst).get(url("queue", trust) + "?queue=double&blind_mode=1")
    assert done.url == url("question", trust)
    measured = double.for_sample(sample)
    # 18 decisions (6 answers x 3 themes), 6 yes each; they differ on answers 2 and 6, two
    # decisions each: observed 14/18, chance (1/3)^2 + (2/3)^2 = 5/9, kappa 0.5.
    assert measured.kappa.value == pytest.approx(0.5)
    # Alpha: n1 12, n0 24, n 36, 8 disagreeing ordered pairs: 1 - 35 * 8 / (2 * 12 * 24).
    assert measured.alpha.value == pytest.approx(1 - 280 / 576)
    assert measured.n == 6
    page = signed_in(analyst).get(url("double", trust)).content.decode()
    assert "alice: 6" in page and "bob: 6" in page and "All themes" in page
    assert f"Answer {sample.codings[1]}</a>" in page and f"Answer {sample.codings[5]}" in page
    assert f"Answer {sample.codings[0]}</a>" not in page
    overview = signed_in(analyst).get(reverse("workbench:overview", args=["policing-a"]))
    text = overview.content.decode()
    assert "Krippendorff&#x27;s alpha 0.51" in text or "Krippendorff's alpha 0.51" in text
    assert "2 disagreements to resolve, 0 resolved" in text


@pytest.fixture
def disagreed(run, trust, analyst, organiser):
    """Alice and Bob coded the sample's first answer differently."""
    start(signed_in(organiser), run, trust, size=3, seed=1)
    code_sample(signed_in(organiser), [["t01"]])
    code_sample(signed_in(analyst), [["t02"]])
    return Coding.objects.get(pk=DoubleSample.objects.get().codings[0])


def resolve(client, run, trust, coding, themes, version=0, shown=None, **data):
    shown = shown if shown is not None else shown_codes(coding)
    return client.post(url("double-resolve", trust, coding.pk), {
        "run": run.pk, "version": version, "shown": shown, "themes": themes, **data})


def test_it_resolves_a_disagreement_as_a_persons_codes_and_can_undo_it(run, trust, analyst,
                                                                        disagreed):
    before = set(CodedTheme.objects.filter(coding=disagreed).values_list("theme__key",
                                                                         "source"))
    sizes = dict(Theme.objects.filter(run=run, question=trust).values_list("key", "size"))
    client = signed_in(analyst)
    response = resolve(client, run, trust, disagreed, ["t01", "t03"], reason="Both points")
    assert response.status_code == 302 and response.url == url("double", trust)
    rows = CodedTheme.objects.filter(coding=disagreed)
    assert {(r.theme.key, r.source) for r in rows} == {("t01", "analyst"), ("t03", "analyst")}
    decision = Decision.objects.get()
    assert decision.action == Decision.Action.RESOLVE and decision.reason == "Both points"
    assert decision.summary == f"resolved answer {disagreed.pk} as t01, t03"
    entry = LogEntry.objects.filter(additional_data__event__action="resolve").get()
    assert entry.actor == analyst
    sample = DoubleSample.objects.get()
    assert double.disagreements(sample) == ([], 1)
    undo = url("undo", trust, decision.pk)
    assert client.post(undo, {"run": run.pk, "version": decision.pk}).status_code == 302
    assert set(CodedTheme.objects.filter(coding=disagreed).values_list(
        "theme__key", "source")) == before
    open_, settled = double.disagreements(sample)
    assert [item.coding.pk for item in open_] == [disagreed.pk] and settled == 0
    assert dict(Theme.objects.filter(run=run, question=trust).values_list("key",
                                                                          "size")) == sizes


def test_it_tells_the_resolver_when_the_themes_or_codes_changed(run, trust, analyst, organiser,
                                                                disagreed):
    signed_in(organiser).post(url("action", trust, "rename"), {
        "run": run.pk, "version": 0, "theme": "t01", "label": "Night patrols"})
    stale = resolve(signed_in(analyst), run, trust, disagreed, ["t01"], version=0)
    assert stale.status_code == 409 and "renamed t01" in stale.content.decode()
    version = Decision.objects.get().pk
    moved = resolve(signed_in(analyst), run, trust, disagreed, ["t01"], version=version,
                    shown="t03")
    assert moved.status_code == 409
    assert not Decision.objects.filter(action=Decision.Action.RESOLVE).exists()


def test_it_refuses_outsiders_gets_strangers_and_old_forms(run, trust, analyst, outsider,
                                                           consultation, disagreed):
    assert start(signed_in(outsider), run, trust).status_code == 404
    assert resolve(signed_in(outsider), run, trust, disagreed, ["t01"]).status_code == 404
    assert signed_in(outsider).get(url("double", trust)).status_code == 404
    client = signed_in(analyst)
    assert client.get(url("double-start", trust)).status_code == 405
    assert client.get(url("double-resolve", trust, disagreed.pk)).status_code == 405
    outside = Coding.objects.filter(run=run, answer__question=trust).exclude(
        pk__in=DoubleSample.objects.get().codings).first()
    assert resolve(client, run, trust, outside, ["t01"]).status_code == 404
    assert resolve(client, run, trust, disagreed, ["t09"]).status_code == 302  # not a choice
    newer = AnalysisRun.objects.create(consultation=consultation, finished_at=timezone.now(),
                                       status=AnalysisRun.Status.DONE)
    Coding.objects.create(run=newer, answer=disagreed.answer)
    assert resolve(client, run, trust, disagreed, ["t01"]).status_code == 403
    assert not Decision.objects.exists()
