"""The emails of publishing as background work (``consulta worker``), like outreach's batches.

Each publication and each action update is announced once: the send is claimed by setting
``notified_at`` with a conditional UPDATE, so a double click or a second worker sends nothing
twice. A mail server that is down releases the claim, so queueing again retries.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from consulta.web.consultations import audit
from consulta.web.publishing import mail
from consulta.web.publishing.models import ActionUpdate, Publication

NOTIFIED = "results emails"  # the audit event; details: what, sent, refused


def _claim(model, pk: int) -> bool:
    return model.objects.filter(pk=pk, notified_at__isnull=True).update(
        notified_at=timezone.now()) == 1


def _send(model, pk: int, consultation, what: str, words: tuple[str, str]) -> dict:
    try:
        outcome = mail.send_all(consultation, *words)
    except mail.MailUnavailable as error:
        model.objects.filter(pk=pk).update(notified_at=None)
        return {"stopped": str(error)}
    audit.record(consultation, None, NOTIFIED, via=audit.WORKER, what=what,
                 sent=outcome.sent, refused=outcome.refused)
    return {"sent": outcome.sent, "refused": outcome.refused, "summary": outcome.summary()}


def notify_published(publication_id: int) -> dict:
    publication = Publication.objects.select_related("consultation").filter(
        pk=publication_id).first()
    if publication is None or not _claim(Publication, publication_id):
        return {"stopped": "already announced, or no longer there"}
    return _send(Publication, publication_id, publication.consultation,
                 f"results version {publication.version}", mail.published_text(publication))


def notify_update(update_id: int) -> dict:
    update = ActionUpdate.objects.select_related("action__consultation").filter(
        pk=update_id).first()
    if update is None or not _claim(ActionUpdate, update_id):
        return {"stopped": "already announced, or no longer there"}
    return _send(ActionUpdate, update_id, update.action.consultation, "an action update",
                 mail.update_text(update))


@task()
def notify_published_task(publication_id: int) -> dict:
    return notify_published(publication_id)


@task()
def notify_update_task(update_id: int) -> dict:
    return notify_update(update_id)


def queue_published(publication: Publication) -> None:
    notify_published_task.enqueue(publication_id=publication.pk)


def queue_update(update: ActionUpdate) -> None:
    notify_update_task.enqueue(update_id=update.pk)
