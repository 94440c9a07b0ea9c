"""Forms of publishing: an action and its updates (organisers), and the public "tell me" form."""

from __future__ import annotations

from django import forms

from consulta.web.analysis.models import AnalysisRun, Theme
from consulta.web.consultations.models import Consultation, Question
from consulta.web.publishing.models import Action, ActionUpdate, Status

REASON_NEEDED = "Say why it is not being taken forward"


def themes_of(consultation: Consultation):
    """The themes of the latest finished analysis, by question (keys are kept across runs)."""
    run = consultation.analysis_runs.filter(status=AnalysisRun.Status.DONE).first()
    if run is None:
        return Theme.objects.none()
    return run.themes.select_related("question__phase").order_by(
        "question__phase__position", "question__position", "key")


def theme_name(theme: Theme) -> str:
    # Keywords, not the label: a label is a sentence of someone's answer.
    return theme.keywords or theme.key


class ActionForm(forms.ModelForm):
    theme_key = forms.ChoiceField(label="Theme", required=False,
                                  help_text="Optional: the theme of the question this answers.")

    class Meta:
        model = Action
        fields = ["question", "theme_key", "text", "status", "reason"]
        labels = {"question": "Question", "text": "What we will do",
                  "reason": "Why it is not being taken forward"}
        help_texts = {
            "question": "Optional: the question this answers. Leave empty for the consultation "
                        "as a whole.",
            "reason": "Needed when the status is “Not taken forward”; shown on the public page.",
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 4}),
                   "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.fields["question"].queryset = Question.objects.filter(
            phase__consultation=consultation).select_related("phase").order_by(
            "phase__position", "position")
        self.fields["question"].empty_label = "No particular question"
        self.themes = list(themes_of(consultation))
        self.fields["theme_key"].choices = [("", "No particular theme")] + [
            (theme.key, f"{theme.question.key}: {theme_name(theme)}") for theme in self.themes]

    def clean(self):
        data = super().clean()
        if data.get("status") == Status.NOT_TAKEN and not (data.get("reason") or "").strip():
            self.add_error("reason", REASON_NEEDED)
        key, question = data.get("theme_key"), data.get("question")
        if key and question is None:
            self.add_error("question", "Choose the question the theme belongs to")
        elif key and not any(t.key == key and t.question_id == question.pk for t in self.themes):
            self.add_error("theme_key", "Choose a theme of the chosen question")
        return data


class ActionUpdateForm(forms.ModelForm):
    class Meta:
        model = ActionUpdate
        fields = ["date", "status", "text"]
        labels = {"date": "Date", "status": "Status now", "text": "What happened"}
        help_texts = {"text": "Shown on the public page and emailed to people who asked to hear "
                              "back. When it is not taken forward, say why here."}
        widgets = {"date": forms.DateInput(attrs={"type": "date"}),
                   "text": forms.Textarea(attrs={"rows": 4})}


class SubscribeForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254,
                             help_text="We use it only to tell you about the results of this "
                                       "consultation and what happens next.",
                             widget=forms.EmailInput(attrs={"autocomplete": "email",
                                                            "spellcheck": "false"}))
