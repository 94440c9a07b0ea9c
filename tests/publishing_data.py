"""Shared data of the publishing tests: responses with and without consent, a stand-in for the
report renderers (the real ones are tested by the reports tests and one test here), and
publishing with it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consulta.web.consultations.models import Consultation
from consulta.web.publishing import services
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Organisation
from response_data import submitted

SLUG = "policing-a"
REPORT_HTML = "<h2>Summary</h2><p>Most partners asked for more visible policing.</p>"
FAKE = services.Outputs(html=REPORT_HTML, pdf=b"%PDF-1.7 stand-in", docx=b"PK stand-in docx")


@pytest.fixture
def fake_renderers(monkeypatch):
    monkeypatch.setattr(services, "render_outputs", lambda consultation: FAKE)


@pytest.fixture
def answered(consultation):
    """Staff (anonymous phase) and partners (identified) answers with every kind of consent."""
    staff, partners = consultation.phases.all()
    role = consultation.roles.get(name="police officer")
    submitted(staff, "Too few officers on the late shift.", "Neighbourhood teams.",
              consent=Response.Consent.FULL, role=role)
    ambulance = Organisation.objects.get(name="Eastvale Ambulance Service")
    charity = Organisation.objects.get(name="Safe Streets Trust")
    submitted(partners, "Share data with the ambulance service.", "Joint patrols.",
              "Prevention", consent=Response.Consent.FULL, organisation=ambulance)
    submitted(partners, "Come to our youth nights.", "Fund outreach.", "Response",
              consent=Response.Consent.ANONYMOUS, organisation=charity)
    submitted(partners, "Refused text that must never be published.", "",
              consent=Response.Consent.NONE, organisation=charity)
    # A personal detail nobody has reviewed yet: left out until an analyst decides.
    submitted(partners, "Email me at pat.jones@example.org about trust.", "",
              consent=Response.Consent.FULL, organisation=ambulance)
    return consultation


def publish(consultation: Consultation):
    return services.publish(consultation)


def public_url(name: str, slug: str = SLUG) -> str:
    return reverse(f"publishing:{name}", args=[slug])
