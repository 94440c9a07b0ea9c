"""Back office: publish the results, and record what will be done ("we did").

Every member may read these pages; only organisers change anything (403 to analysts, 404 to
outsiders, as everywhere in the back office)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.access import load_consultation_for_edit, load_membership
from consulta.web.pages import render_form_page, submit_form
from consulta.web.publishing import actions as action_services
from consulta.web.publishing import mail, services, tasks
from consulta.web.publishing.forms import ActionForm, ActionUpdateForm
from consulta.web.publishing.models import Action

# The update form shares a page with the action's: its own field ids.
UPDATE = "update"


def _index_url(consultation) -> str:
    return reverse("publishing:index", args=[consultation.slug])


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    return render(request, "publishing/index.html", {
        "consultation": consultation, "can_edit": membership.can_edit,
        "publication": services.latest(consultation),
        "refusal": services.refusal(consultation), "withheld": services.withheld(consultation),
        "publish_by": services.publish_by(consultation),
        "actions": consultation.actions.select_related("question__phase")
        .prefetch_related("updates"),
        "recipients": len(mail.recipients(consultation)),
        "subscribers": consultation.results_subscribers.count(),
    })


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    try:
        publication = services.publish(consultation, request.user)
    except services.PublishRefused as refused:
        messages.error(request, f"Not published: {refused}")
        return redirect(_index_url(consultation))
    transaction.on_commit(lambda: tasks.queue_published(publication))
    messages.success(request, f"Results published (version {publication.version}). The people "
                              "who asked to hear back are being emailed in the background.")
    note = services.withheld(consultation)
    if note:
        messages.warning(request, note)
    return redirect(_index_url(consultation))


def _action_page(request, consultation, form, action=None, update_form=None) -> HttpResponse:
    return render_form_page(request, "publishing/action_form.html", form, {
        "consultation": consultation, "action": action,
        "update_form": update_form or ActionUpdateForm(prefix=UPDATE),
    })


@login_required
@require_GET
def action_new(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    return _action_page(request, consultation, ActionForm(consultation=consultation))


@login_required
@require_POST
def action_create(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    form = ActionForm(request.POST, consultation=consultation)
    return submit_form(
        request, form, lambda f: _action_page(request, consultation, f),
        lambda action: ("Action added.", _index_url(consultation)),
        save=lambda: action_services.save_action(form, consultation, request.user))


def _action(consultation, pk: int) -> Action:
    return get_object_or_404(Action, pk=pk, consultation=consultation)


@login_required
@require_GET
def action_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    action = _action(consultation, pk)
    return _action_page(request, consultation,
                        ActionForm(instance=action, consultation=consultation), action)


@login_required
@require_POST
def action_save(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    action = _action(consultation, pk)
    form = ActionForm(request.POST, instance=action, consultation=consultation)
    return submit_form(
        request, form, lambda f: _action_page(request, consultation, f, action),
        lambda saved: ("Action saved.", _index_url(consultation)),
        save=lambda: action_services.save_action(form, consultation, request.user))


@login_required
@require_POST
def update_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    action = _action(consultation, pk)
    form = ActionUpdateForm(request.POST, prefix=UPDATE)
    if not form.is_valid():
        return render_form_page(request, "publishing/action_form.html",
                                ActionForm(instance=action, consultation=consultation), {
                                    "consultation": consultation, "action": action,
                                    "update_form": form}, refused=True)
    update = action_services.add_update(form, action)
    transaction.on_commit(lambda: tasks.queue_update(update))
    messages.success(request, "Update added. The people who asked to hear back are being "
                              "emailed in the background.")
    return redirect(reverse("publishing:action", args=[consultation.slug, action.pk]))
