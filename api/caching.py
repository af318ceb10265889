"""ETag / Last-Modified / Cache-Control for the read endpoints.

The validators summarise the whole public catalogue in one cheap query: any edit, publication,
withdrawal or structure change moves them, so a client revalidating gets a 304 or fresh data.
"""

import hashlib
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

from catalogue.models import ActionSheet, PublicationStatus, Structure

API_VERSION = "1"


def _state(request) -> tuple[datetime | None, str]:
    cached = getattr(request, "_catalogue_state", None)
    if cached is None:
        sheets = ActionSheet.objects.aggregate(
            updated=Max("updated_at"),
            published=Max("published_at"),
            count=Count("id", filter=Q(publication_status=PublicationStatus.PUBLISHED)),
        )
        structures = Structure.objects.aggregate(updated=Max("updated_at"))
        stamps = [sheets["updated"], sheets["published"], structures["updated"]]
        last_modified = max((s for s in stamps if s), default=None)
        cached = (last_modified, f"{API_VERSION}:{sheets['count']}:{stamps}")
        request._catalogue_state = cached
    return cached


def _etag(request, *args, **kwargs) -> str:
    _, state = _state(request)
    accept = request.headers.get("Accept", "")
    return hashlib.sha256(f"{state}|{request.get_full_path()}|{accept}".encode()).hexdigest()[:32]


def _last_modified(request, *args, **kwargs):
    return _state(request)[0]


def cached_read(view):
    """Conditional GET (ETag, Last-Modified → 304) and a short public Cache-Control."""
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(view)

    def wrapper(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper
