"""The "about you" page's data: what it shows, and where its answers are kept.

Who someone is (their name) goes to ``Respondent``, apart from the response, and only in
phases that identify people. An organisation typed here is kept as the respondent typed it
(``Response.organisation_name``, sector and type in ``TypedOrganisation``): it is never added to
the stakeholder network nor matched to one of its organisations by name, so nobody can answer
"on behalf of" an organisation by typing its name, and saving the page adds nothing to the
network. An organiser confirms a match later. The one link kept is the organisation an invited
person's invitation came with, in phases that identify people, while they leave its name as is.
"""

from __future__ import annotations

from django.db import transaction

from consulta.web.respond.forms import AboutForm
from consulta.web.respond.models import TypedOrganisation
from consulta.web.responses.models import Respondent, Response
from consulta.web.stakeholders.models import Sector


def organisation_details(response: Response) -> tuple[str, str, str]:
    """(name, sector, type) as the respondent gave them, or from the linked organisation."""
    organisation = response.organisation
    if organisation is not None:
        return organisation.name, organisation.sector, organisation.type
    if not response.organisation_name:
        return "", "", ""
    typed = TypedOrganisation.objects.filter(response=response).first()
    return response.organisation_name, typed.sector if typed else "", typed.type if typed else ""


def organisation_summary(response: Response) -> dict:
    """The organisation as the check page and the share page show it (sector as its label)."""
    name, sector, kind = organisation_details(response)
    return {"name": name, "sector": Sector(sector).label if sector else "", "type": kind}


def about_initial(response: Response) -> dict:
    initial = {"role": str(response.role_id or "")}
    name, sector, kind = organisation_details(response)
    if name:
        initial.update(
            organisation=name, sector=sector, organisation_type=kind,
            # "No" is also what a draft holds before the question was asked, so only "Yes" is
            # shown as chosen: radios are never chosen for the respondent (GOV.UK guidance).
            on_behalf="yes" if response.on_behalf else "",
        )
    respondent = Respondent.objects.filter(response=response).first()
    if respondent is not None and not response.phase.is_anonymous:
        initial["name"] = respondent.name
    return initial


def _keeps_invited_organisation(response: Response, name: str) -> bool:
    """An invited respondent of an identified phase who left their organisation's name as it
    was keeps the link their invitation gave (anonymous phases never have one)."""
    organisation = response.organisation
    return (organisation is not None and not response.phase.is_anonymous
            and organisation.name.casefold() == name.casefold())


def _save_organisation(response: Response, name: str, sector: str, kind: str) -> None:
    if _keeps_invited_organisation(response, name):
        response.organisation_name = ""
        TypedOrganisation.objects.filter(response=response).delete()
        return
    response.organisation, response.organisation_name = None, name
    TypedOrganisation.objects.update_or_create(
        response=response, defaults={"sector": sector, "type": kind}
    )


def save_about(response: Response, form: AboutForm) -> None:
    data = form.cleaned_data
    with transaction.atomic():
        if form.asks_role:
            response.role_id = int(data["role"]) if data.get("role") else None
            response.save(update_fields=["role"])
            return
        name = data.get("organisation", "").strip()
        if name:
            _save_organisation(response, name, data["sector"],
                               data.get("organisation_type", "").strip())
            response.on_behalf = data.get("on_behalf") == "yes"
        else:
            response.organisation, response.organisation_name = None, ""
            response.on_behalf = False
            TypedOrganisation.objects.filter(response=response).delete()
        response.save(update_fields=["organisation", "organisation_name", "on_behalf"])
        if "name" in form.fields:  # never in anonymous phases
            _save_name(response, data.get("name", "").strip())


def _save_name(response: Response, name: str) -> None:
    respondent = Respondent.objects.filter(response=response).first()
    if respondent is not None:
        respondent.name = name
        respondent.save(update_fields=["name"])
    elif name:
        Respondent.objects.create(response=response, name=name)
