"""Public pages of a published consultation (no sign-in): the results, the published responses,
"tell me when results are published" and its unsubscribe page."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.models import Consultation, Question
from consulta.web.publishing import published, services
from consulta.web.publishing.forms import SubscribeForm, theme_name, themes_of
from consulta.web.publishing.models import Publication, ResultsSubscriber
from consulta.web.respond.pages import rate_limited
from consulta.web.stakeholders.models import Sector

PER_PAGE = 25
# Per client address, in the cache only (as the respondent journey's forms).
SUBSCRIBE_RATE = "10/h"
PDF, DOCX = "application/pdf", \
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _public(slug: str) -> Consultation:
    return get_object_or_404(Consultation.objects.exclude(status=Consultation.Status.DRAFT),
                             slug=slug)


def _published(slug: str) -> tuple[Consultation, Publication]:
    """The consultation and its latest publication; 404 until it has been published."""
    consultation = _public(slug)
    publication = services.latest(consultation)
    if publication is None:
        raise Http404("The results of this consultation have not been published")
    return consultation, publication


def _actions(consultation: Consultation) -> list:
    names = {(t.question_id, t.key): theme_name(t) for t in themes_of(consultation)}
    actions = list(consultation.actions.select_related("question__phase")
                   .prefetch_related("updates"))
    for action in actions:
        action.theme_name = names.get((action.question_id, action.theme_key), "")
    return actions


@require_GET
def results(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, publication = _published(slug)
    return render(request, "publishing/results.html", {
        "consultation": consultation, "publication": publication,
        "actions": _actions(consultation),
    })


def _download(publication: Publication, data, content_type: str, extension: str):
    response = HttpResponse(bytes(data), content_type=content_type)
    name = f"{publication.consultation.slug}-results-v{publication.version}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    _, publication = _published(slug)
    return _download(publication, publication.pdf, PDF, "pdf")


@require_GET
def report_docx(request: HttpRequest, slug: str) -> HttpResponse:
    _, publication = _published(slug)
    return _download(publication, publication.docx, DOCX, "docx")


def _filters(request: HttpRequest, consultation: Consultation) -> tuple[Question | None, str]:
    """The chosen question and sector; anything unknown is ignored (a shared old link)."""
    question = None
    raw = request.GET.get("question", "")
    if raw.isdigit():
        question = Question.objects.filter(pk=int(raw), phase__consultation=consultation).first()
    sector = request.GET.get("sector", "")
    return question, sector if sector in Sector.values else ""


@require_GET
def responses(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, publication = _published(slug)
    question, sector = _filters(request, consultation)
    answers = published.published_answers(
        consultation, question=question.pk if question else None, sector=sector)
    page = Paginator(answers, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "publishing/responses.html", {
        "consultation": consultation, "publication": publication, "page": page,
        "questions": Question.objects.filter(phase__consultation=consultation)
        .select_related("phase").order_by("phase__position", "position"),
        "sectors": Sector.choices, "chosen_question": question, "chosen_sector": sector,
        "query": query.urlencode(), "licence": published.LICENCE,
    })


@require_GET
def responses_csv(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, _ = _published(slug)
    question, sector = _filters(request, consultation)
    answers = published.published_answers(
        consultation, question=question.pk if question else None, sector=sector)
    response = HttpResponse(published.as_csv(answers), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{consultation.slug}-published-responses.csv"')
    return response


@require_POST
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _public(slug)
    if rate_limited(request, "publishing-subscribe", "CONSULTA_SUBSCRIBE_RATE", SUBSCRIBE_RATE):
        response = render(request, "publishing/too_many.html",
                          {"consultation": consultation}, status=429)
        response["Retry-After"] = "60"
        return response
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "publishing/subscribe.html",
                      {"consultation": consultation, "form": form}, status=400)
    try:
        with transaction.atomic():
            ResultsSubscriber.objects.create(consultation=consultation,
                                             email=form.cleaned_data["email"].lower())
    except IntegrityError:
        pass  # already asked: the same answer, so the page says nothing about who asked
    messages.success(request, "Thank you. We will email you when the results are published "
                              "and when there is news about what happens next.")
    return redirect(reverse("public-consultation", args=[consultation.slug]) + "#hear-back")


def _subscriber(token: str) -> ResultsSubscriber:
    subscriber = ResultsSubscriber.objects.select_related("consultation").filter(
        token=token).first()
    if subscriber is None:
        raise Http404("This unsubscribe link is not valid or was already used")
    return subscriber


@require_GET
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    # Opening the link changes nothing (mail scanners follow links); the button does.
    subscriber = _subscriber(token)
    return render(request, "publishing/unsubscribe.html",
                  {"consultation": subscriber.consultation, "token": token})


@require_POST
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = _subscriber(token)
    consultation = subscriber.consultation
    subscriber.delete()  # nothing of the address is kept
    return render(request, "publishing/unsubscribe.html",
                  {"consultation": consultation, "done": True})
