"""Recording "we did": actions and their dated updates. Changes are saved with ``save`` so
django-auditlog records each one with its actor (the request's user, set by its middleware)."""

from __future__ import annotations

from django.db import transaction

from consulta.web.publishing.models import Action, ActionUpdate, Status


def save_action(form, consultation, user) -> Action:
    action: Action = form.save(commit=False)
    action.consultation = consultation
    if action.pk is None:
        action.created_by = user
    if action.status != Status.NOT_TAKEN:
        action.reason = action.reason.strip()
    action.save()
    return action


def add_update(form, action: Action) -> ActionUpdate:
    """Save the update and move the action to its status; the people who asked are told by
    the caller (``tasks.queue_update``) once this has committed."""
    with transaction.atomic():
        update: ActionUpdate = form.save(commit=False)
        update.action = action
        update.save()
        changed = ["status"]
        action.status = update.status
        if update.status == Status.NOT_TAKEN:
            action.reason = update.text  # the update says why
            changed.append("reason")
        action.save(update_fields=[*changed, "updated_at"])
    return update
