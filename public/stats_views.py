"""The observatory's pages: figures, map, charts and downloads over the catalogue's selection
(stats computes them)."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from catalogue.exports import csv_writer
from search.changes import current_generation
from search.forms import SearchForm
from stats import indexed
from stats.charts import bar_chart
from stats.maps import VIEWS, selection_map
from stats.queries import (
    catalogue_stats,
    completeness,
    keyword_trends,
    money_stats,
    partner_stats,
)
from stats.templatetags.stats_figures import euros, percent

# Keys of the statistics page that are not catalogue filters.
PAGE_KEYS = {"sort", "vue"}

# Figures downloadable as CSV: name -> (title, first column, value column, rows getter).
# Rows of "financeurs" and "completude" carry a true percentage in `share`.
PERCENT_FIGURES = {"financeurs", "completude"}
FIGURES = {
    "regions": ("Fiches par région", "Région", "Fiches", lambda f: f["stats"].by_region),
    "departements": (
        "Fiches par département",
        "Département",
        "Fiches",
        lambda f: f["stats"].by_departement,
    ),
    "annees": ("Fiches par année", "Année", "Fiches", lambda f: f["stats"].by_year),
    "mots-cles": ("Fiches par mot clé", "Mot clé", "Fiches", lambda f: f["stats"].by_keyword),
    "budgets": ("Budgets lus par tranche", "Tranche", "Fiches", lambda f: f["money"].brackets),
    "financeurs": (
        "Montants lus par type de financeur",
        "Type de financeur",
        "Montant (€)",
        lambda f: f["money"].by_funder,
    ),
    "completude": (
        "Complétude des fiches",
        "Champ",
        "Fiches qui le remplissent",
        lambda f: f["completeness"],
    ),
    "partenaires-action": (
        "Partenaires d'action",
        "Partenaire",
        "Fiches",
        lambda f: f["partners"].action,
    ),
    "partenaires-financiers": (
        "Partenaires financiers",
        "Partenaire",
        "Fiches",
        lambda f: f["partners"].financial,
    ),
    "partenaires-paires": (
        "Partenaires d'action et financiers ensemble",
        "Paire",
        "Fiches",
        lambda f: f["partners"].pairs,
    ),
}


def _map(request: HttpRequest, query, stats):
    view = request.GET.get("vue", "")
    view = view if view in VIEWS else "departements"
    return view, selection_map(
        query,
        {row.code: row.count for row in stats.by_departement},
        {row.code: row.count for row in stats.by_region},
        view=view,
        region_names={row.code: row.label for row in stats.by_region},
    )


def _cache_key(query, view: str) -> str | None:
    """Cache key of a selection's figures; it changes with every write to the sheets (the
    search index generation, which `catalogue.signals.sheets_changed` and corrections move)."""
    if settings.STATS_CACHE_SECONDS <= 0:
        return None
    text = f"{current_generation()}|{query.querystring()}|{view}"
    return "stats:" + hashlib.sha256(text.encode()).hexdigest()


def _figures(request: HttpRequest) -> dict:
    """Every figure of the selection given by the catalogue's query string (cached)."""
    form = SearchForm(request.GET)
    form.is_valid()  # invalid values are dropped by the form and reported in its messages
    query = form.to_query()
    view = request.GET.get("vue", "")
    view = view if view in VIEWS else "departements"
    key = _cache_key(query, view)
    computed = cache.get(key) if key else None
    if computed is None:
        bitmaps, sheets = indexed.selection_and_sheets(query)
        if bitmaps is None:
            stats = catalogue_stats(sheets)
            trends = keyword_trends(sheets, stats.by_year)
            partners = partner_stats(sheets, stats.by_action_partner)
        else:  # the same figures from the search engine's bitmaps (stats.indexed)
            stats = indexed.catalogue_stats(*bitmaps)
            trends = indexed.keyword_trends(*bitmaps, stats.by_year)
            partners = indexed.partner_stats(*bitmaps, stats.by_action_partner)
        computed = {
            "stats": stats,
            "money": money_stats(sheets),
            "completeness": completeness(sheets),
            "trends": trends,
            "partners": partners,
            "map": _map(request, query, stats)[1],
        }
        if key:
            cache.set(key, computed, settings.STATS_CACHE_SECONDS)
    return computed | {
        "form": form,
        "query": query,
        "map_view": view,
        "map_views": VIEWS,
        "querystring": query.querystring(),
    }


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Figures of the catalogue, or of the catalogue's current selection (same query string)."""
    context = _figures(request)
    context["filtered"] = any(key not in PAGE_KEYS and request.GET.get(key) for key in request.GET)
    return render(request, "stats/stats.html", context)


