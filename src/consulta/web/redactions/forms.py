from __future__ import annotations

from django import forms

from consulta.web.redactions.models import Redaction


class DecisionForm(forms.Form):
    """Approve, reject (a reason) or edit the replacement (the words and a reason)."""

    reason = forms.CharField(required=False, max_length=2000)
    replacement = forms.CharField(required=False, max_length=100)


class AddForm(forms.Form):
    """A redaction the scan missed: the words as they are in the answer (and which occurrence),
    or offsets (a selection made in the page fills them)."""

    words = forms.CharField(required=False, max_length=2000)
    occurrence = forms.IntegerField(required=False, min_value=1, max_value=1000)
    start = forms.IntegerField(required=False, min_value=0)
    end = forms.IntegerField(required=False, min_value=0)
    kind = forms.ChoiceField(choices=Redaction._meta.get_field("kind").choices)
    replacement = forms.CharField(required=False, max_length=100)
    reason = forms.CharField(required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if not data.get("words", "").strip() and (data.get("start") is None
                                                  or data.get("end") is None):
            raise forms.ValidationError("Give the words to redact, or where they start and end.")
        return data
