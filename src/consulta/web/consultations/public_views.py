"""Public pages: what is being consulted on. The response forms themselves come later."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from consulta.web.consultations.models import Consultation


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    consultations = Consultation.objects.exclude(status=Consultation.Status.DRAFT).prefetch_related(
        "phases"
    )
    return render(request, "consultations/public_home.html", {"consultations": consultations})


@require_GET
def consultation(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(
        Consultation.objects.exclude(status=Consultation.Status.DRAFT), slug=slug
    )
    phases = item.phases.prefetch_related("questions")
    return render(
        request, "consultations/public_consultation.html", {"consultation": item, "phases": phases}
    )
