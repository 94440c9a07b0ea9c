"""Invitation histories for the demo's partner phase, so monitoring has a funnel to show.

Everyone who answered under their own name was invited and went through the journey. Of the
contacts who have not answered, some were invited (a few bounced), and at least ten are left
uninvited, so that `consulta invite` on a fresh demo has people to invite.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils.dateparse import parse_datetime

from consulta.web.interchange.exporter import timestamp

UNINVITED_AT_LEAST = 12
BOUNCE_REASONS = ["550 5.1.1 No such user", "550 5.7.1 Message rejected by recipient policy"]


def _invitation(person: dict, sent: datetime, **moments) -> dict:
    return {
        "person": {"name": person["name"], "email": person["email"],
                   "organisation": person["organisation"]},
        "organisation": person["organisation"],
        "created_at": timestamp(sent - timedelta(minutes=5)),
        "sent_at": timestamp(sent) if not moments.get("bounced_at") else None,
        "opened_at": None, "started_at": None, "submitted_at": None, "bounced_at": None,
        "reminded_at": None, "send_count": 1, "reminder_count": 0, "bounce_reason": "",
        "response": None,
        **{k: timestamp(v) if isinstance(v, datetime) else v for k, v in moments.items()},
    }


def _answered(person, response, sent, rng) -> dict:
    started = parse_datetime(response["created_at"])
    submitted = parse_datetime(response["submitted_at"])
    opened = sent + (started - sent) * rng.uniform(0.2, 0.95)
    moments = {"opened_at": opened, "started_at": started, "submitted_at": submitted,
               "response": response["reference"]}
    if submitted - sent > timedelta(days=14):
        moments.update(reminded_at=sent + timedelta(days=14), reminder_count=1)
    return _invitation(person, sent, **moments)


def _silent(person, index: int, sent: datetime, now: datetime) -> dict:
    if index % 7 == 3:
        return _invitation(person, sent, bounced_at=sent,
                           bounce_reason=BOUNCE_REASONS[index % len(BOUNCE_REASONS)])
    reminded = {"reminded_at": min(sent + timedelta(days=14), now), "reminder_count": 1}
    if index % 2:
        return _invitation(person, sent, opened_at=sent + timedelta(hours=20 + index), **reminded)
    return _invitation(person, sent, **reminded)


def partner_invitations(people: list[dict], responses: list[dict], opens_at: datetime,
                        now: datetime) -> list[dict]:
    rng = random.Random(2015)
    sent = opens_at + timedelta(minutes=5)
    first_response = {}
    for response in responses:
        email = (response.get("respondent") or {}).get("email")
        if email and email not in first_response:
            first_response[email] = response
    invitations = [
        _answered(person, first_response[person["email"]], sent, rng)
        for person in people if person["email"] in first_response
    ]
    silent = [p for p in people if p["email"] and p["email"] not in first_response]
    invited = silent[: max(0, len(silent) - UNINVITED_AT_LEAST)]
    invitations += [_silent(person, i, sent, now) for i, person in enumerate(invited)]
    return invitations
