"""The workbench in a real browser: accessible pages, and an analyst's session from the
keyboard (merge, move, code five answers blind, see agreement)."""

from __future__ import annotations

import pytest
from browsing import axe_violations

from conftest import make_consultation, make_user
from consulta.web.analysis.models import Theme
from consulta.web.consultations.models import Membership
from workbench_data import finished_run, keys_of, trust_codings


@pytest.fixture
def bench(page, live_server, transactional_db):
    consultation = make_consultation("policing-a", "Policing A")
    bob = make_user("bob", organiser=False)
    Membership.objects.create(consultation=consultation, user=bob, role=Membership.Role.ANALYST)
    run = finished_run(consultation)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/organise/")
    codings = trust_codings(run)
    return page, f"{live_server.url}/organise/policing-a/workbench/", run, codings


def test_it_has_accessible_workbench_pages(bench):
    page, base, _, codings = bench
    question = codings[0].answer.question_id
    for path in ["", f"q/{question}/", f"q/{question}/a/{codings[0].pk}/",
                 f"q/{question}/a/{codings[0].pk}/?blind_mode=1"]:
        page.goto(base + path)
        assert page.locator("h1").count() == 1
        # Open every theme's forms (rename, split into parts, merge...) so axe checks them too.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        assert axe_violations(page) == [], path


def test_an_analyst_merges_moves_codes_from_the_keyboard_and_sees_agreement(bench):
    page, base, run, codings = bench
    question = codings[0].answer.question_id
    page.goto(f"{base}q/{question}/")
    page.click("summary:has-text('Merge, delete or add a note to t03')")
    page.select_option("#target-t03", "t01")
    page.fill("#merge-reason-t03", "Same complaint about slow response")
    page.click("#theme-t03 button:has-text('Merge')")
    page.wait_for_selector("text=Done: merged t03 into t01")
    assert not Theme.objects.filter(run=run, key="t03", question_id=question).exists()

    schools = [c for c in codings if keys_of(c) == {"t02"}][:2]
    for coding in schools:
        page.check(f"#choose-{coding.pk}")
    page.select_option("#selection-theme", "t02")
    page.select_option("#selection-target", "t01")
    page.fill("#selection-reason", "About patrols after all")
    page.click("#selection button:has-text('Move')")
    page.wait_for_selector("text=Done: moved 2 answers from t02 to t01")
    assert all(keys_of(c) == {"t01"} for c in schools)

    page.goto(f"{base}q/{question}/queue/?queue=sample&blind_mode=1")
    for _ in range(5):
        page.wait_for_selector("text=hidden until you save")
        url = page.url
        page.keyboard.press("1")  # tick the first theme
        page.keyboard.press("Enter")  # save, and on to the next in the sample
        page.wait_for_url(lambda now, before=url: now != before)
    page.goto(base)
    assert page.locator("text=Agreement on 5 answers coded blind").count() == 1


def test_it_has_accessible_double_coding_and_code_frame_pages(bench):
    from django.utils import timezone

    from consulta.web.workbench.models import DoubleSample, Review

    page, base, run, codings = bench
    question = codings[0].answer.question_id
    page.goto(base + f"q/{question}/double/")  # no sample yet: the form to draw one
    assert axe_violations(page) == []
    DoubleSample.objects.create(run=run, question_id=question, size=2, seed=0,
                                codings=[codings[0].pk, codings[1].pk])
    alice = make_user("alice")
    for user, keys in ((alice, ["t01"]), (Membership.objects.get().user, ["t02"])):
        Review.objects.create(run=run, answer=codings[0].answer, user=user, blind=True,
                              themes=keys, machine_themes=["t01"], reviewed_at=timezone.now())
    for path in [f"q/{question}/double/", "", "frame/"]:
        page.goto(base + path)
        assert page.locator("h1").count() == 1
        assert axe_violations(page) == [], path
        if "double" in path:  # the agreement table and a disagreement with its resolve form
            assert page.locator("form[action*='double/resolve']").count() == 1
