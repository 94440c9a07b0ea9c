from django import forms


class ForgetForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the person to forget",
        help_text="Every record of this address in this consultation is removed.",
        max_length=254,
        error_messages={"required": "Enter the email address of the person to forget",
                        "invalid": "Enter an email address in the correct format, like "
                                   "name@example.org"},
    )
    delete_responses = forms.BooleanField(
        label="Also delete their submitted responses",
        help_text="Otherwise their answers are kept, with nothing linking them to the person.",
        required=False,
    )
