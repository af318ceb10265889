"""Degraded mode in the request cycle: a refused write answers a French 503, pages say so."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from essaimage import degraded

logger = logging.getLogger(__name__)


def unavailable_response(request: HttpRequest, reason: str) -> HttpResponse:
    """The 503 a write gets while the database takes no writes (JSON under /api/)."""
    message = (
        f"Enregistrement impossible pour le moment : {degraded.describe(reason)}. "
        "Rien n'a été enregistré ; la consultation du catalogue reste possible. "
        "Réessayez plus tard."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "errors": []}, status=503)
    else:
        html = render_to_string("503.html", {"message": message})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(degraded.RETRY_SECONDS)
    return response


class DegradedModeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        reason = degraded.failure_reason(exception)
        if reason is None:
            return None
        degraded.note_failure(reason)
        logger.warning("write refused (%s) on %s: %s", reason, request.path, exception)
        return unavailable_response(request, reason)


def degraded_mode(request: HttpRequest) -> dict:
    """Context processor: `editing_unavailable` holds the reason, in French, or ""."""
    reason = degraded.current_state()
    return {"editing_unavailable": degraded.describe(reason) if reason else ""}
