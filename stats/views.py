from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search.forms import SearchForm
from search.service import selected_sheets
from stats.queries import catalogue_stats


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Figures of the catalogue, or of the catalogue's current selection (same query string)."""
    form = SearchForm(request.GET)
    form.is_valid()  # invalid values are dropped by the form and reported in its messages
    query = form.to_query()
    stats = catalogue_stats(selected_sheets(query))
    filtered = any(key != "sort" and request.GET.get(key) for key in request.GET)
    return render(request, "stats/stats.html", {"stats": stats, "form": form, "filtered": filtered})
