"""The respondent's forms. Error messages follow the GOV.UK Design System's wording.

Every form has a honeypot field (``website``): hidden from people, filled in by bots. A filled
honeypot makes the view pretend success and save nothing.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from consulta.web.consultations.models import Phase, Question
from consulta.web.respond.journey import CHECK, organisation_required
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Sector

HONEYPOT = "website"
TEXT_KINDS = {Question.Kind.LONG_TEXT, Question.Kind.SHORT_TEXT}


def normalise_newlines(text: str) -> str:
    """Browsers send line breaks as CR LF; count and keep them as one character, like the
    character count on the page does."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def too_long(limit: int, length: int, what: str = "Your answer") -> str:
    return (
        f"{what} must be {limit:,} characters or fewer. It is {length:,} characters: "
        f"remove {length - limit:,} characters, then save again. Nothing has been saved yet."
    )


class JourneyForm(forms.Form):
    website = forms.CharField(required=False, label="Leave this field empty")

    def is_bot(self) -> bool:
        return bool(str(self.data.get(HONEYPOT, "")).strip())


class AnswerForm(JourneyForm):
    revision = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    then = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, question: Question, *args, **kwargs):
        self.question = question
        super().__init__(*args, **kwargs)
        self.fields["answer"] = self._answer_field()

    def _answer_field(self) -> forms.Field:
        question = self.question
        options = {"label": question.title, "help_text": question.context}
        if question.kind in TEXT_KINDS:
            # No max_length here: the limit is checked in clean_answer with a clear message,
            # and the page must not cut text short (no maxlength attribute).
            return forms.CharField(required=False, strip=False, **options)
        choices = [(choice, choice) for choice in question.choices_offered()]
        if question.kind == Question.Kind.MULTIPLE_CHOICE:
            hint = "Select all that apply."
            options["help_text"] = f"{question.context}\n\n{hint}" if question.context else hint
            return forms.MultipleChoiceField(
                choices=choices, required=question.required, **options,
                error_messages={"required": "Select at least one answer",
                                "invalid_choice": "Select only answers from the list"},
            )
        return forms.ChoiceField(
            choices=choices, required=question.required, **options,
            error_messages={"required": "Select an answer",
                            "invalid_choice": "Select one of the answers from the list"},
        )

    def clean_answer(self):
        value = self.cleaned_data.get("answer")
        if self.question.kind not in TEXT_KINDS:
            return value
        text = normalise_newlines(value or "")
        if self.question.required and not text.strip():
            raise ValidationError("Enter your answer to this question")
        if len(text) > self.question.max_length:
            raise ValidationError(too_long(self.question.max_length, len(text)))
        return text

    def clean_then(self) -> str:
        return CHECK if self.cleaned_data.get("then") == CHECK else ""

    @staticmethod
    def initial_answer(question: Question, text: str, choices: list[str]):
        """A saved answer as the form's field shows it."""
        if question.kind in TEXT_KINDS:
            return text
        if question.kind == Question.Kind.MULTIPLE_CHOICE:
            return list(choices)
        return choices[0] if choices else ""

    def text_and_choices(self) -> tuple[str, list[str]]:
        value = self.cleaned_data["answer"]
        if self.question.kind in TEXT_KINDS:
            return value, []
        if self.question.kind == Question.Kind.MULTIPLE_CHOICE:
            return "", list(value)
        return "", [value] if value else []


class AboutForm(JourneyForm):
    """Internal phases ask only a role or grade. Other phases ask about the organisation, and
    a name only when the phase identifies people: an anonymous phase never asks one."""

    def __init__(self, phase: Phase, *args, **kwargs):
        self.phase = phase
        super().__init__(*args, **kwargs)
        if phase.audience == Phase.Audience.INTERNAL:
            roles = [(str(role.pk), role.name) for role in phase.consultation.roles.all()]
            self.fields["role"] = forms.ChoiceField(
                choices=roles, required=False, label="What is your role? (optional)",
                error_messages={"invalid_choice": "Select a role from the list"},
            )
            return
        if not phase.is_anonymous:
            self.fields["name"] = forms.CharField(
                max_length=200, required=False, label="Your name (optional)",
                error_messages={"max_length": "Your name must be 200 characters or fewer"},
            )
        required = organisation_required(phase)
        self.fields["organisation"] = forms.CharField(
            max_length=200, required=required,
            label="Your organisation" if required else "Your organisation (optional)",
            error_messages={"required": "Enter the name of your organisation",
                            "max_length": "The organisation's name must be 200 characters "
                            "or fewer"},
        )
        self.fields["sector"] = forms.ChoiceField(
            choices=Sector.choices, required=False, label="Which sector is your organisation in?",
            error_messages={"invalid_choice": "Select a sector from the list"},
        )
        self.fields["organisation_type"] = forms.CharField(
            max_length=100, required=False, label="What type of organisation is it? (optional)",
            help_text="For example: NHS trust, local authority, charity, business",
            error_messages={"max_length": "The type must be 100 characters or fewer"},
        )
        self.fields["on_behalf"] = forms.ChoiceField(
            choices=[("yes", "Yes"), ("no", "No, these are my own views")], required=False,
            label="Are you answering on behalf of your organisation?",
            error_messages={"invalid_choice": "Select yes or no"},
        )

    @property
    def asks_role(self) -> bool:
        return "role" in self.fields

    def clean(self):
        data = super().clean()
        if self.asks_role or not data.get("organisation", "").strip():
            return data
        if not data.get("sector"):
            self.add_error("sector", "Select which sector your organisation is in")
        if not data.get("on_behalf"):
            self.add_error("on_behalf",
                           "Select whether you are answering on behalf of your organisation")
        return data


CONSENT_HINTS = {
    Response.Consent.FULL: "We may quote your answers and say who you are and which "
    "organisation you belong to.",
    Response.Consent.ANONYMOUS: "We may quote your answers without saying who you are or "
    "which organisation you belong to.",
    Response.Consent.NONE: "We will read and count your answers but not quote them.",
}
CONSENT_LABELS = {
    Response.Consent.FULL: "Yes, in full",
    Response.Consent.ANONYMOUS: "Yes, anonymously",
    Response.Consent.NONE: "No, not at all",
}


def consent_options(phase: Phase) -> list[str]:
    """An anonymous phase cannot publish anyone's name: it offers only the other two."""
    options = [Response.Consent.FULL, Response.Consent.ANONYMOUS, Response.Consent.NONE]
    return options[1:] if phase.is_anonymous else options


class ConsentForm(JourneyForm):
    def __init__(self, phase: Phase, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"] = forms.ChoiceField(
            choices=[(value, CONSENT_LABELS[value]) for value in consent_options(phase)],
            label="May we publish your answers?",
            help_text="We publish a report of what we heard. You can choose how your "
            "answers are used in it.",
            error_messages={"required": "Select whether we may publish your answers",
                            "invalid_choice": "Select one of the options"},
        )
        self.fields["consent"].item_hints = {  # shown under each radio (see choice_items)
            value: CONSENT_HINTS[value] for value in consent_options(phase)
        }


class ReturnLinkForm(JourneyForm):
    email = forms.EmailField(
        max_length=254, label="Email address",
        help_text="We will send your link to this address and will not keep it.",
        error_messages={"required": "Enter your email address",
                        "invalid": "Enter an email address in the correct format, like "
                        "name@example.com",
                        "max_length": "The email address must be 254 characters or fewer"},
    )


class BeginForm(JourneyForm):
    key = forms.CharField(required=False, widget=forms.HiddenInput)
