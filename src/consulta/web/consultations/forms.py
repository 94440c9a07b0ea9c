"""Forms for the organiser back office: consultations, phases, questions, roles and members."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from consulta.web.consultations.models import (
    AGREEMENT_SCALE,
    LONG_TEXT_LIMIT,
    SHORT_TEXT_LIMIT,
    Consultation,
    Membership,
    Phase,
    Question,
    RespondentRole,
)

# Long answers are the point of a consultation: the issue forbids capping them below
# LONG_TEXT_LIMIT, and this ceiling keeps one answer from swamping the database.
LONG_TEXT_CEILING = 100_000
# These are back-office addresses themselves (/organise/new/), so no consultation may use them.
RESERVED_SLUGS = {"new", "create"}
# What <input type="datetime-local"> sends and expects.
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
KEY_BASE_LENGTH = 40  # leaves room for a "_2" suffix within the 50-character key
DEFAULT_BRAND_COLOUR = Consultation._meta.get_field("brand_colour").default
MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text: white on the brand colour


def next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def renumber(items) -> None:
    """Give items positions 1..n in their current order; only rows that change are saved."""
    for position, item in enumerate(items, 1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


def _relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                        for c in channels]
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour: str) -> float:
    return 1.05 / (_relative_luminance(colour) + 0.05)


# What respondents see and whom they can ask: the settings below the consultation's wording.
RESPONDENT_FIELDS = ["privacy_notice", "contact_email", "brand_colour", "retain_until",
                     "require_two_factor"]


class ConsultationEditForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["title", "summary", "background", "run_by", "run_for", "status",
                  *RESPONDENT_FIELDS]
        labels = {"brand_colour": "Brand colour"}
        help_texts = {
            "summary": "One or two sentences, shown in lists and at the top of the public page.",
            "background": "Why the consultation is happening. Line breaks are kept.",
            "run_by": "The body running the consultation, for example an independent review.",
            "run_for": "Who the consultation is for, for example a police service.",
            "status": "Draft consultations are hidden from the public, and no invitations can "
            "be sent for them.",
            "privacy_notice": "How answers are stored, used and published. Respondents read it "
            "before they start. Line breaks are kept.",
            "contact_email": "Where respondents can ask about the consultation or their data. "
            "Partners who were not invited are told to write here.",
            "brand_colour": "The colour of the respondents' page header, like #1d3a6e. White "
            "text sits on it, so it must be dark.",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "brand_colour": forms.TextInput(attrs={"spellcheck": "false", "size": 7}),
            "retain_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand_colour"].required = False  # left empty: the colour stays as it is

    def clean_brand_colour(self) -> str:
        colour = self.cleaned_data["brand_colour"].strip().lower()
        if not colour:
            return self.instance.brand_colour or DEFAULT_BRAND_COLOUR
        if not re.fullmatch(r"#[0-9a-f]{6}", colour):
            raise ValidationError("Enter the colour as # and six hexadecimal digits, like "
                                  "#1d3a6e.")
        if contrast_with_white(colour) < MIN_CONTRAST:
            raise ValidationError(f"White text on {colour} is too hard to read (contrast "
                                  f"{contrast_with_white(colour):.1f}:1, at least "
                                  f"{MIN_CONTRAST}:1 is needed). Choose a darker colour.")
        return colour

    def clean_retain_until(self):
        day = self.cleaned_data["retain_until"]
        # A past date would have the worker delete identities at once: only on purpose, later.
        if day and day != self.instance.retain_until and day <= timezone.localdate():
            raise ValidationError("Choose a date after today. Personal data is deleted after "
                                  "this date.")
        return day


class ConsultationForm(ConsultationEditForm):
    """Creating a consultation: as editing, plus the slug, which is fixed once created."""

    class Meta(ConsultationEditForm.Meta):
        fields = ["title", "slug", "summary", "background", "run_by", "run_for", "status",
                  *RESPONDENT_FIELDS]
        labels = {**ConsultationEditForm.Meta.labels, "slug": "Web address name"}
        help_texts = {
            **ConsultationEditForm.Meta.help_texts,
            "slug": "Used in web addresses, like “policing-2026”. Letters, numbers, hyphens "
            "and underscores only. It cannot be changed later.",
        }

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise ValidationError("This name is reserved. Choose another.")
        if Consultation.objects.filter(slug=slug).exists():
            raise ValidationError("Another consultation already uses this name. Choose another.")
        return slug

    def save_with_organiser(self, user) -> Consultation:
        with transaction.atomic():
            consultation = self.save()
            Membership.objects.create(
                consultation=consultation, user=user, role=Membership.Role.ORGANISER
            )
        return consultation


def _datetime_local() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT)


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["name", "audience", "anonymity", "opens_at", "closes_at", "intro"]
        labels = {"opens_at": "Opens", "closes_at": "Closes", "intro": "Introduction"}
        help_texts = {
            "anonymity": "Anonymous phases keep no link between an answer and a person.",
            "opens_at": "UK time.",
            "closes_at": "UK time. Must be after the opening time.",
            "intro": "Shown to respondents above the questions.",
        }
        widgets = {"opens_at": _datetime_local(), "closes_at": _datetime_local()}

    def clean_anonymity(self) -> str:
        anonymity = self.cleaned_data["anonymity"]
        phase = self.instance
        # Respondents answered under the promise they were given; it cannot change afterwards.
        if phase.pk and anonymity != phase.anonymity and phase.responses.exists():
            raise ValidationError("This phase has responses, so its anonymity cannot change.")
        return anonymity

    def clean(self) -> dict:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The closing time must be after the opening time.")
        return data


class QuestionForm(forms.ModelForm):
    key = forms.SlugField(
        max_length=50,
        required=False,
        help_text="A short name used in imports and exports, like “working_well”. "
        "Leave blank to make one from the question.",
    )
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line. Needed for single and multiple choice. For an agreement "
        "scale, leave blank to use the usual five points. Ignored for text questions.",
    )
    max_length = forms.IntegerField(
        required=False,
        min_value=1,
        label="Maximum answer length in characters",
        help_text=f"Text questions only. Leave blank for the default: {LONG_TEXT_LIMIT:,} for "
        f"long text, {SHORT_TEXT_LIMIT} for short text. Long text allows {LONG_TEXT_LIMIT:,} to "
        f"{LONG_TEXT_CEILING:,}.",
    )

    class Meta:
        model = Question
        fields = ["title", "key", "context", "kind", "required", "options", "max_length"]
        labels = {"title": "Question", "context": "Context", "required": "An answer is required"}
        help_texts = {"context": "Shown with the question as its hint. Line breaks are kept."}
        widgets = {"title": forms.TextInput()}

    def __init__(self, *args, phase: Phase, **kwargs):
        super().__init__(*args, **kwargs)
        self.phase = phase
        self.instance.phase = phase
        self.answer_count = self.instance.answers.count() if self.instance.pk else 0
        if self.instance.pk:
            self.initial["options"] = "\n".join(self.instance.options)
        if self.answer_count:
            self.fields["confirm_change"] = forms.BooleanField(
                required=False, label="Change this question although it has answers",
                help_text="Needed only to change the question, its kind or its options: the "
                "answers already given replied to the question as it is now.",
            )

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if key:
            if self._key_taken(key):
                raise ValidationError("Another question in this phase uses this key.")
            return key
        title = self.cleaned_data.get("title")
        if not title:
            return ""  # the title's own error is shown
        key = self._derive_key(title)
        if not key:
            raise ValidationError("Enter a key: the question has no letters to make one from.")
        return key

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind:
            data["options"] = self._clean_options(kind, data.get("options") or "")
            if "max_length" not in self.errors:
                data["max_length"] = self._clean_max_length(kind, data.get("max_length"))
        confirmed = data.get("confirm_change")
        if kind and self.answer_count and self._changes_meaning(data) and not confirmed:
            self.add_error("confirm_change", "This question has answers: tick the box to "
                           "confirm the change, or keep its wording, kind and options.")
        return data

    def _changes_meaning(self, data: dict) -> bool:
        """Whether the saved answers would seem to reply to another question. The instance
        still holds the saved values here: the form writes to it after ``clean``."""
        saved = self.instance
        return (
            data.get("title", saved.title) != saved.title
            or data["kind"] != saved.kind
            or data["options"] != saved.choices_offered()
        )

    def save(self, commit: bool = True) -> Question:
        if not self.instance.pk:
            self.instance.position = next_position(self.phase.questions.all())
        return super().save(commit)

    def _key_taken(self, key: str) -> bool:
        # exclude(pk=None) excludes nothing, so this works for a new question too.
        return self.phase.questions.filter(key=key).exclude(pk=self.instance.pk).exists()

    def _derive_key(self, title: str) -> str:
        # Underscores, like the keys of the seed ("working_well"): they read well as column names.
        base = slugify(title).replace("-", "_")[:KEY_BASE_LENGTH].strip("_")
        key, suffix = base, 2
        while base and self._key_taken(key):
            key, suffix = f"{base}_{suffix}", suffix + 1
        return key

    def _clean_options(self, kind: str, text: str) -> list[str]:
        if kind not in Question.CHOICE_KINDS:
            return []
        options = [line.strip() for line in text.splitlines() if line.strip()]
        if kind == Question.Kind.AGREEMENT_SCALE and not options:
            return list(AGREEMENT_SCALE)
        if len(options) < 2:
            self.add_error("options", "Enter at least two options, one per line.")
        elif len(set(options)) < len(options):
            self.add_error("options", "Each option must be different.")
        return options

    def _clean_max_length(self, kind: str, value: int | None) -> int:
        if kind == Question.Kind.LONG_TEXT:
            value = value or LONG_TEXT_LIMIT
            if not LONG_TEXT_LIMIT <= value <= LONG_TEXT_CEILING:
                self.add_error(
                    "max_length",
                    f"Long text answers must allow between {LONG_TEXT_LIMIT:,} and "
                    f"{LONG_TEXT_CEILING:,} characters.",
                )
            return value
        if kind == Question.Kind.SHORT_TEXT:
            value = value or SHORT_TEXT_LIMIT
            if value > LONG_TEXT_LIMIT:
                self.add_error(
                    "max_length",
                    f"Short text answers allow at most {LONG_TEXT_LIMIT:,} characters. "
                    "Use long text for more.",
                )
            return value
        return SHORT_TEXT_LIMIT  # choice questions have no free text to limit


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])

    def move(self, item, siblings: list) -> bool:
        """Swap item with its neighbour and renumber 1..n; False when it is already at the end."""
        index = siblings.index(item)
        target = index - 1 if self.cleaned_data["direction"] == "up" else index + 1
        if not 0 <= target < len(siblings):
            return False
        siblings[index], siblings[target] = siblings[target], siblings[index]
        renumber(siblings)
        return True


class RoleForm(forms.ModelForm):
    class Meta:
        model = RespondentRole
        fields = ["name"]
        labels = {"name": "Role name"}
        help_texts = {"name": "For example “police officer”. Internal respondents choose one."}

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.consultation = consultation

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if self.instance.consultation.roles.filter(name__iexact=name).exists():
            raise ValidationError("This consultation already has that role.")
        return name

    def save(self, commit: bool = True) -> RespondentRole:
        self.instance.position = next_position(self.instance.consultation.roles.all())
        return super().save(commit)


class MemberForm(forms.Form):
    user = forms.CharField(
        label="Username or email address",
        max_length=254,
        help_text="For someone who has an account already; invite anyone else by email below.",
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.ORGANISER)

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation

    def clean_user(self):
        text = self.cleaned_data["user"].strip()
        users = get_user_model().objects.filter(is_active=True)
        matches = list(users.filter(username=text)) or list(users.filter(email__iexact=text)[:2])
        if not matches:
            raise ValidationError("There is no account with that username or email address.")
        if len(matches) > 1:
            raise ValidationError("More than one account uses that email. Enter the username.")
        user = matches[0]
        if self.consultation.memberships.filter(user=user).exists():
            raise ValidationError(f"{user.get_username()} is already a member.")
        return user

    def save(self) -> Membership:
        return Membership.objects.create(
            consultation=self.consultation,
            user=self.cleaned_data["user"],
            role=self.cleaned_data["role"],
        )
