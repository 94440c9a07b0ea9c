"""Forms for the organiser back office: consultations, phases, questions, roles and members."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
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


def next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def renumber(items) -> None:
    """Give items positions 1..n in their current order; only rows that change are saved."""
    for position, item in enumerate(items, 1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


class ConsultationEditForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["title", "summary", "background", "run_by", "run_for", "status"]
        help_texts = {
            "summary": "One or two sentences, shown in lists and at the top of the public page.",
            "background": "Why the consultation is happening. Line breaks are kept.",
            "run_by": "The body running the consultation, for example an independent review.",
            "run_for": "Who the consultation is for, for example a police service.",
            "status": "Draft consultations are hidden from the public.",
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class ConsultationForm(ConsultationEditForm):
    """Creating a consultation: as editing, plus the slug, which is fixed once created."""

    class Meta(ConsultationEditForm.Meta):
        fields = ["title", "slug", "summary", "background", "run_by", "run_for", "status"]
        labels = {"slug": "Web address name"}
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
        if self.instance.pk:
            self.initial["options"] = "\n".join(self.instance.options)

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
        return data

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
        help_text="They need an account already; an administrator creates accounts.",
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
