"""The questions of a phase: listing, adding, editing, deleting and reordering."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consulta.web.consultations.models import AGREEMENT_SCALE, Question
from consulta.web.responses.models import Answer, Response

VALID = {"title": "What should change first?", "key": "", "context": "Line one\nLine two",
         "kind": "long_text", "options": "", "max_length": ""}


def url(name: str, number: int = 2, **kwargs) -> str:
    return reverse(f"consultations:{name}", kwargs={"slug": "policing-a", "number": number,
                                                    **kwargs})


def keys(phase) -> list[str]:
    return list(phase.questions.values_list("key", flat=True))


def positions(phase) -> list[int]:
    return list(phase.questions.values_list("position", flat=True))


@pytest.fixture
def partners(consultation):
    return consultation.phases.get(position=2)


# The list --------------------------------------------------------------------------------------


def test_it_sends_signed_out_visitors_to_sign_in(client, consultation):
    assert client.get(url("questions"))["Location"].startswith(reverse("accounts:login"))


def test_it_lists_questions_in_order_with_controls(client, organiser, partners):
    client.force_login(organiser)
    html = client.get(url("questions")).content.decode()
    titles = [q.title for q in partners.questions.all()]
    assert [html.index(t) for t in titles] == sorted(html.index(t) for t in titles)
    assert html.count('value="up"') == 2 and html.count('value="down"') == 2
    assert url("question-edit", pk=partners.questions.first().pk) in html


def test_it_lists_questions_read_only_for_analysts(client, analyst, partners):
    client.force_login(analyst)
    html = client.get(url("questions")).content.decode()
    assert "How can the service build trust?" in html
    assert 'value="up"' not in html and "Add a question" not in html


def test_it_hides_questions_from_outsiders(client, outsider, partners):
    client.force_login(outsider)
    assert client.get(url("questions")).status_code == 404
    assert client.get(url("question-new")).status_code == 404


def test_it_forbids_the_form_pages_to_analysts(client, analyst, partners):
    client.force_login(analyst)
    assert client.get(url("question-new")).status_code == 403
    pk = partners.questions.first().pk
    assert client.get(url("question-edit", pk=pk)).status_code == 403


# Create ----------------------------------------------------------------------------------------


def test_it_adds_a_question_with_a_key_from_its_title(client, organiser, partners):
    client.force_login(organiser)
    response = client.post(url("question-create"), VALID)
    assert response["Location"] == url("questions")
    question = partners.questions.last()
    assert (question.position, question.key) == (4, "what_should_change_first")
    assert (question.context, question.max_length) == ("Line one\nLine two", 20_000)


def test_it_gives_a_derived_key_a_suffix_when_taken(client, organiser, partners):
    client.force_login(organiser)
    client.post(url("question-create"), {**VALID, "title": "Trust"})
    assert keys(partners)[-1] == "trust_2"


def test_it_rejects_a_key_already_used_in_the_phase(client, organiser, partners):
    client.force_login(organiser)
    response = client.post(url("question-create"), {**VALID, "key": "trust"})
    assert response.status_code == 400
    assert '<a href="#id_key">Another question in this phase uses this key.</a>' in (
        response.content.decode()
    )
    assert len(keys(partners)) == 3


def test_it_allows_a_key_used_in_another_phase(client, organiser, partners):
    client.force_login(organiser)
    client.post(url("question-create"), {**VALID, "key": "challenges"})
    assert keys(partners)[-1] == "challenges"


@pytest.mark.parametrize(
    "kind, options, stored",
    [
        ("multiple_choice", " Prevention \n\nResponse\n", ["Prevention", "Response"]),
        ("agreement_scale", "", AGREEMENT_SCALE),
        ("agreement_scale", "Yes\nNo", ["Yes", "No"]),
        ("short_text", "ignored\nlines", []),
    ],
)
def test_it_stores_options_one_per_line(client, organiser, partners, kind, options, stored):
    client.force_login(organiser)
    client.post(url("question-create"), {**VALID, "kind": kind, "options": options})
    assert partners.questions.last().options == stored


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"kind": "single_choice", "options": ""}, "options", "at least two options"),
        ({"kind": "single_choice", "options": "A\nA"}, "options", "must be different"),
        ({"max_length": "19999"}, "max_length", "between 20,000 and 100,000"),
        ({"max_length": "100001"}, "max_length", "between 20,000 and 100,000"),
        ({"kind": "short_text", "max_length": "20001"}, "max_length", "Use long text"),
        ({"title": ""}, "title", "This field is required"),
        ({"title": "???"}, "key", "no letters"),
        ({"key": "not a key"}, "key", "valid"),
    ],
)
def test_it_rerenders_invalid_questions(client, organiser, partners, changes, field, message):
    client.force_login(organiser)
    response = client.post(url("question-create"), {**VALID, **changes})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and f'<a href="#id_{field}">' in html
    assert message in html
    assert len(keys(partners)) == 3


@pytest.mark.parametrize("kind, given, stored", [("long_text", "", 20_000),
                                                 ("long_text", "100000", 100_000),
                                                 ("short_text", "", 500),
                                                 ("short_text", "80", 80)])
def test_it_defaults_and_bounds_max_length(client, organiser, partners, kind, given, stored):
    client.force_login(organiser)
    client.post(url("question-create"), {**VALID, "kind": kind, "max_length": given})
    assert partners.questions.last().max_length == stored


# Permission matrix for the mutating views ------------------------------------------------------

MUTATIONS = ["question-create", "question-update", "question-delete", "question-move"]


def post_to(client, partners, name):
    pk = {} if name == "question-create" else {"pk": partners.questions.first().pk}
    return client.post(url(name, **pk), {**VALID, "direction": "down"})


def snapshot(partners) -> list:
    return list(partners.questions.values_list("position", "key", "title"))


@pytest.mark.parametrize("name", MUTATIONS)
def test_it_hides_question_changes_from_outsiders(client, outsider, partners, name):
    before = snapshot(partners)
    client.force_login(outsider)
    assert post_to(client, partners, name).status_code == 404
    assert snapshot(partners) == before


@pytest.mark.parametrize("name", MUTATIONS)
def test_it_forbids_question_changes_to_analysts(client, analyst, partners, name):
    before = snapshot(partners)
    client.force_login(analyst)
    assert post_to(client, partners, name).status_code == 403
    assert snapshot(partners) == before


@pytest.mark.parametrize("name", MUTATIONS)
def test_it_refuses_get_on_question_changes(client, organiser, partners, name):
    client.force_login(organiser)
    pk = {} if name == "question-create" else {"pk": partners.questions.first().pk}
    assert client.get(url(name, **pk)).status_code == 405


@pytest.mark.parametrize("name", ["question-edit", "question-update", "question-delete"])
def test_it_404s_questions_of_another_consultation(client, organiser, other_consultation, name):
    foreign = other_consultation.phases.get(position=2).questions.first()
    client.force_login(organiser)
    method = client.get if name == "question-edit" else client.post
    assert method(url(name, pk=foreign.pk), VALID).status_code == 404
    assert Question.objects.filter(pk=foreign.pk, title=foreign.title).exists()


def test_it_404s_a_question_under_the_wrong_phase(client, organiser, partners):
    client.force_login(organiser)
    trust = partners.questions.get(key="trust")
    assert client.get(url("question-edit", number=1, pk=trust.pk)).status_code == 404


# Edit, delete ----------------------------------------------------------------------------------


def test_it_shows_options_one_per_line_when_editing(client, organiser, partners):
    client.force_login(organiser)
    question = partners.questions.get(key="priority")
    html = client.get(url("question-edit", pk=question.pk)).content.decode()
    assert "Prevention\nResponse\nInvestigation</textarea>" in html


def test_it_updates_a_question_keeping_its_place(client, organiser, partners):
    client.force_login(organiser)
    question = partners.questions.get(key="trust")
    data = {**VALID, "key": "trust", "title": "How can trust grow?", "required": "on"}
    response = client.post(url("question-update", pk=question.pk), data)
    assert response["Location"] == url("questions")
    question.refresh_from_db()
    assert (question.title, question.key, question.position) == ("How can trust grow?", "trust", 1)
    assert question.required is True


def test_it_deletes_a_question_and_renumbers(client, organiser, partners):
    client.force_login(organiser)
    client.post(url("question-delete", pk=partners.questions.get(key="trust").pk))
    assert keys(partners) == ["partnership", "priority"]
    assert positions(partners) == [1, 2]


def test_it_refuses_to_delete_a_question_with_answers(client, organiser, partners):
    question = partners.questions.get(key="trust")
    response = Response.objects.create(phase=partners, reference="ANSW-0001")
    Answer.objects.create(response=response, question=question, text="More patrols.")
    client.force_login(organiser)
    page = client.post(url("question-delete", pk=question.pk), follow=True)
    assert "has answers, so it cannot be deleted" in page.content.decode()
    assert partners.questions.filter(pk=question.pk).exists()


# Reordering ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, direction, expected",
    [
        ("partnership", "up", ["partnership", "trust", "priority"]),
        ("partnership", "down", ["trust", "priority", "partnership"]),
        ("trust", "up", ["trust", "partnership", "priority"]),  # already first
        ("priority", "down", ["trust", "partnership", "priority"]),  # already last
    ],
)
def test_it_moves_questions(client, organiser, partners, key, direction, expected):
    client.force_login(organiser)
    question = partners.questions.get(key=key)
    response = client.post(url("question-move", pk=question.pk), {"direction": direction})
    assert response["Location"] == url("questions")
    assert keys(partners) == expected
    assert positions(partners) == [1, 2, 3]


def test_it_closes_gaps_when_moving(client, organiser, partners):
    partners.questions.filter(key="priority").update(position=9)
    client.force_login(organiser)
    client.post(url("question-move", pk=partners.questions.get(key="priority").pk),
                {"direction": "up"})
    assert keys(partners) == ["trust", "priority", "partnership"]
    assert positions(partners) == [1, 2, 3]


def test_it_rejects_an_unknown_direction(client, organiser, partners):
    client.force_login(organiser)
    question = partners.questions.get(key="trust")
    assert client.post(url("question-move", pk=question.pk),
                       {"direction": "sideways"}).status_code == 400
    assert keys(partners) == ["trust", "partnership", "priority"]
