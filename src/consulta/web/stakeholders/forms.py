"""Forms for the stakeholder pages."""

from __future__ import annotations

from django import forms
from django.conf import settings

from consulta.tables import too_big_message


class ImportForm(forms.Form):
    """An uploaded table to import. Its size is checked here, before anything reads it."""

    file = forms.FileField(
        label="File to import",
        help_text="A CSV file or an Excel workbook (.xlsx); the first row holds the column names.",
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx", "aria-describedby": "id_file-hint"}),
        error_messages={"required": "Choose a file to import."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CONSULTA_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(too_big_message(upload.size, limit))
        return upload
