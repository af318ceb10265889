"""Project-level views that know nothing of sheets."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query on the catalogue's tables, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM catalogue_departement")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("healthz: database unavailable: %s", error)
        return JsonResponse(
            {"status": "erreur", "database": "base de données injoignable"}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def too_many_requests(request: HttpRequest, retry_after: int, message: str) -> HttpResponse:
    """429 page in French with Retry-After (essaimage.lib.limits said how long to wait)."""
    minutes = -(-retry_after // 60)
    wait_label = (
        f"{retry_after} seconde{pluralize(retry_after)}"
        if retry_after < 60
        else f"{minutes} minute{pluralize(minutes)}"
    )
    response = render(
        request, "429.html", {"message": message, "wait_label": wait_label}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response
