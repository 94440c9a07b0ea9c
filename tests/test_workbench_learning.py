"""Learning from people: decisions keep every field, "apply to the rest" recodes only what no
person coded, and a new analysis run keeps what people decided."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from consulta.cli import main
from consulta.web.analysis.models import CodedTheme, Coding, Theme
from consulta.web.workbench import coding as bench_coding
from consulta.web.workbench import learning
from consulta.web.workbench.edits import Conflict, Edit, Refused, version
from consulta.web.workbench.models import ApplyStatus, Decision, QuestionState, Review
from workbench_data import TOPICS, finished_run, keys_of, signed_in, trust_codings

TOPIC_OF = list(TOPICS.values())  # answer i is about TOPIC_OF[i % 3]


@pytest.fixture
def run(consultation):
    run = finished_run(consultation)
    run.summary = {"config": {"embedder": "tfidf", "seed": 0}}  # fast and offline
    run.save(update_fields=["summary"])
    return run


@pytest.fixture
def codings(run):
    return trust_codings(run)


@pytest.fixture
def trust(codings):
    return codings[0].answer.question


def edit(run, trust, user, **options) -> Edit:
    return Edit(run=run, question=trust, user=user, version=version(run, trust), **options)


def code(run, trust, user, coding, keys) -> None:
    bench_coding.save(edit(run, trust, user), coding, bench_coding.Coded(themes=keys),
                      bench_coding.shown_codes(coding))


def code_first(run, trust, user, codings, n=12) -> dict[int, set[str]]:
    """A person codes the first ``n`` answers by their topic; returns what they chose."""
    for coding in codings[:n]:
        code(run, trust, user, coding, [TOPIC_OF[codings.index(coding) % 3]])
    return {c.pk: keys_of(c) for c in codings[:n]}


def picture(run, trust) -> dict:
    themes = {t.key: (t.label, t.summary, t.size, sorted(t.coded_answers.values_list(
        "coding_id", "confidence", "source"))) for t in Theme.objects.filter(run=run,
                                                                            question=trust)}
    codings = sorted(Coding.objects.filter(run=run, answer__question=trust)
                     .values_list("pk", "primary__key", "confidence"))
    return {"themes": themes, "codings": codings}


def apply_url(trust) -> str:
    return reverse("workbench:apply-rest", args=["policing-a", trust.pk])


# --- what a decision captures --------------------------------------------------------------------


def test_it_renames_the_label_and_summary_and_undoes_both(run, trust, analyst):
    from consulta.web.workbench import edits

    Theme.objects.filter(run=run, question=trust, key="t01").update(summary="Old summary.")
    decision = edits.rename(edit(run, trust, analyst), "t01", "Night patrols", "Too few.")
    t01 = Theme.objects.get(run=run, question=trust, key="t01")
    assert (t01.label, t01.summary, t01.description) == ("Night patrols", "Too few.", "Too few.")
    edits.undo(edit(run, trust, analyst), decision)
    t01.refresh_from_db()
    assert (t01.label, t01.summary) == ("About patrols", "Old summary.")


def test_it_brings_back_a_deleted_themes_summary_stance_and_counts(run, trust, analyst):
    from consulta.web.workbench import edits

    Theme.objects.filter(run=run, question=trust, key="t03").update(
        summary="Systems fail.", stance="against", respondents=13, campaign_share=0.25)
    decision = edits.delete(edit(run, trust, analyst, reason="Not a theme"), "t03")
    assert not Theme.objects.filter(run=run, question=trust, key="t03").exists()
    edits.undo(edit(run, trust, analyst), decision)
    t03 = Theme.objects.get(run=run, question=trust, key="t03")
    assert (t03.summary, t03.stance, t03.respondents, t03.campaign_share) == (
        "Systems fail.", "against", 13, 0.25)


# --- apply to the rest ---------------------------------------------------------------------------


def test_it_recodes_the_rest_and_never_a_persons_answer(run, trust, codings, analyst):
    chosen = code_first(run, trust, analyst, codings)
    decision = learning.apply_to_rest(edit(run, trust, analyst, reason="learn"))

    assert decision.action == Decision.Action.APPLY
    assert {c.pk: keys_of(c) for c in codings[:12]} == chosen  # people's codes untouched
    assert all(not c.coded_themes.filter(source=CodedTheme.Source.ANALYST).exists()
               for c in codings[12:])
    # The machine had every seventh triple wrong; learnt from people, it gets them right.
    for i in (18, 19, 20, 39, 40, 41):
        codings[i].refresh_from_db()
        assert codings[i].primary.key == TOPIC_OF[i % 3]
    entry = LogEntry.objects.filter(additional_data__event__kind="workbench").get()
    assert entry.additional_data["event"]["action"] == "apply"
    assert "applied people's codes (12 examples) to 30 answers" == decision.summary


def test_it_undoes_apply_to_the_rest_exactly(run, trust, codings, analyst):
    from consulta.web.workbench import edits

    code_first(run, trust, analyst, codings)
    before = picture(run, trust)
    decision = learning.apply_to_rest(edit(run, trust, analyst))
    assert picture(run, trust) != before
    edits.undo(edit(run, trust, analyst), decision)
    assert picture(run, trust) == before


def test_it_needs_examples_of_two_themes(run, trust, codings, analyst):
    code(run, trust, analyst, codings[0], ["t01"])
    with pytest.raises(Refused, match="two themes"):
        learning.apply_to_rest(edit(run, trust, analyst))
    assert not Decision.objects.filter(action=Decision.Action.APPLY).exists()


# The worker runs with its own transactions, as in production (PostgreSQL closes
# a connection shared with a test's open transaction).
@pytest.mark.django_db(transaction=True)
def test_it_queues_apply_to_the_rest_for_the_worker(run, trust, codings, analyst, tmp_path):
    code_first(run, trust, analyst, codings)
    client = signed_in(analyst)
    response = client.post(apply_url(trust), {"run": run.pk, "version": version(run, trust)})
    assert response.status_code == 302
    assert not Decision.objects.filter(action=Decision.Action.APPLY).exists()
    assert main(["worker", "--batch", "--data-dir", str(tmp_path)]) == 0
    decision = Decision.objects.get(action=Decision.Action.APPLY)
    assert decision.user == analyst
    assert "codes (12 examples) to 30 answers" in client.get(
        reverse("workbench:question", args=["policing-a", trust.pk])).content.decode()


# The worker runs with its own transactions, as in production (PostgreSQL closes
# a connection shared with a test's open transaction).
@pytest.mark.django_db(transaction=True)
def test_it_says_on_the_question_page_when_the_queued_apply_is_refused(run, trust, codings,
                                                                       analyst, tmp_path):
    code_first(run, trust, analyst, codings)
    client = signed_in(analyst)
    question = reverse("workbench:question", args=["policing-a", trust.pk])
    client.post(apply_url(trust), {"run": run.pk, "version": version(run, trust)})
    assert "waiting for the background worker" in client.get(question).content.decode()
    # Meanwhile people's examples go (their reviews and codes), so the worker refuses.
    Review.objects.all().delete()
    CodedTheme.objects.filter(source=CodedTheme.Source.ANALYST).update(
        source=CodedTheme.Source.MODEL)
    assert main(["worker", "--batch", "--data-dir", str(tmp_path)]) == 0
    html = client.get(question).content.decode()
    assert "changed nothing: it was refused" in html and "at least two themes" in html
    assert not Decision.objects.filter(action=Decision.Action.APPLY).exists()


def test_it_says_when_apply_to_the_rest_gives_up_after_conflicts(run, trust, codings, analyst,
                                                                 monkeypatch):
    def always_changed(edit, **options):
        raise Conflict([])

    monkeypatch.setattr(learning, "apply_to_rest", always_changed)
    result = learning.run_queued(run.pk, trust.pk, analyst.pk)
    assert result["status"].startswith("skipped")
    state = QuestionState.objects.get(run=run, question=trust)
    assert state.apply_status == ApplyStatus.GAVE_UP and state.apply_at
    html = signed_in(analyst).get(reverse("workbench:question", args=["policing-a", trust.pk])
                                  ).content.decode()
    assert "changed nothing" in html and "apply it again" in html


def test_it_refuses_apply_to_the_rest_without_examples(run, trust, analyst):
    response = signed_in(analyst).post(apply_url(trust), {"run": run.pk, "version": 0},
                                       follow=True)
    assert "at least two themes" in response.content.decode()


def test_it_guards_apply_to_the_rest(run, trust, codings, analyst, outsider):
    code_first(run, trust, analyst, codings)
    assert signed_in(outsider).post(apply_url(trust), {"run": run.pk, "version": 0}
                                    ).status_code == 404
    client = signed_in(analyst)
    assert client.get(apply_url(trust)).status_code == 405
    missing = reverse("workbench:apply-rest", args=["policing-a", 999999])
    assert client.post(missing, {"run": run.pk, "version": 0}).status_code == 404
    from consulta.web.workbench import edits

    edits.rename(edit(run, trust, analyst), "t01", "Night patrols", "")
    stale = client.post(apply_url(trust), {"run": run.pk, "version": 0})
    assert stale.status_code == 409


# --- a new analysis run keeps what people decided -----------------------------------------------


def test_a_new_run_keeps_names_merges_and_codes_and_codes_late_answers(consultation, analyst):
    from analysis_answers import add_answers, submit
    from consulta.web.analysis.services import analyse_consultation
    from consulta.web.consultations.models import Question
    from consulta.web.workbench import edits
    from consulta.web.workbench.models import Review

    made = add_answers(consultation)
    first = analyse_consultation(consultation, embedder="tfidf")
    trust = Question.objects.get(key="trust")
    keys = sorted(Theme.objects.filter(run=first, question=trust)
                  .exclude(key="other").values_list("key", flat=True))
    tops, subs = [k for k in keys if "." not in k], [k for k in keys if "." in k]
    assert len(tops) >= 2 and len(subs) >= 2  # broad themes with sub-themes
    edits.rename(edit(first, trust, analyst), tops[0], "Night patrols", "Too few at night.")
    edits.merge(edit(first, trust, analyst), subs[1], subs[0])
    mine = Coding.objects.get(run=first, answer=made["partners"][3])
    code(first, trust, analyst, mine, [tops[1]])
    frame = set(Theme.objects.filter(run=first, question=trust).values_list("key", flat=True))
    challenges_before = set(Theme.objects.filter(run=first, question__key="challenges")
                            .values_list("key", flat=True))

    partners = trust.phase
    late = [submit(partners, trust, text, 90 + n, consent="full",
                   organisation=made["partners"][0].response.organisation)
            for n, text in enumerate(["Patrols at night are too few near the hospital.",
                                      "Officers visiting schools builds trust on the estate."])]
    second = analyse_consultation(consultation, embedder="tfidf")

    themes = {t.key: t for t in Theme.objects.filter(run=second, question=trust)}
    assert set(themes) == frame  # no new machine theme, the merged-away one stays gone
    assert (themes[tops[0]].label, themes[tops[0]].summary) == ("Night patrols",
                                                                "Too few at night.")
    assert subs[1] not in themes and themes[subs[0]].parent.key == tops[0]
    kept = Coding.objects.get(run=second, answer=made["partners"][3])
    assert keys_of(kept) == {tops[1]}
    assert set(kept.coded_themes.values_list("source", flat=True)) == {"analyst"}
    assert Review.objects.filter(run=second, answer=made["partners"][3], user=analyst).exists()
    for answer in late:
        coding = Coding.objects.get(run=second, answer=answer)
        assert coding.primary is not None and coding.primary.key in frame
    assert second.summary["kept_by_people"] == [trust.pk]
    # The question no one touched is analysed afresh, as before.
    assert set(Theme.objects.filter(run=second, question__key="challenges")
               .values_list("key", flat=True)) == challenges_before

    third = analyse_consultation(consultation, embedder="tfidf")  # kept once, kept again
    assert set(Theme.objects.filter(run=third, question=trust).values_list("key", flat=True)
               ) == frame
