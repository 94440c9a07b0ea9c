"""Helpers for the GOV.UK Frontend form partials in templates/respond/fields/."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def thousands(number) -> str:
    """20000 -> "20,000", as GOV.UK writes numbers."""
    return f"{int(number):,}"


@register.filter
def described_by(field: BoundField, extra: str = "") -> str:
    """The ids an input's aria-describedby lists: its hint, its error, and ``extra`` ids."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    ids += [f"{field.auto_id}-{suffix}" for suffix in extra.split() if suffix]
    return " ".join(ids)


@register.filter
def choice_items(field: BoundField) -> list[dict]:
    """Radios or checkboxes, GOV.UK style: the first item's id is the field's own id, so the
    error summary's link lands on it; the next ones are "<id>-2", "<id>-3", ..."""
    value = field.value()
    chosen = {str(v) for v in value} if isinstance(value, (list, tuple)) else {str(value)}
    hints = getattr(field.field, "item_hints", {})
    items = []
    for index, (choice, label) in enumerate(field.field.choices, 1):
        item_id = field.auto_id if index == 1 else f"{field.auto_id}-{index}"
        items.append({
            "id": item_id, "value": choice, "label": label, "hint": hints.get(choice, ""),
            "checked": value not in (None, "") and str(choice) in chosen,
        })
    return items


@register.filter
def govuk_time(moment) -> str:
    """Times as GOV.UK writes them: "5pm", "9:30am", "midday", "midnight" (local time)."""
    moment = timezone.localtime(moment)
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "midday"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


@register.filter(needs_autoescape=True)
def paragraphs(text: str, autoescape: bool = True) -> str:
    """Organiser text as GOV.UK body paragraphs: escaped, blank lines between paragraphs."""
    html = linebreaks(text, autoescape=autoescape)
    return mark_safe(html.replace("<p>", '<p class="govuk-body">'))
