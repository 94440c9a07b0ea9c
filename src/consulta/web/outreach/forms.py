"""The organiser's wording of invitation and reminder emails."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from consulta.web.outreach.email import PLACEHOLDERS, Wording, unknown_placeholders
from consulta.web.outreach.models import MessageTemplate

PLACEHOLDER_HINT = "Placeholders: " + ", ".join(f"{{{name}}}" for name in PLACEHOLDERS) + "."


class MessageForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["subject", "body"]
        help_texts = {
            "subject": PLACEHOLDER_HINT,
            "body": "Plain text; a blank line starts a new paragraph. {link} (required) is the "
            "person's own link to respond. An unsubscribe link is added at the end. "
            + PLACEHOLDER_HINT,
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args, phase, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.phase = phase
        self.instance.kind = kind

    def _check_placeholders(self, name: str) -> str:
        text = self.cleaned_data[name]
        unknown = unknown_placeholders(text)
        if unknown:
            # A typo such as {nmae} would reach every recipient as typed.
            plural = "s" if len(unknown) > 1 else ""
            raise ValidationError(
                f"Unknown placeholder{plural} {', '.join(unknown)}: use only those listed."
            )
        return text

    def clean_subject(self) -> str:
        return self._check_placeholders("subject")

    def clean_body(self) -> str:
        body = self._check_placeholders("body")
        if "{link}" not in body:
            raise ValidationError("Include {link}: without it people cannot respond.")
        return body

    def wording(self) -> Wording:
        return Wording(self.cleaned_data["subject"], self.cleaned_data["body"])
