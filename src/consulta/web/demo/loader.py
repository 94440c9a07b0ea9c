"""Loading the seed consultation with its demo network and responses.

The demo is built as an export document and restored with the same importer that
``consulta import consultation`` uses, so the demo exercises the real import path.
Dates are relative to the moment the demo is created: phase 1 has closed, phase 2 is open.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, time, timedelta
from importlib import resources

from django.db import transaction
from django.utils import timezone

from consulta.web.consultations.models import Consultation
from consulta.web.demo import seed
from consulta.web.demo.invitations import partner_invitations
from consulta.web.interchange.exporter import FORMAT, FORMAT_VERSION, timestamp
from consulta.web.interchange.importer import import_consultations
from consulta.web.responses.models import Response, new_reference


def read_data_file(name: str) -> dict:
    return json.loads(resources.files("consulta.web.demo").joinpath("data", name).read_text("utf-8"))


def phase_windows(now: datetime) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """Phase 1 ran 12 to 6 weeks ago; phase 2 opened 5 weeks ago and closes in 4 weeks."""
    today = timezone.localtime(now).date()
    zone = timezone.get_current_timezone()

    def at(days: int, hour: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=zone)

    return (at(-84, 9), at(-42, 17)), (at(-35, 9), at(28, 17))


def _moments(count: int, start: datetime, end: datetime, rng: random.Random) -> list[datetime]:
    """Submission times as consultations see them: a launch peak and a rush before closing."""
    span = (end - start).total_seconds()
    moments = []
    for _ in range(count):
        shape = rng.choice(["launch", "steady", "steady", "deadline"])
        fraction = {
            "launch": rng.betavariate(1.2, 6),
            "steady": rng.random(),
            "deadline": rng.betavariate(6, 1.2),
        }[shape]
        moments.append(start + timedelta(seconds=fraction * span))
    return sorted(moments)


def _answers(answers: dict, keys: list[str]) -> list[dict]:
    out = []
    for key in keys:
        value = answers.get(key, "")
        if value:
            out.append({"question": key, "text": value, "choices": []})
    return out


def _response(reference: str, submitted: datetime, item: dict, rng: random.Random) -> dict:
    writing_minutes = rng.randint(4, 90)
    return {
        "reference": reference,
        "status": "submitted",
        "channel": item.get("channel", "web"),
        "created_at": timestamp(submitted - timedelta(minutes=writing_minutes)),
        "submitted_at": timestamp(submitted),
        "consent": Response.Consent.parse(item["consent"]).value,
    }


def _references(count: int) -> list[str]:
    references: set[str] = set()
    while len(references) < count:
        references.add(new_reference())
    return sorted(references)


def internal_responses(window, rng: random.Random) -> list[dict]:
    items = [r for name in seed.INTERNAL_FILES for r in read_data_file(name)["responses"]]
    rng.shuffle(items)
    moments = _moments(len(items), *window, rng)
    keys = [q["key"] for q in seed.INTERNAL_PHASE["questions"] if q["key"] != "years_service"]
    responses = []
    for item, moment, reference in zip(items, moments, _references(len(items))):
        answers = _answers(item["answers"], keys)
        if item.get("years_service"):
            answers.insert(0, {"question": "years_service", "text": "",
                               "choices": [item["years_service"]]})
        responses.append({
            **_response(reference, moment, item, rng),
            "role": item["role"], "organisation": None, "on_behalf": False,
            "respondent": None, "answers": answers,
        })
    return responses


def partner_network() -> tuple[list[dict], list[dict], list[dict]]:
    """Organisations, people and raw responses from the partner data files."""
    organisations, people, responses = [dict(seed.HOST_ORGANISATION)], [], []
    for name in seed.PARTNER_FILES:
        data = read_data_file(name)
        organisations.extend(data["organisations"])
        responses.extend(data["responses"])
    for org in organisations:
        for person in org.pop("people", []):
            people.append({**person, "organisation": org["name"]})
    return organisations, people, responses


def partner_responses(items: list[dict], people: list[dict], window, now, rng) -> list[dict]:
    by_email = {person["email"]: person for person in people}
    items = list(items)
    rng.shuffle(items)
    # Phase 2 is still open: nobody can have answered after "now".
    # Invitations went out just after opening (demo/invitations.py); answers came after them.
    start = window[0] + timedelta(hours=2)
    moments = _moments(len(items), start, min(window[1], now - timedelta(hours=1)), rng)
    keys = [q["key"] for q in seed.PARTNER_PHASE["questions"]]
    responses = []
    for item, moment, reference in zip(items, moments, _references(len(items))):
        person = by_email.get(item.get("respondent_email") or "")
        responses.append({
            **_response(reference, moment, item, rng),
            "role": None,
            "organisation": item["organisation"],
            "on_behalf": bool(item.get("on_behalf")),
            "respondent": (
                {"name": person["name"], "email": person["email"], "linked_to_person": True}
                if person else None
            ),
            "answers": _answers(item["answers"], keys),
        })
    return responses


def _phase(definition: dict, number: int, window, audience, responses) -> dict:
    questions = [
        {"context": "", "kind": "long_text", "required": False, "options": [],
         "max_length": 20_000, **question}
        for question in definition["questions"]
    ]
    return {
        "number": number, "name": definition["name"], "audience": definition["audience"],
        "anonymity": definition["anonymity"], "opens_at": timestamp(window[0]),
        "closes_at": timestamp(window[1]), "intro": definition["intro"],
        "questions": questions, "audience_members": audience, "responses": responses,
    }


def build_document(now: datetime) -> dict:
    rng = random.Random(2014)  # the seed consultation launched in November 2014
    internal_window, partner_window = phase_windows(now)
    organisations, people, raw_partner_responses = partner_network()
    partner_audience = [
        {"organisation": None,
         "person": {"name": p["name"], "email": p["email"], "organisation": p["organisation"]}}
        for p in people
    ]
    answers_from_partners = partner_responses(raw_partner_responses, people, partner_window,
                                              now, rng)
    phases = [
        _phase(seed.INTERNAL_PHASE, 1, internal_window,
               [{"organisation": seed.HOST_ORGANISATION["name"], "person": None}],
               internal_responses(internal_window, rng)),
        _phase(seed.PARTNER_PHASE, 2, partner_window, partner_audience, answers_from_partners),
    ]
    phases[1]["invitations"] = partner_invitations(people, answers_from_partners,
                                                   partner_window[0], now)
    consultation = {
        **seed.CONSULTATION, "status": "open", "created_at": timestamp(internal_window[0]),
        "roles": list(seed.ROLES), "organisations": organisations, "people": people,
        "phases": phases,
    }
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "consultations": [consultation]}


def load_demo(now: datetime | None = None) -> tuple[Consultation, bool]:
    """The seed consultation, loaded if absent. Returns it and whether it was created now."""
    existing = Consultation.objects.filter(slug=seed.SLUG).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        [consultation] = import_consultations(build_document(now or timezone.now()))
    return consultation, True
