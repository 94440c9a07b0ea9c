"""The pages of a draft response, all under its secret link /r/<token>/.

Each page's form posts to a separate view that saves the draft and moves on, or shows the
page again with the errors (400), or with both versions after a co-author's save (409).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from consulta.web.respond.about import about_initial, organisation_summary, save_about
from consulta.web.respond.answers import Conflict, answers_by_question, save_answer
from consulta.web.respond.drafts import receipt_email
from consulta.web.respond.drafts import submit as submit_response
from consulta.web.respond.forms import AboutForm, AnswerForm, ConsentForm, JourneyForm
from consulta.web.respond.journey import CHECK, Journey, has_about_page, is_organisation_response
from consulta.web.respond.limits import limit_saves
from consulta.web.respond.link_views import confirmation_url
from consulta.web.respond.loading import Draft, with_draft
from consulta.web.respond.pages import render_page, see_other, submit_limited, too_many_page
from consulta.web.responses.models import Answer, Respondent, Response


def _page(request, draft: Draft, template: str, context: dict, status: int = 200):
    return render_page(
        request, template, {"draft": draft, "phase": draft.phase, **context},
        consultation=draft.consultation, status=status, private=True,
    )


def _then(request: HttpRequest) -> str:
    return CHECK if request.GET.get("then") == CHECK else ""


@require_GET
@with_draft
def resume(request: HttpRequest, draft: Draft) -> HttpResponse:
    return redirect(Journey(draft).resume_url())


def _question_page(request, draft: Draft, position: int, form: AnswerForm, *, status=200,
                   theirs: Answer | None = None) -> HttpResponse:
    journey = Journey(draft)
    back = journey.url("check") if form["then"].value() == CHECK else journey.back_url(position)
    return _page(request, draft, "respond/question.html", {
        "form": form, "question": form.question, "position": position,
        "count": len(journey.questions), "theirs": theirs, "back_url": back,
        "action": journey.url("question-save", position=position),
    }, status)


@require_GET
@with_draft
def question(request: HttpRequest, draft: Draft, position: int) -> HttpResponse:
    item = Journey(draft).question(position)
    answer = answers_by_question(draft.response).get(item.pk)
    initial = {"revision": answer.revision if answer else 0, "then": _then(request)}
    if answer is not None:
        initial["answer"] = AnswerForm.initial_answer(item, answer.text, answer.choices)
    return _question_page(request, draft, position, AnswerForm(item, initial=initial))


@require_POST
@with_draft
@limit_saves
def question_save(request: HttpRequest, draft: Draft, position: int) -> HttpResponse:
    journey = Journey(draft)
    form = AnswerForm(journey.question(position), request.POST)
    later = "later" in request.POST
    if form.is_bot():
        return see_other(journey.next_url(position))
    if not form.is_valid():
        return _question_page(request, draft, position, form, status=400)
    text, choices = form.text_and_choices()
    saved = save_answer(draft.response, form.question, text=text, choices=choices,
                        revision=form.cleaned_data["revision"] or 0)
    if isinstance(saved, Conflict):
        # Show theirs beside yours; resubmitting now saves yours (it carries their revision).
        data = request.POST.copy()
        data["revision"] = str(saved.theirs.revision)
        form = AnswerForm(form.question, data)
        form.is_valid()
        return _question_page(request, draft, position, form, status=409, theirs=saved.theirs)
    if later:
        return see_other(journey.url("return-link"))
    return see_other(journey.next_url(position, form.cleaned_data["then"]))


def _about_page(request, draft: Draft, form: AboutForm, then: str, status=200):
    journey = Journey(draft)
    back = journey.url("check") if then == CHECK else (
        journey.question_url(len(journey.questions)) if journey.questions else "")
    return _page(request, draft, "respond/about.html", {
        "form": form, "then": then, "back_url": back, "action": journey.url("about-save"),
    }, status)


@require_GET
@with_draft
def about(request: HttpRequest, draft: Draft) -> HttpResponse:
    if not has_about_page(draft.phase):
        raise Http404("Nothing to ask")
    form = AboutForm(draft.phase, initial=about_initial(draft.response))
    return _about_page(request, draft, form, _then(request))


@require_POST
@with_draft
@limit_saves
def about_save(request: HttpRequest, draft: Draft) -> HttpResponse:
    if not has_about_page(draft.phase):
        raise Http404("Nothing to ask")
    journey = Journey(draft)
    form = AboutForm(draft.phase, request.POST)
    then = CHECK if request.POST.get("then") == CHECK else ""
    if form.is_bot():
        return see_other(journey.url("consent"))
    if not form.is_valid():
        return _about_page(request, draft, form, then, status=400)
    save_about(draft.response, form)
    if "later" in request.POST:
        return see_other(journey.url("return-link"))
    return see_other(journey.url("check" if then else "consent"))


def _consent_page(request, draft: Draft, form: ConsentForm, then: str, status=200):
    journey = Journey(draft)
    back = journey.url("check") if then == CHECK else journey.before_consent_url()
    return _page(request, draft, "respond/consent.html", {
        "form": form, "then": then, "back_url": back, "action": journey.url("consent-save"),
    }, status)


@require_GET
@with_draft
def consent(request: HttpRequest, draft: Draft) -> HttpResponse:
    current = draft.response.consent
    # The stored default ("not at all") is not a choice the respondent made: show none chosen.
    initial = {"consent": current if current != Response.Consent.NONE else ""}
    return _consent_page(request, draft, ConsentForm(draft.phase, initial=initial),
                         _then(request))


@require_POST
@with_draft
@limit_saves
def consent_save(request: HttpRequest, draft: Draft) -> HttpResponse:
    journey = Journey(draft)
    form = ConsentForm(draft.phase, request.POST)
    then = CHECK if request.POST.get("then") == CHECK else ""
    if form.is_bot():
        return see_other(journey.url("check"))
    if not form.is_valid():
        return _consent_page(request, draft, form, then, status=400)
    draft.response.consent = form.cleaned_data["consent"]
    draft.response.save(update_fields=["consent"])
    return see_other(journey.url("check"))


def _check_page(request, draft: Draft, problems=(), status=200) -> HttpResponse:
    journey = Journey(draft)
    response = draft.response
    respondent = None
    if not draft.phase.is_anonymous:
        respondent = Respondent.objects.filter(response=response).first()
    return _page(request, draft, "respond/check.html", {
        "rows": journey.rows(), "problems": problems, "respondent": respondent,
        "organisation": organisation_summary(response),
        "has_about": has_about_page(draft.phase), "response": response,
        "can_share": is_organisation_response(response), "form": JourneyForm(),
        "about_url": journey.url("about") + "?then=check",
        "consent_url": journey.url("consent") + "?then=check",
    }, status)


@require_GET
@with_draft
def check(request: HttpRequest, draft: Draft) -> HttpResponse:
    return _check_page(request, draft)


@require_POST
@with_draft
def submit(request: HttpRequest, draft: Draft) -> HttpResponse:
    if JourneyForm(request.POST).is_bot():
        # Pretend: a reference that belongs to nothing, and nothing sent.
        return see_other(confirmation_url(Response().reference, draft.consultation.slug))
    if submit_limited(request):
        return too_many_page(request, draft.consultation)
    problems = Journey(draft).problems()
    if problems:
        return _check_page(request, draft, problems, status=400)
    emailed = bool(receipt_email(draft.response))
    submit_response(draft.response)
    return see_other(confirmation_url(draft.response.reference, draft.consultation.slug,
                                     emailed=emailed))
