"""Project-level views that know nothing of sheets."""

import logging
import sys
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from essaimage import degraded
from essaimage.lib.french import count_noun
from essaimage.middleware import unavailable_response

logger = logging.getLogger(__name__)

# Further states /healthz reports, registered by apps above this one (name -> callable
# returning a short string), e.g. the search index by operations.apps.
HEALTH_REPORTS: dict[str, Callable[[], str]] = {}


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query on the catalogue's tables, 503 otherwise.

    A database that answers reads but refuses writes is "degraded" (200: pages still render).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM catalogue_departement")
            cursor.fetchone()
        state = degraded.probe()
    except DatabaseError as error:
        logger.error("healthz: database unavailable: %s", error)
        return JsonResponse(
            {"status": "erreur", "database": "base de données injoignable"}, status=503
        )
    reports = {name: report() for name, report in HEALTH_REPORTS.items()}
    if state:
        return JsonResponse({"status": "degraded", "database": state, **reports})
    return JsonResponse({"status": "ok", "database": "ok", **reports})


def too_many_requests(request: HttpRequest, retry_after: int, message: str) -> HttpResponse:
    """429 page in French with Retry-After (essaimage.lib.limits said how long to wait)."""
    minutes = -(-retry_after // 60)
    wait_label = (
        count_noun(retry_after, "seconde") if retry_after < 60 else count_noun(minutes, "minute")
    )
    response = render(
        request, "429.html", {"message": message, "wait_label": wait_label}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a write the database refused (raised outside a view) is a 503, not a 500."""
    reason = degraded.failure_reason(sys.exc_info()[1])
    if reason:
        degraded.note_failure(reason)
        return unavailable_response(request, reason)
    return defaults.server_error(request)
