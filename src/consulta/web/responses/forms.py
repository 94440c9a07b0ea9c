"""Forms for the responses pages."""

from __future__ import annotations

from django import forms

from consulta.web.consultations.models import Consultation, RespondentRole
from consulta.web.responses.models import Response
from consulta.web.stakeholders.forms import ImportForm
from consulta.web.stakeholders.models import Organisation, Sector


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


ANY = [("", "Any")]
# Drafts are the respondents' work in progress: counted, never listed.
LISTED_STATUSES = [("", "Submitted or withdrawn"), (Response.Status.SUBMITTED, "Submitted"),
                   (Response.Status.WITHDRAWN, "Withdrawn")]


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class ResponseFilterForm(forms.Form):
    """The Responses list's search and filters, read from the query string (GET)."""

    q = forms.CharField(label="Search answers", required=False, max_length=200,
                        help_text="Words in any answer, or a reference.")
    phase = forms.TypedChoiceField(label="Phase", required=False, coerce=int, empty_value=None)
    organisation = forms.CharField(label="Organisation", required=False, max_length=200)
    sector = forms.ChoiceField(label="Sector", required=False, choices=ANY + Sector.choices)
    role = forms.ModelChoiceField(label="Role", required=False, queryset=RespondentRole.objects.none(),
                                  empty_label="Any")
    consent = forms.ChoiceField(label="Publication consent", required=False,
                                choices=ANY + Response.Consent.choices)
    status = forms.ChoiceField(label="Status", required=False, choices=LISTED_STATUSES)
    submitted_from = _date_field("Submitted on or after")
    submitted_to = _date_field("Submitted on or before")

    def __init__(self, data, *, consultation: Consultation, phase_names: dict[int, str]):
        super().__init__(data)
        self.fields["phase"].choices = ANY + [
            (number, f"Phase {number}: {name}") for number, name in phase_names.items()]
        self.fields["role"].queryset = consultation.roles.all()

    def clean(self):
        data = super().clean()
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", "The end date must be on or after the start date.")
            del data["submitted_from"]  # the range is left out, not half of it
        return data

    def filters(self) -> dict:
        """The valid, non-empty filters (an invalid field is left out, and shown as an error)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items()
                if value not in (None, "")}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit trail. Do not copy the response's answers here.",
        error_messages={"required": "Enter the reason."},
    )


class LinkOrganisationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation in the stakeholder network", queryset=Organisation.objects.none(),
        error_messages={"required": "Choose the organisation.",
                        "invalid_choice": "Choose one of the network's organisations."},
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = consultation.organisations.order_by("name")


class NewOrganisationForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200,
                           error_messages={"required": "Enter the organisation's name."})
    sector = forms.ChoiceField(label="Sector", choices=[("", "Choose a sector")] + Sector.choices,
                               error_messages={"required": "Choose the sector."})
    type = forms.CharField(label="Type", max_length=100, required=False,
                           help_text="For example: charity, NHS trust, local authority.")

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if self.consultation.organisations.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                "The network already has an organisation of this name: choose it instead.")
        return name
