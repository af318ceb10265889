"""Project-level views that know nothing of sheets."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
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
