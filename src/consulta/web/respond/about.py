"""The "about you" page's data: what it shows, and where its answers are kept.

Who someone is (their name) goes to ``Respondent``, apart from the response, and only in
phases that identify people. The organisation is matched by name against the consultation's
stakeholder network; an unknown one is added to it so monitoring can count it by sector and
type. An existing organisation's details are never changed from a public page (only a
missing type is filled in).
"""

from __future__ import annotations

from django.db import transaction

from consulta.web.respond.forms import AboutForm
from consulta.web.responses.models import Respondent, Response
from consulta.web.stakeholders.models import Organisation


def about_initial(response: Response) -> dict:
    organisation = response.organisation
    initial = {"role": str(response.role_id or "")}
    if organisation is not None:
        initial.update(
            organisation=organisation.name, sector=organisation.sector,
            organisation_type=organisation.type,
            # "No" is also what a draft holds before the question was asked, so only "Yes" is
            # shown as chosen: radios are never chosen for the respondent (GOV.UK guidance).
            on_behalf="yes" if response.on_behalf else "",
        )
    respondent = Respondent.objects.filter(response=response).first()
    if respondent is not None and not response.phase.is_anonymous:
        initial["name"] = respondent.name
    return initial


def find_or_add_organisation(response: Response, name: str, sector: str, kind: str) -> Organisation:
    consultation = response.phase.consultation
    organisation = Organisation.objects.filter(consultation=consultation, name__iexact=name).first()
    if organisation is None:
        return Organisation.objects.create(
            consultation=consultation, name=name, sector=sector, type=kind
        )
    if kind and not organisation.type:
        organisation.type = kind
        organisation.save(update_fields=["type"])
    return organisation


def save_about(response: Response, form: AboutForm) -> None:
    data = form.cleaned_data
    with transaction.atomic():
        if form.asks_role:
            response.role_id = int(data["role"]) if data.get("role") else None
            response.save(update_fields=["role"])
            return
        name = data.get("organisation", "").strip()
        if name:
            response.organisation = find_or_add_organisation(
                response, name, data["sector"], data.get("organisation_type", "").strip()
            )
            response.on_behalf = data.get("on_behalf") == "yes"
        else:
            response.organisation, response.on_behalf = None, False
        response.save(update_fields=["organisation", "on_behalf"])
        if "name" in form.fields:  # never in anonymous phases
            _save_name(response, data.get("name", "").strip())


def _save_name(response: Response, name: str) -> None:
    respondent = Respondent.objects.filter(response=response).first()
    if respondent is not None:
        respondent.name = name
        respondent.save(update_fields=["name"])
    elif name:
        Respondent.objects.create(response=response, name=name)
