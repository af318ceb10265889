from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from search.forms import SearchForm
from search.service import selected_sheets
from stats.maps import VIEWS, selection_map
from stats.queries import catalogue_stats

# Keys of the statistics page that are not catalogue filters.
PAGE_KEYS = {"sort", "vue"}


def _selection(request: HttpRequest):
    form = SearchForm(request.GET)
    form.is_valid()  # invalid values are dropped by the form and reported in its messages
    query = form.to_query()
    stats = catalogue_stats(selected_sheets(query))
    view = request.GET.get("vue", "")
    view = view if view in VIEWS else "departements"
    france = selection_map(
        query,
        {row.code: row.count for row in stats.by_departement},
        {row.code: row.count for row in stats.by_region},
        view=view,
        region_names={row.code: row.label for row in stats.by_region},
    )
    return form, query, stats, view, france


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Figures of the catalogue, or of the catalogue's current selection (same query string)."""
    form, query, stats, view, france = _selection(request)
    filtered = any(key not in PAGE_KEYS and request.GET.get(key) for key in request.GET)
    return render(
        request,
        "stats/stats.html",
        {
            "stats": stats,
            "form": form,
            "query": query,
            "filtered": filtered,
            "map": france,
            "map_view": view,
            "map_views": VIEWS,
            "querystring": query.querystring(),
        },
    )


@require_GET
def map_svg(request: HttpRequest) -> HttpResponse:
    """The map of the selection as a standalone SVG file (to paste into a slide)."""
    _, _, _, _, france = _selection(request)
    body = render_to_string("stats/_map.svg", {"map": france, "id": "carte", "standalone": True})
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body, content_type="image/svg+xml"
    )
    response["Content-Disposition"] = 'attachment; filename="carte-essaimage.svg"'
    return response
