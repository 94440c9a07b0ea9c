"""Changing the stakeholder network by hand: parents without cycles, removing, merging.

A merge moves everything that points at the duplicate onto the one kept, then deletes the
duplicate. It writes one audit entry that says what moved, not one per moved row: the
row-by-row entries django-auditlog would write are switched off for the merge.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.db import transaction

from consulta.web.consultations import audit
from consulta.web.consultations.models import Consultation, Phase
from consulta.web.outreach.models import Invitation
from consulta.web.responses.models import Respondent, Response
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person

# How far an invitation got: when one person had two invitations to a phase, the one that
# got further is kept (the earlier one when they got equally far).
PROGRESS = [
    Invitation.Status.PENDING, Invitation.Status.BOUNCED, Invitation.Status.SENT,
    Invitation.Status.OPENED, Invitation.Status.STARTED, Invitation.Status.SUBMITTED,
]


def parent_map(consultation: Consultation) -> dict[int, int | None]:
    return dict(consultation.organisations.values_list("pk", "parent_id"))


def descendants(organisation: Organisation,
                parents: dict[int, int | None] | None = None) -> set[int]:
    """The pks of every organisation below ``organisation`` (children, their children...)."""
    parents = parent_map(organisation.consultation) if parents is None else parents
    children: dict[int, list[int]] = {}
    for pk, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    found: set[int] = set()
    waiting = list(children.get(organisation.pk, []))
    while waiting:
        pk = waiting.pop()
        if pk not in found:
            found.add(pk)
            waiting.extend(children.get(pk, []))
    return found


@dataclass(frozen=True)
class RemovalImpact:
    """What removing an organisation changes, for its confirmation page."""

    people: int
    invitations: int
    responses: int  # in phases that are not anonymous
    anonymous_responses: int  # shown only from SMALL_GROUP up (see profile.py)
    audiences: int
    children: int


def removal_impact(organisation: Organisation) -> RemovalImpact:
    responses = Response.objects.filter(organisation=organisation)
    anonymous = responses.filter(phase__anonymity=Phase.Anonymity.ANONYMOUS)
    return RemovalImpact(
        people=organisation.people.count(),
        invitations=organisation.invitations.count(),
        responses=responses.exclude(pk__in=anonymous).count(),
        anonymous_responses=anonymous.count(),
        audiences=organisation.audiences.filter(person__isnull=True).count(),
        children=organisation.children.count(),
    )


def remove_organisation(organisation: Organisation) -> None:
    """Delete it. People, invitations, responses and child organisations stay, no longer
    linked to it (the database sets their link to NULL); its own audience places go."""
    organisation.delete()


# --- Merging organisations -------------------------------------------------------------------


def merge_organisations(duplicate: Organisation, kept: Organisation, actor=None) -> dict:
    """Move everything of ``duplicate`` onto ``kept`` and delete ``duplicate``.

    People with the same name and no email in both become one person (the importer tells
    people without an email apart by name within their organisation, so two would clash).
    Returns the counts that the audit entry keeps.
    """
    if duplicate.pk == kept.pk or duplicate.consultation_id != kept.consultation_id:
        raise ValueError("Merge two different organisations of one consultation")
    with transaction.atomic():
        with disable_auditlog():
            counts = _move_organisation(duplicate, kept)
        log_merge(kept.consultation,
                  f"Merged the organisation “{duplicate.name}” into “{kept.name}”.", counts, actor)
    return counts


def _move_organisation(duplicate: Organisation, kept: Organisation) -> dict:
    counts = {"people moved": duplicate.people.count()}
    counts["people merged"] = _merge_namesakes(duplicate, kept)
    counts["people moved"] -= counts["people merged"]
    _adopt_parent(duplicate, kept)
    counts["child organisations moved"] = duplicate.children.exclude(pk=kept.pk).update(
        parent=kept)
    duplicate.people.update(organisation=kept)
    counts["invitations moved"] = duplicate.invitations.update(organisation=kept)
    counts["responses moved"] = duplicate.responses.update(organisation=kept)
    counts["audience places moved"] = _move_organisation_audiences(duplicate, kept)
    if not kept.type and duplicate.type:
        kept.type = duplicate.type
    kept.save()
    duplicate.delete()
    return counts


def _merge_namesakes(duplicate: Organisation, kept: Organisation) -> int:
    kept_people = {p.name.casefold(): p for p in kept.people.filter(email="") if p.name}
    merged = 0
    for person in list(duplicate.people.filter(email="")):
        twin = kept_people.get(person.name.casefold())
        if twin is not None:
            _merge_person_rows(person, twin)
            merged += 1
    return merged


def _adopt_parent(duplicate: Organisation, kept: Organisation) -> None:
    """The kept organisation's parent after the merge, without making a circle.

    Kept below the duplicate: it takes the duplicate's place (its parent). Otherwise it keeps
    its own parent, or takes the duplicate's when it had none and that makes no circle.
    """
    parents = parent_map(kept.consultation)
    below_duplicate = kept.pk in descendants(duplicate, parents)
    orphan_can_adopt = kept.parent_id is None and duplicate.parent_id not in (
        None, kept.pk, *descendants(kept, parents))
    if below_duplicate or orphan_can_adopt:
        kept.parent_id = duplicate.parent_id


def _move_organisation_audiences(duplicate: Organisation, kept: Organisation) -> int:
    """An organisation is in a phase's audience once: the duplicate's place goes where the
    kept one already has one."""
    places = AudienceMember.objects.filter(organisation=duplicate)
    taken = set(AudienceMember.objects.filter(organisation=kept, person__isnull=True)
                .values_list("phase_id", flat=True))
    places.filter(person__isnull=True, phase_id__in=taken).delete()
    return places.update(organisation=kept)


# --- Merging people --------------------------------------------------------------------------


def merge_people(duplicate: Person, kept: Person, actor=None) -> dict:
    """Two rows of the same human: move invitations, audiences and responses onto ``kept``
    and delete ``duplicate``. Returns the counts that the audit entry keeps."""
    if duplicate.pk == kept.pk or duplicate.consultation_id != kept.consultation_id:
        raise ValueError("Merge two different people of one consultation")
    sentence = (f"Merged two records of “{kept}”." if str(duplicate) == str(kept)
                else f"Merged the person “{duplicate}” into “{kept}”.")
    with transaction.atomic():
        with disable_auditlog():
            counts = _merge_person_rows(duplicate, kept)
        log_merge(kept.consultation, sentence, counts, actor)
    return counts


def _merge_person_rows(duplicate: Person, kept: Person) -> dict:
    counts = {"invitations moved": 0, "invitations removed": 0}
    for invitation in list(duplicate.invitations.all()):
        if _merge_invitation(invitation, kept):
            counts["invitations moved"] += 1
        else:
            counts["invitations removed"] += 1
    places = AudienceMember.objects.filter(person=duplicate)
    places.filter(phase_id__in=kept.audiences.values_list("phase_id", flat=True)).delete()
    counts["audience places moved"] = places.update(person=kept)
    counts["responses moved"] = Respondent.objects.filter(person=duplicate).update(person=kept)
    email = duplicate.email
    _fill_blanks(duplicate, kept)
    duplicate.delete()  # first: the kept person may take over its email address
    if not kept.email and email:
        kept.email = email
    kept.save()
    return counts


def _fill_blanks(duplicate: Person, kept: Person) -> None:
    """The kept person keeps what it has and takes what only the duplicate had. An
    unsubscribe on either is kept: they asked for no more email."""
    kept.name = kept.name or duplicate.name
    kept.job_title = kept.job_title or duplicate.job_title
    kept.organisation_id = kept.organisation_id or duplicate.organisation_id
    stops = [at for at in (kept.unsubscribed_at, duplicate.unsubscribed_at) if at]
    kept.unsubscribed_at = min(stops) if stops else None


def _merge_invitation(invitation: Invitation, kept: Person) -> bool:
    """Give the duplicate's invitation to ``kept``; True if it moved, False if the kept
    person's own invitation to that phase stayed instead. Either way the links sent in both
    keep working: the surviving invitation takes the other's tokens."""
    other = Invitation.objects.filter(phase_id=invitation.phase_id, person=kept).first()
    if other is None:
        invitation.person = kept
        invitation.save(update_fields=["person"])
        return True
    survivor, loser = sorted([other, invitation], key=_invitation_rank)
    loser.tokens.update(invitation=survivor)
    if survivor.response_id is None and loser.response_id is not None:
        survivor.response_id = loser.response_id
    loser.delete()
    survivor.person = kept
    survivor.save()
    return survivor.pk == invitation.pk


def _invitation_rank(invitation: Invitation) -> tuple:
    """Sorts first the invitation to keep: the furthest along, then the earliest."""
    return (-PROGRESS.index(invitation.status), invitation.created_at, invitation.pk)


def log_merge(consultation: Consultation, sentence: str, counts: dict, actor=None):
    """One audit entry for a merge in the consultation's trail (its "merge" key is read by
    audit_trail.py): what was merged into what, by name, and how many rows moved."""
    return audit.log_entry(consultation, actor, {**consultation.get_additional_data(),
                                                 "merge": {"summary": sentence, "counts": counts}})
