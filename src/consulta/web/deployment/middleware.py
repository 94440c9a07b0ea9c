"""Headers the security libraries do not set."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# Pages with people's names, addresses, answers and analysis files: browsers and proxies must
# not keep a copy (a shared computer's back button, a proxy's cache).
BACK_OFFICE_PREFIXES = ("/organise/", "/accounts/", "/admin/")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and no-cache, private) on every back-office response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(BACK_OFFICE_PREFIXES):
            add_never_cache_headers(response)
        return response
