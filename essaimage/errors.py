"""French error pages in every mode, the demo's DEBUG included.

`make demo` runs `runserver` with DEBUG on (static files, plain-HTTP cookies), and the people who
try the demo are not developers: with DEBUG on Django would show its English debug pages for a
404 or a 500. This middleware renders the site's own 404.html and 500.html instead (the traceback
still goes to the console). DEBUG_TECHNICAL_ERRORS=True gives developers Django's pages back.
With DEBUG off it does nothing: Django already calls handler404 / handler500.
"""

import logging
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults

logger = logging.getLogger("django.request")


def _is_active() -> bool:
    return settings.DEBUG and not settings.DEBUG_TECHNICAL_ERRORS


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: the French 404.html (Django's own view, named here so both paths share it)."""
    return defaults.page_not_found(request, exception or Http404())


class FrenchErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # An address no route matches: Django answered with its debug 404 (no view ran).
        if (
            response.status_code == 404
            and _is_active()
            and getattr(request, "resolver_match", None) is None
        ):
            return page_not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not _is_active() or isinstance(exception, PermissionDenied):
            return None  # Django renders 403.html in every mode already.
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=sys.exc_info(),
            extra={"request": request},
        )
        from essaimage.views import server_error

        return server_error(request)
