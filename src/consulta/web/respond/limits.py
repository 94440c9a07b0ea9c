"""Rate limits on saving a draft's pages: generous, since a respondent saves every page, but
a script posting answers in a loop writes a row per post and holds the database's write lock.
Counted per client address in the cache, like starts and submissions (see pages.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from consulta.web.respond.loading import Draft
from consulta.web.respond.pages import rate_limited, too_many_page

# A person answering fast saves a page every few seconds; 120 a minute is a script.
SAVE_RATE = "120/m"


def limit_saves(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a save (429, the friendly "too many" page) from an address over its allowance.
    Goes below ``with_draft``: the draft's consultation brands the page."""

    @wraps(view)
    def limited(request: HttpRequest, draft: Draft, *args, **kwargs) -> HttpResponse:
        if rate_limited(request, "respond-save", "CONSULTA_SAVE_RATE", SAVE_RATE):
            return too_many_page(request, draft.consultation)
        return view(request, draft, *args, **kwargs)

    return limited
