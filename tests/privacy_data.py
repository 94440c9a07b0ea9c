"""Dana Okafor, present everywhere a person can be: for the erasure and retention tests.

Used in-process and by the subprocess tests (which import it with the tests folder on the path
and call ``seed_file_database``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from consulta.web.outreach.models import Invitation, InvitationToken
from consulta.web.respond.drafts import new_access, start_draft, submit
from consulta.web.responses.models import Answer, DraftAccess, Response
from consulta.web.stakeholders.models import AudienceMember, Person
from consulta.web.tokens import hash_token

EMAIL = "dana@eastvale-ambulance.example"
NAME = "Dana Okafor"
SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# A fixed invitation link, so a test in another process can open it.
INVITATION_TOKEN = "fixed-invitation-token-for-dana-okafor-0123456789abcdef"
DRAFT_TOKEN = "fixed-draft-token-of-an-open-partner-draft-0123456789ab"


def answer(response: Response, key: str, text: str) -> Answer:
    question = response.phase.questions.get(key=key)
    return Answer.objects.create(response=response, question=question, text=text)


def seed_dana(consultation) -> dict:
    """Dana in the network (edited, so the audit trail names her), in both phases' audiences,
    unsubscribed; invited to both phases with links; a submitted identified response; an
    anonymous draft shared with a colleague; and a colleague's answer quoting her address."""
    internal, partners = consultation.phases.order_by("position")
    dana = Person.objects.get(consultation=consultation, email=EMAIL)
    dana.job_title = "Director of Operations"
    dana.unsubscribed_at = SENT
    dana.save()  # through the ORM, as the back office does: audited with her name
    for phase in (internal, partners):
        AudienceMember.objects.create(phase=phase, person=dana)
    invited = Invitation.objects.create(phase=partners, person=dana, sent_at=SENT,
                                        organisation=dana.organisation)
    InvitationToken.objects.create(invitation=invited, token_hash=hash_token(INVITATION_TOKEN))
    submitted, _ = start_draft(partners, invitation=invited, organisation=dana.organisation)
    answer(submitted, "trust", "Be visible in the community.")
    submit(submitted)
    drafted = Invitation.objects.create(phase=internal, person=dana, sent_at=SENT)
    InvitationToken.objects.create(invitation=drafted, token_hash=hash_token("second-link"))
    draft, _ = start_draft(internal, invitation=drafted)
    new_access(draft, DraftAccess.Purpose.SHARED)
    answer(draft, "challenges", "Words still being written.")
    quoting, _ = start_draft(partners)
    answer(quoting, "trust", f"Ask {EMAIL} for the figures.")
    submit(quoting)
    submitted.refresh_from_db()
    return {"person": dana, "submitted": submitted, "draft": draft, "quoting": quoting}


#: For a subprocess (``python -c``): set Django up on $CONSULTA_DATA_DIR, then run ``then``.
SCRIPT = ("import argparse, sys; sys.path.insert(0, {tests!r}); "
          "from consulta.cli.common import setup; setup(argparse.Namespace(data_dir=None)); "
          "import privacy_data; {then}")


def seed_file_database() -> None:
    """The test consultation with Dana, in the data directory's database (Django set up)."""
    from django.contrib.auth.models import User

    from conftest import make_consultation
    from consulta.web.analysis.models import AnalysisRun

    consultation = make_consultation("policing-a", "Policing A")
    seed_dana(consultation)
    draft, _ = start_draft(consultation.phases.get(position=2))
    DraftAccess.objects.create(response=draft, token_hash=hash_token(DRAFT_TOKEN),
                               expires_at=draft.phase.closes_at)
    User.objects.create_user("alice", "alice@example.org", "correct horse battery")
    AnalysisRun.objects.create(consultation=consultation, status=AnalysisRun.Status.DONE)


def open_links() -> None:
    """Print the status of Dana's invitation link and of an open draft's link."""
    from django.test import Client

    client = Client()
    for link in (f"/i/{INVITATION_TOKEN}/", f"/r/{DRAFT_TOKEN}/"):
        print(link[:3], client.get(link).status_code)
