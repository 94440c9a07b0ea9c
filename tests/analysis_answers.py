"""Submitted answers in three clear topics for the consultation of tests/conftest.py.

Phase 2's "trust" question gets 42 answers (14 each about night patrols, schools and data
systems) from the ambulance service (public sector) and the charity (voluntary sector); phase 1's
"challenges" gets 15 anonymous answers from staff in three roles. Consent cycles full,
anonymous, none, so every third response may not be quoted. Texts are short (under 140
characters), so a theme description's example is a whole answer. Nothing is random.
"""

from __future__ import annotations

from datetime import timedelta

from conftest import T0
from consulta.web.consultations.models import Consultation, Question
from consulta.web.responses.models import Answer, Response
from consulta.web.stakeholders.models import Organisation

TOPICS = {
    "patrols": [
        "There are too few officers on patrol at night",
        "Response times at night are far too slow",
        "We wait hours for officers to come after a call at night",
        "Night shifts are short staffed and the officers are stretched",
        "Patrols at night have been cut and nobody comes when we call",
    ],
    "schools": [
        "Officers visiting schools to talk with pupils builds trust",
        "The schools programme where officers meet young people works well",
        "Young people trust officers they have met at school and youth clubs",
        "More school visits and youth club sessions by officers would help",
        "Pupils remember the officer who came to their school assembly",
    ],
    "data": [
        "Sharing data between agencies is slow because the computer systems do not talk",
        "The records system crashes and information sharing with partners fails",
        "Partners cannot share case data securely because the IT systems differ",
        "Data sharing agreements take months and the databases are out of date",
        "Case records are duplicated across systems so information gets lost",
    ],
}
PLACES = ["in our borough.", "near the hospital.", "on the estate.", "in the town centre.",
          "across the district.", "by the station.", "around the market."]
CONSENTS = [Response.Consent.FULL, Response.Consent.ANONYMOUS, Response.Consent.NONE]


def topic_texts(per_topic: int = 14, start: int = 0) -> list[tuple[str, str]]:
    """(topic, text) pairs, topics interleaved; distinct for any i below 35 (5 x 7 pairs)."""
    return [
        (topic, f"{sentences[i % len(sentences)]} {PLACES[i % len(PLACES)]}")
        for i in range(start, start + per_topic) for topic, sentences in TOPICS.items()
    ]


def submit(phase, question: Question, text: str, number: int, *, consent, organisation=None,
           role=None, status=Response.Status.SUBMITTED) -> Answer:
    response = Response.objects.create(
        phase=phase, reference=f"T{number:03d}-TEST", status=status, consent=consent,
        organisation=organisation, role=role, created_at=T0,
        submitted_at=T0 + timedelta(minutes=number) if status == Response.Status.SUBMITTED
        else None,
    )
    return Answer.objects.create(response=response, question=question, text=text)


def add_answers(consultation: Consultation) -> dict[str, list[Answer]]:
    """The answers, by kind: "partners", "internal", "unquotable" (consent none), "empty"."""
    internal, partners = consultation.phases.all()
    trust = partners.questions.get(key="trust")
    challenges = internal.questions.get(key="challenges")
    organisations = list(Organisation.objects.filter(consultation=consultation).order_by("name"))
    roles = list(consultation.roles.all())
    made: dict[str, list[Answer]] = {"partners": [], "internal": [], "unquotable": [],
                                     "empty": []}
    number = 0
    for number, (_, text) in enumerate(topic_texts(), start=1):
        answer = submit(partners, trust, text, number, consent=CONSENTS[number % 3],
                        organisation=organisations[number % 2])
        made["partners"].append(answer)
    for index, (_, text) in enumerate(topic_texts(5, start=14)):
        number += 1
        answer = submit(internal, challenges, text, number, consent=CONSENTS[number % 3],
                        role=roles[index % 3])
        made["internal"].append(answer)
    for answers in (made["partners"], made["internal"]):
        made["unquotable"] += [a for a in answers if a.response.consent == Response.Consent.NONE]
    # Kept but never themed; a blank answer is not analysed at all; a draft is not analysed.
    made["empty"].append(submit(partners, trust, "n/a", number + 1,
                                consent=Response.Consent.FULL, organisation=organisations[0]))
    submit(partners, trust, "", number + 2, consent=Response.Consent.FULL)
    submit(partners, trust, "A draft about night patrols by the station.", number + 3,
           consent=Response.Consent.FULL, status=Response.Status.DRAFT)
    return made
