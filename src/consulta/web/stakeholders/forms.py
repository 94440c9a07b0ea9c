"""Forms for the stakeholder pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from consulta.tables import too_big_message
from consulta.web.imports import normalise_name
from consulta.web.stakeholders.models import Organisation, Person, Sector
from consulta.web.stakeholders.services import descendants


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


class ConsultationModelForm(forms.ModelForm):
    """A form for a row of one consultation's network: choices come from that consultation."""

    def __init__(self, *args, consultation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.instance.consultation = consultation


class OrganisationForm(ConsultationModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "sector", "type", "parent"]
        labels = {"parent": "Part of"}
        help_texts = {
            "type": "The kind of organisation, such as “charity” or “ambulance service”.",
            "parent": "The larger organisation it belongs to, if any.",
        }
        widgets = {"type": forms.TextInput(attrs={"list": "organisation-types"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parents = self.consultation.organisations.order_by("name")
        if self.instance.pk:  # not itself, nor anything below it: that would be a circle
            parents = parents.exclude(pk__in={self.instance.pk} | descendants(self.instance))
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = "Not part of another organisation"

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        # Imports match organisations by name ignoring case and spacing: keep names distinct so.
        others = self.consultation.organisations.exclude(pk=self.instance.pk)
        wanted = normalise_name(name)
        if any(normalise_name(other) == wanted for other in others.values_list("name", flat=True)):
            raise ValidationError("Another organisation already has this name. "
                                  "If it is the same organisation, merge the two instead.")
        return name


class PersonForm(ConsultationModelForm):
    class Meta:
        model = Person
        fields = ["name", "email", "job_title", "organisation"]
        labels = {"email": "Email address"}
        help_texts = {"email": "Invitations and reminders are sent here."}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = self.consultation.organisations.order_by("name")
        self.fields["organisation"].empty_label = "No organisation"

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email and self.consultation.people.exclude(pk=self.instance.pk).filter(
                email__iexact=email).exists():
            raise ValidationError("Another person in the network already has this email "
                                  "address. If it is the same person, merge the two instead.")
        return email

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("name") and not data.get("email") and "email" not in self.errors:
            raise ValidationError("Give the person’s name, email address or both.")
        return data


class MergeForm(forms.Form):
    """Choosing the row to keep when the one whose page this is turns out to be a duplicate."""

    kept = forms.ModelChoiceField(queryset=None, error_messages={
        "required": "Choose the one to keep.",
        "invalid_choice": "Choose one from the list.",
    })

    def __init__(self, *args, duplicate, choices, label: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kept"].queryset = choices.exclude(pk=duplicate.pk)
        self.fields["kept"].label = label
        self.fields["kept"].empty_label = "Choose one"


class NetworkFilterForm(forms.Form):
    """The network list's search: every field optional; unknown values are ignored."""

    q = forms.CharField(label="Name contains", required=False, max_length=200)
    sector = forms.ChoiceField(label="Sector", required=False,
                               choices=[("", "Any sector"), *Sector.choices])
    type = forms.ChoiceField(label="Type", required=False)

    def __init__(self, *args, types: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Any type"), *((t, t) for t in types)]
