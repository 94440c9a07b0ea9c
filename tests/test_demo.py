"""The demo: the seed consultation with a realistic network and 400+ varied responses."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from consulta.web.consultations.models import Phase
from consulta.web.demo import seed
from consulta.web.demo.loader import build_document, load_demo
from consulta.web.responses.models import Answer, Respondent, Response
from consulta.web.stakeholders.models import Organisation, Person

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"


@pytest.fixture(scope="module")
def document() -> dict:
    return build_document(NOW)


def normalise(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def test_it_words_the_partner_questions_as_the_seed_does(document):
    if not SEED_DIR.is_dir():
        pytest.skip("../shared/seed is not beside this checkout")
    seed_text = normalise(" ".join(p.read_text() for p in SEED_DIR.glob("*.txt")))
    questions = document["consultations"][0]["phases"][1]["questions"]
    assert len(questions) == 4
    for question in questions:
        assert normalise(question["title"]) in seed_text
        assert normalise(question["context"]) in seed_text


def test_it_closes_phase_one_and_keeps_phase_two_open(document):
    internal, partners = document["consultations"][0]["phases"]
    now = NOW.isoformat().replace("+00:00", "Z")
    assert internal["closes_at"] < now < partners["closes_at"]
    assert partners["opens_at"] < now
    assert all(r["submitted_at"] < now for r in partners["responses"])
    assert all(internal["opens_at"] <= r["submitted_at"] <= internal["closes_at"]
               for r in internal["responses"])


def test_it_builds_the_same_answers_every_time(document):
    again = build_document(NOW)["consultations"][0]["phases"]
    texts = [[a["text"] for r in p["responses"] for a in r["answers"]] for p in again]
    assert texts == [
        [a["text"] for r in p["responses"] for a in r["answers"]]
        for p in document["consultations"][0]["phases"]
    ]


def all_answers(document) -> list[str]:
    return [
        answer["text"]
        for phase in document["consultations"][0]["phases"]
        for response in phase["responses"]
        for answer in response["answers"]
        if answer["text"]
    ]


def test_it_varies_answer_length_from_a_line_to_paragraphs(document):
    words = [len(text.split()) for text in all_answers(document)]
    assert sum(w < 20 for w in words) / len(words) >= 0.10
    assert sum(w > 200 for w in words) / len(words) >= 0.03
    assert min(words) <= 6 and max(words) >= 400


def test_it_repeats_no_template(document):
    """No answer is repeated, and hardly any share a run of eight words with another."""
    texts = all_answers(document)
    assert len(set(texts)) == len(texts)
    first_seen: dict[tuple, int] = {}
    sharing: set[int] = set()
    for index, text in enumerate(texts):
        words = re.findall(r"\w+", text.lower())
        for start in range(len(words) - 7):
            shingle = tuple(words[start:start + 8])
            owner = first_seen.setdefault(shingle, index)
            if owner != index:
                sharing.update({owner, index})
    assert len(sharing) / len(texts) <= 0.02


@pytest.mark.django_db
def test_it_loads_the_seed_consultation_once():
    consultation, created = load_demo(NOW)
    assert created
    phases = list(consultation.phases.order_by("position"))
    assert [p.audience for p in phases] == [Phase.Audience.INTERNAL, Phase.Audience.PARTNERS]
    assert phases[0].state(NOW) == "closed" and phases[1].state(NOW) == "open"
    submitted = Response.objects.filter(phase__consultation=consultation, status="submitted")
    assert submitted.count() >= 400
    assert submitted.filter(phase=phases[0]).count() >= 150
    assert submitted.filter(phase=phases[1]).count() >= 150
    counts = (Response.objects.count(), Answer.objects.count(), Organisation.objects.count())

    again, created_again = load_demo(NOW)
    assert (again, created_again) == (consultation, False)
    assert (Response.objects.count(), Answer.objects.count(),
            Organisation.objects.count()) == counts


@pytest.mark.django_db
def test_it_spreads_responses_over_sectors_roles_and_a_large_network():
    consultation, _ = load_demo(NOW)
    internal, partners = consultation.phases.order_by("position")
    organisations = Organisation.objects.filter(consultation=consultation)
    assert organisations.count() >= 60
    assert {"public", "private", "voluntary", "academic"} <= set(
        organisations.values_list("sector", flat=True)
    )
    answered = set(partners.responses.values_list("organisation__sector", flat=True))
    assert {"public", "private", "voluntary"} <= answered
    roles = set(internal.responses.values_list("role__name", flat=True))
    assert roles == set(seed.ROLES)
    assert not Respondent.objects.filter(response__phase=internal).exists()
    assert not internal.responses.exclude(organisation=None).exists()


@pytest.mark.django_db
def test_it_leaves_partner_contacts_who_have_not_answered():
    consultation, _ = load_demo(NOW)
    silent = Person.objects.filter(consultation=consultation, responses=None).exclude(email="")
    assert silent.count() >= 10


@pytest.mark.django_db
def test_it_gives_the_partner_phase_an_invitation_history():
    from consulta.web.outreach.models import Invitation

    consultation, _ = load_demo(NOW)
    partners = consultation.phases.get(position=2)
    invitations = Invitation.objects.filter(phase=partners)
    statuses = {invitation.status for invitation in invitations}
    assert {"submitted", "opened", "sent", "bounced"} <= statuses
    # Every named partner response came through its own invitation.
    for invitation in invitations.exclude(response=None):
        assert invitation.response.respondent.person == invitation.person
        assert invitation.sent_at <= invitation.opened_at <= invitation.started_at
        assert invitation.started_at <= invitation.submitted_at <= NOW
    uninvited = Person.objects.filter(consultation=consultation, invitations=None,
                                      responses=None).exclude(email="")
    assert uninvited.count() >= 10
