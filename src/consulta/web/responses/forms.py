"""Forms for the responses pages."""

from __future__ import annotations

from django import forms

from consulta.web.responses.models import Response
from consulta.web.stakeholders.forms import ImportForm


class ResponseImportForm(ImportForm):
    channel = forms.ChoiceField(
        label="How were these responses collected?",
        help_text="Used for rows that have no channel column of their own.",
        choices=[
            (Response.Channel.IMPORT, "Another survey tool or spreadsheet"),
            (Response.Channel.PAPER, "On paper"),
            (Response.Channel.EMAIL, "By email"),
        ],
        initial=Response.Channel.IMPORT,
        widget=forms.RadioSelect,
    )
