"""Coding one answer as a plain form (no JavaScript needed), and the review queue."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from consulta.web.analysis.models import CodedTheme
from consulta.web.responses.models import Response
from consulta.web.workbench.models import Review
from workbench_data import finished_run, keys_of, signed_in, trust_codings


@pytest.fixture
def run(consultation):
    return finished_run(consultation)


@pytest.fixture
def codings(run):
    return trust_codings(run)


def answer_url(coding, query: str = "") -> str:
    url = reverse("workbench:answer", args=["policing-a", coding.answer.question_id, coding.pk])
    return f"{url}?{query}" if query else url


def form_of(page) -> dict:
    """The coding form's hidden values, as a browser without JavaScript would post them."""
    html = page.content.decode()
    return {name: value for name, value in re.findall(
        r'<input type="hidden" name="(\w+)" value="([^"]*)"', html)}


def save(client, coding, query="", **data):
    page = client.get(answer_url(coding, query))
    return client.post(answer_url(coding, query), {**form_of(page), **data})


def test_it_shows_an_answer_with_numbered_themes_and_no_inline_script(codings, analyst):
    page = signed_in(analyst).get(answer_url(codings[0]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "1. About patrols" in html and "3. About data" in html
    assert re.search(r'value="t01"[^>]*checked', html)
    assert "<script>" not in html and 'src="/static/workbench/workbench.js"' in html


def test_it_saves_a_persons_codes_and_keeps_the_machines(codings, analyst):
    client = signed_in(analyst)
    response = save(client, codings[0], themes=["t01", "t03"], stance="against",
                    note="Also about data")
    assert response.status_code == 302 and response.url == answer_url(codings[1])
    assert keys_of(codings[0]) == {"t01", "t03"}
    added = CodedTheme.objects.get(coding=codings[0], theme__key="t03")
    assert added.source == CodedTheme.Source.ANALYST
    review = Review.objects.get()
    assert review.machine_themes == ["t01"] and review.themes == ["t01", "t03"]
    assert (review.stance, review.note, review.blind) == ("against", "Also about data", False)


def test_it_hides_the_machines_codes_when_blind(codings, analyst):
    client = signed_in(analyst)
    page = client.get(answer_url(codings[0], "blind_mode=1"))
    assert "hidden until you save" in page.content.decode()
    assert not re.search(r'value="t01"[^>]*checked', page.content.decode())
    save(client, codings[0], "blind_mode=1", themes=["t02"])
    review = Review.objects.get()
    assert review.blind and review.machine_themes == ["t01"] and review.themes == ["t02"]


def test_it_leaves_nothing_of_the_current_codes_in_a_blind_pages_source(codings, analyst,
                                                                        organiser):
    save(signed_in(organiser), codings[0], themes=["t01", "t03"])  # a first coder's codes
    html = signed_in(analyst).get(answer_url(codings[0], "blind_mode=1")).content.decode()
    # Everything but the answer's words and the themes offered (each unchecked) to choose from:
    boxes = re.findall(r'<div class="checkbox">.*?</div>', html)
    assert boxes and not any("checked" in box for box in boxes)
    rest = re.sub(r'<div class="checkbox">.*?</div>|<blockquote.*?</blockquote>', "", html,
                  flags=re.DOTALL)
    for said in ("t01", "t03", "About patrols", "About data", "0.95", "by a person"):
        assert said not in rest
    shown = form_of(signed_in(analyst).get(answer_url(codings[0], "blind_mode=1")))["shown"]
    assert re.fullmatch(r"[0-9a-f]{40,}", shown)


def test_it_keeps_the_machines_codes_from_before_the_first_person(codings, analyst, organiser):
    save(signed_in(analyst), codings[0], themes=["t02"])
    save(signed_in(organiser), codings[0], themes=["t02", "t03"])
    assert [r.machine_themes for r in Review.objects.order_by("pk")] == [["t01"], ["t01"]]


def test_it_refuses_to_overwrite_anothers_codes(codings, analyst, organiser):
    bob, alice = signed_in(analyst), signed_in(organiser)
    stale = form_of(bob.get(answer_url(codings[0])))
    save(alice, codings[0], themes=["t02"])
    response = bob.post(answer_url(codings[0]), {**stale, "themes": ["t03"]})
    assert response.status_code == 409
    assert "Someone else saved" in response.content.decode()
    assert keys_of(codings[0]) == {"t02"}


def test_it_flags_candidate_quotes_only_where_publication_is_allowed(codings, analyst):
    client = signed_in(analyst)
    quotable = next(c for c in codings if c.answer.response.consent == Response.Consent.FULL)
    silent = next(c for c in codings if c.answer.response.consent == Response.Consent.NONE)
    save(client, quotable, themes=["t01"], quote_candidate="on")
    assert Review.objects.get(answer=quotable.answer).quote_candidate
    assert "cannot be quoted" in client.get(answer_url(silent)).content.decode()
    save(client, silent, themes=["t01"], quote_candidate="on")
    assert not Review.objects.get(answer=silent.answer).quote_candidate


def test_it_serves_the_least_confident_unreviewed_answer_first(codings, analyst):
    client = signed_in(analyst)
    queue = reverse("workbench:queue", args=["policing-a", codings[0].answer.question_id])
    response = client.get(f"{queue}?queue=confidence")
    assert response.url == answer_url(codings[-1], "queue=confidence")
    after = save(client, codings[-1], "queue=confidence", themes=["t03"])
    assert client.get(after.url).url == answer_url(codings[-2], "queue=confidence")


def test_it_draws_each_persons_own_fixed_sample(codings, analyst, organiser):
    queue = reverse("workbench:queue", args=["policing-a", codings[0].answer.question_id])
    first = signed_in(analyst).get(f"{queue}?queue=sample").url
    assert signed_in(analyst).get(f"{queue}?queue=sample").url == first
    assert first != answer_url(codings[-1], "queue=sample")  # not simply the least confident


def test_it_refuses_coding_to_outsiders(codings, outsider):
    client = signed_in(outsider)
    assert client.get(answer_url(codings[0])).status_code == 404
    assert client.post(answer_url(codings[0]), {"themes": ["t02"]}).status_code == 404
    assert keys_of(codings[0]) == {"t01"}
