"""Responses for the tests of the Responses pages: fixed times, answers and organisations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consulta.web.responses.models import Answer, Respondent, Response

SLUG = "policing-a"
# 13:47 UTC on 10 February 2026 (GMT): a time to the minute that anonymous pages must not show.
NOON = datetime(2026, 2, 10, 13, 47, tzinfo=UTC)


def submitted(phase, *texts: str, days: int = 0, respondent: tuple[str, str] | None = None,
              **fields) -> Response:
    """A submitted response to ``phase`` answering its questions in order with ``texts``."""
    response = Response.objects.create(
        phase=phase, status=Response.Status.SUBMITTED,
        submitted_at=NOON + timedelta(days=days), **fields)
    for question, text in zip(phase.questions.all(), texts, strict=False):
        if question.has_options:
            Answer.objects.create(response=response, question=question, choices=[text])
        else:
            Answer.objects.create(response=response, question=question, text=text)
    if respondent:
        Respondent.objects.create(response=response, name=respondent[0], email=respondent[1])
    return response


def url(name: str, *args) -> str:
    return reverse(f"responses:{name}", args=[SLUG, *args])


def row_of(page: str, reference: str) -> str:
    """The HTML of the list row of ``reference``."""
    start = page.index(f">{reference}</a></th>")
    return page[page.rindex("<tr>", 0, start):page.index("</tr>", start)]


def queries_of(client, address: str, query: dict | None = None) -> int:
    """How many database queries a GET of ``address`` makes (after a first, warming one)."""
    client.get(address, query)
    with CaptureQueriesContext(connection) as context:
        assert client.get(address, query).status_code == 200
    return len(context)
