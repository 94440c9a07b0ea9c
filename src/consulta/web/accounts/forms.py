"""Forms for signing in with a code, setting up two-factor authentication and inviting colleagues."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from consulta.web.consultations.models import Membership


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=20, strip=True,
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                      "spellcheck": "false", "autocapitalize": "off"}),
    )


class SetupCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your app", max_length=10, strip=True,
        help_text="The 6-digit code your authenticator app shows now.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.ANALYST)

    def __init__(self, *args, consultation, **kwargs):
        # Its own prefix: the Members page also shows the add-member form, with a "role" too.
        super().__init__(*args, prefix="invite", **kwargs)
        self.consultation = consultation

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        members = self.consultation.memberships.filter(user__email__iexact=email)
        if members.exists():
            raise ValidationError("Someone with that email address is already a member.")
        return email


class NewAccountForm(SetPasswordForm):
    """An invited colleague's new account: a username (their email unless taken) and a password
    checked by the site's validators."""

    field_order = ["username", "new_password1", "new_password2"]
    username = forms.CharField(
        label="Username", max_length=150, validators=[UnicodeUsernameValidator()],
        help_text="You sign in with this. Your email address is fine.",
    )

    def __init__(self, email: str, *args, **kwargs):
        user = get_user_model()(username=email, email=email)  # validators compare against it
        super().__init__(user, *args, initial={"username": email}, **kwargs)
        self.fields["new_password1"].label = "Password"
        self.fields["new_password2"].label = "Confirm password"

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        self.user.username = username
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError("That username is taken. Choose another.")
        return username
