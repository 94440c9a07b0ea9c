"""Account pieces shown on other apps' pages (the Members page)."""

from __future__ import annotations

from django import template

from consulta.web.accounts.forms import InviteForm
from consulta.web.accounts.two_factor import has_two_factor

register = template.Library()


@register.inclusion_tag("accounts/_invite_form.html")
def invite_form(consultation):
    """The "invite a colleague" form, empty."""
    return {"consultation": consultation, "form": InviteForm(consultation=consultation)}


@register.filter
def uses_two_factor(user) -> bool:
    return has_two_factor(user)
