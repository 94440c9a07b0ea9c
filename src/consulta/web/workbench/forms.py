"""The workbench's forms: the answers' filters, theme actions and one answer's coding."""

from __future__ import annotations

from django import forms

from consulta.web.stakeholders.models import Sector
from consulta.web.workbench.listing import Groups
from consulta.web.workbench.models import Review

ANY = [("", "Any")]
REASON_HELP = "Why: kept with the change in the audit trail."


def _options(values, labels=None) -> list[tuple[str, str]]:
    return ANY + [(v, (labels or {}).get(v, v)) for v in values]


class FilterForm(forms.Form):
    """A GET form: every field optional, so a filtered list has its own address."""

    q = forms.CharField(label="Search the answers", required=False, max_length=200)
    theme = forms.ChoiceField(label="Theme", required=False)
    stance = forms.ChoiceField(label="Stance", required=False,
                               choices=ANY + list(Review.Stance.choices))
    sentiment = forms.ChoiceField(label="Sentiment", required=False)
    sector = forms.ChoiceField(label="Sector", required=False)
    organisation_type = forms.ChoiceField(label="Organisation type", required=False)
    role = forms.ChoiceField(label="Role", required=False)
    campaign = forms.ChoiceField(label="Campaign", required=False, choices=ANY + [
        ("yes", "Part of a campaign"), ("no", "Not part of a campaign")])
    coded_by = forms.ChoiceField(label="Coded by", required=False, choices=ANY + [
        ("machine", "The analysis only"), ("person", "A person")])
    low_confidence = forms.BooleanField(label="Low confidence (below 0.5)", required=False)
    unreviewed = forms.BooleanField(label="Not yet reviewed", required=False)
    order = forms.ChoiceField(label="Order", required=False, choices=[
        ("", "As they came in"), ("confidence", "Least confident first")])

    def __init__(self, *args, themes, values: dict, groups: Groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = ANY + [("none", "No theme (for review)")] + [
            (t.key, f"{t.key}: {t.label}"[:90]) for t in themes]
        self.fields["sentiment"].choices = _options(values["sentiment"])
        self.fields["sector"].choices = _options(values["sector"], dict(Sector.choices))
        self.fields["organisation_type"].choices = _options(values["organisation_type"])
        self.fields["role"].choices = _options(values["role"])
        if not groups.organisations:
            del self.fields["sector"], self.fields["organisation_type"]
        if not groups.roles:
            del self.fields["role"]


class VersionedForm(forms.Form):
    """Every editing form says which version of the question's themes it was made from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReasonForm(VersionedForm):
    reason = forms.CharField(label="Reason", help_text=REASON_HELP, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RenameForm(VersionedForm):
    theme = forms.CharField(widget=forms.HiddenInput, max_length=20)
    label = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(label="Summary", required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label="Reason", required=False, max_length=1000)


class MergeForm(ReasonForm):
    theme = forms.CharField(label="Merge this theme", max_length=20)
    target = forms.CharField(label="into", max_length=20)


class SelectionForm(ReasonForm):
    """Chosen answers (their Coding ids) moved from a theme to another, or made a new theme."""

    answers = forms.TypedMultipleChoiceField(coerce=int, label="Answers")
    theme = forms.CharField(label="From theme", required=False, max_length=20)
    target = forms.CharField(label="To theme", required=False, max_length=20)
    label = forms.CharField(label="New theme's name", required=False, max_length=200)

    def __init__(self, *args, coding_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answers"].choices = [(pk, pk) for pk in coding_ids]
        self.fields["answers"].error_messages["required"] = "Choose at least one answer."


class DeleteForm(ReasonForm):
    theme = forms.CharField(widget=forms.HiddenInput, max_length=20)


class ReorderForm(VersionedForm):
    theme = forms.CharField(widget=forms.HiddenInput, max_length=20)
    step = forms.TypedChoiceField(coerce=int, choices=[(-1, "up"), (1, "down")])


class UndoForm(VersionedForm):
    reason = forms.CharField(label="Reason", required=False, max_length=1000)


class ThemeNoteForm(forms.Form):
    theme = forms.CharField(widget=forms.HiddenInput, max_length=20)
    text = forms.CharField(label="Note", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CodingForm(VersionedForm):
    """One answer's codes. ``shown`` is a digest of the codes the answer had when the page was
    made (coding.shown_codes): if another person saved it meanwhile, they differ and nothing
    is overwritten. A digest, so a blind page does not carry the codes it hides."""

    themes = forms.MultipleChoiceField(label="Themes", required=False,
                                       widget=forms.CheckboxSelectMultiple)
    stance = forms.ChoiceField(label="Stance", required=False, widget=forms.RadioSelect,
                               choices=[("", "Not said")] + list(Review.Stance.choices))
    note = forms.CharField(label="Note", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    quote_candidate = forms.BooleanField(label="A candidate quote", required=False)
    shown = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    blind = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, themes=(), quotable=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = [
            (t.key, f"{number}. {t.label}" if number <= 9 else t.label)
            for number, t in enumerate(themes, start=1)]
        if not quotable:  # only answers whose authors allowed publication can be quoted
            del self.fields["quote_candidate"]
