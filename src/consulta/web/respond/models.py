"""What the "about you" page keeps besides the response's own fields.

An organisation typed on a public page is not added to the stakeholder network nor matched to
one of its organisations (anyone could type an existing name and answer "on behalf of" it, and
every save would add one). Its name is kept on the response (``Response.organisation_name``) and
its sector and type here, so monitoring can still count responses by sector until an organiser
confirms a match (``Response.organisation``).
"""

from __future__ import annotations

from django.db import models

from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Sector


class TypedOrganisation(models.Model):
    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="typed_organisation"
    )
    sector = models.CharField(max_length=10, choices=Sector.choices, blank=True)
    type = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"organisation as typed for {self.response_id}"
