"""Template filters for the back office's shared partials."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def split(text: str | None, separator: str) -> list[str]:
    """``"When|Who"|split:"|"`` -> ["When", "Who"]: lets a page pass a list to a partial."""
    return text.split(separator) if text else []

