from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contrib import access
from discovery import duplicates


def _moderator_sheets(user):
    if not access.is_moderator(user):
        raise PermissionDenied("Réservé aux modérateurs.")
    return access.reviewable_sheets(user)


@login_required
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    pairs = duplicates.probable_duplicates(_moderator_sheets(request.user))
    return render(request, "discovery/duplicate_list.html", {"pairs": pairs})


@login_required
@require_GET
def duplicate_pair(request: HttpRequest, first: int, second: int) -> HttpResponse:
    found = duplicates.pair(_moderator_sheets(request.user), first, second)
    if found is None:
        raise Http404("Paire de fiches introuvable dans votre territoire.")
    return render(request, "discovery/duplicate_pair.html", {"pair": found})