def _map_svg(request: HttpRequest) -> str:
    form = SearchForm(request.GET)
    form.is_valid()
    query = form.to_query()
    bitmaps, sheets = indexed.selection_and_sheets(query)
    stats = catalogue_stats(sheets) if bitmaps is None else indexed.catalogue_stats(*bitmaps)
    _, france = _map(request, query, stats)
    body = render_to_string("stats/_map.svg", {"map": france, "id": "carte", "standalone": True})
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


@require_GET
def map_svg(request: HttpRequest) -> HttpResponse:
    """The map of the selection as a standalone SVG file (legend and attribution included)."""
    return _download(_map_svg(request).encode(), "image/svg+xml", "carte-essaimage.svg")


def _value_format(name: str):
    if name == "financeurs":
        return lambda row: euros(row.count)
    if name == "completude":
        return lambda row: f"{percent(row.share)} ({row.count})"
    return lambda row: str(row.count)


def _source_line(request: HttpRequest, figures: dict) -> str:
    total = figures["stats"].total_sheets
    address = request.build_absolute_uri(reverse("stats:overview"))
    if figures["querystring"]:
        address += f"?{figures['querystring']}"
    return (
        f"Essaimage, {date_format(timezone.localdate(), 'j F Y')} : {total} fiche"
        f"{'s' if total > 1 else ''} ({address})"
    )


def _chart_svg(request: HttpRequest, name: str) -> str:
    if name not in FIGURES:
        raise Http404("Graphique inconnu.")
    title, _, _, rows = FIGURES[name]
    figures = _figures(request)
    chart = bar_chart(title, _source_line(request, figures), rows(figures), _value_format(name))
    return render_to_string("stats/_chart.svg", {"chart": chart})


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def figure_svg(request: HttpRequest, name: str) -> HttpResponse:
    """One chart of the page as a standalone SVG picture (title, bars, numbers, source)."""
    svg = _chart_svg(request, name)
    return _download(svg.encode(), "image/svg+xml", f"essaimage-{name}.svg")


@require_GET
def figure_png(request: HttpRequest, name: str) -> HttpResponse:
    """The same chart as a PNG picture (twice the SVG's size, for slides)."""
    import cairosvg

    svg = _map_svg(request) if name == "carte" else _chart_svg(request, name)
    png = cairosvg.svg2png(bytestring=svg.encode(), output_width=1600 if name == "carte" else 1440)
    return _download(png, "image/png", f"essaimage-{name}.png")


PLAQUETTE_CHARTS = ("mots-cles", "annees", "completude", "partenaires-action")


@require_GET
def plaquette_pdf(request: HttpRequest) -> HttpResponse:
    """The selection on two A4 pages: key figures and the map, then four charts (WeasyPrint)."""
    from catalogue.exports import render_pdf
    from search.describe import describe_query

    figures = _figures(request)
    source = _source_line(request, figures)
    charts = []
    for name in PLAQUETTE_CHARTS:
        title, _, _, rows = FIGURES[name]
        chart_rows = rows(figures)[:12]
        if chart_rows:
            chart = bar_chart(title, source, chart_rows, _value_format(name))
            charts.append(
                render_to_string("stats/_chart.svg", {"chart": chart, "id": f"graphique-{name}"})
            )
    map_svg = render_to_string(
        "stats/_map.svg", {"map": figures["map"], "id": "carte", "standalone": True}
    )
    address = request.build_absolute_uri(reverse("stats:overview"))
    if figures["querystring"]:
        address += f"?{figures['querystring']}"
    html = render_to_string(
        "stats/plaquette.html",
        figures
        | {
            "title": "Les actions des centres sociaux",
            "filters": describe_query(figures["query"]),
            "map_svg": map_svg,
            "charts": charts,
            "address": address,
            "generated_at": timezone.now(),
        },
    )
    return _download(render_pdf(html), "application/pdf", "plaquette-essaimage.pdf")


@require_GET
def figure_csv(request: HttpRequest, name: str) -> HttpResponse:
    """The data of one chart of the page, as CSV (the catalogue's French Excel dialect)."""
    if name not in FIGURES:
        raise Http404("Graphique inconnu.")
    _title, column, value_column, rows = FIGURES[name]
    figures = _figures(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="essaimage-{name}.csv"'
    response.write("\ufeff")
    writer = csv_writer(response)
    percent = name in PERCENT_FIGURES
    writer.writerow([column, value_column] + (["Part (%)"] if percent else []))
    for row in rows(figures):
        share = [str(row.share).replace(".", ",")] if percent else []
        writer.writerow([row.label, row.count, *share])
    return response
