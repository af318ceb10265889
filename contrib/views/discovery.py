"""Pages over discovery's stored computations: the moderators' probable duplicates (their
territory's pairs, side by side) and a signed-in person's confirmed search alerts."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contrib import access
from discovery import alerts, duplicates
from discovery.models import SearchAlert

# The most probable pairs first; a page of thousands of pairs helps nobody.
LISTED_PAIRS = 200


def _moderator_sheets(user):
    if not access.is_moderator(user):
        raise PermissionDenied("Réservé aux modérateurs.")
    return access.reviewable_sheets(user)


@login_required
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    # Stored pairs (discovery.duplicates.compute_pairs, update_pairs): nothing computed here.
    _moderator_sheets(request.user)
    territory = access.reviewed_departements(request.user)
    pairs, total = duplicates.stored_pairs(territory, LISTED_PAIRS)
    return render(
        request,
        "discovery/duplicate_list.html",
        {
            "pairs": pairs,
            "total": total,
            "listed": LISTED_PAIRS,
            "computation": duplicates.last_computation(),
        },
    )


@login_required
@require_GET
def duplicate_pair(request: HttpRequest, first: int, second: int) -> HttpResponse:
    found = duplicates.pair(_moderator_sheets(request.user), first, second)
    if found is None:
        raise Http404("Paire de fiches introuvable dans votre territoire.")
    return render(request, "discovery/duplicate_pair.html", {"pair": found})


@login_required
@require_GET
def my_alerts(request: HttpRequest) -> HttpResponse:
    mine = SearchAlert.objects.filter(
        Q(user=request.user) | Q(email__iexact=request.user.email), confirmed_at__isnull=False
    )
    rows = [(alert, alerts.describe(alert.query)) for alert in mine]
    return render(request, "discovery/my_alerts.html", {"rows": rows})
