"""Portal pages (served through portals.middleware: `request.portal` is set), the portal
administrators' page, and the embeds (the only framable responses of the site)."""

import hashlib
from dataclasses import replace
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from catalogue.models import ActionSheet, Structure
from contrib import access
from portals import services
from portals.forms import EmbedForm, PortalForm
from portals.markdown import render_introduction
from portals.models import Portal, PortalVisit
from portals.selection import fixed_values
from public import views as catalogue_views
from public.listing import Listing, build_listing
from search.forms import SearchForm
from search.query import SORTS
from search.service import search_sheets, selected_sheets

EMBED_CACHE_SECONDS = 300


def _portal(request: HttpRequest) -> Portal:
    portal = getattr(request, "portal", None)
    if portal is None:  # a portal route reached without the middleware
        raise Http404("Portail introuvable.")
    return portal


def site_path(path: str) -> str:
    """`path` (built inside a portal, so prefixed) as an address of the main site."""
    prefix = get_script_prefix()
    return "/" + path[len(prefix) :] if path.startswith(prefix) else path


def _frame_listing(listing: Listing, portal: Portal, visitor: QueryDict) -> Listing:
    """The catalogue's listing narrowed to the filters and values the portal offers; the
    selection's own values are not chips (they cannot be removed inside the portal)."""
    shown = set(portal.shown_filters or ())
    offered = QueryDict(portal.offered_values)
    fixed = fixed_values(portal.selection)
    facets = []
    for facet in listing.facets:
        if shown and facet.name not in shown:
            continue
        if len(fixed.get(facet.name, ())) == 1:
            continue  # one fixed value: nothing to choose
        allowed = set(offered.getlist(facet.name))
        if allowed:
            keep = [v for v in facet.values if str(v.value) in allowed]
            facet = facet.__class__(
                facet.name, facet.label, keep, [], truncated=False, all_values_url=""
            )
        facets.append(facet)
    chips = [c for c in listing.chips if visitor.getlist(c[2])]
    return replace(listing, facets=facets, chips=chips, fixed=None)


@require_GET
@vary_on_headers("HX-Request")
def portal_catalogue(request: HttpRequest) -> HttpResponse:
    """The portal's home: its introduction and the catalogue of its selection."""
    portal = _portal(request)
    visitor = getattr(request, "visitor_query", QueryDict())
    form = SearchForm(request.GET)  # the selection merged under the visitor's filters
    query = form.to_query()
    page_url = request.path
    as_you_type = bool(request.htmx and request.htmx.trigger == "id_q")
    result = search_sheets(
        query,
        page=form.page_number,
        per_page=form.per_page,
        base_url=page_url,
        as_you_type=as_you_type,
    )
    own_order = bool(visitor.get("sort") or visitor.get("q"))
    result = services.arrange(result, portal, highlight=not own_order)
    listing = _frame_listing(build_listing(result, query, page_url), portal, visitor)
    notices = form.error_messages()
    if result.page_out_of_range:
        notices.append(
            f"La page {result.requested_page} n'existe pas : "
            f"voici la page {result.page} sur {result.num_pages}."
        )
    if not (request.htmx and request.htmx.history_restore_request):
        services.count_visit(portal, PortalVisit.Kind.PORTAL)
    template = "portals/portal_catalogue.html"
    if request.htmx and not request.htmx.history_restore_request:
        template = "catalogue/sheet_list.html#results"
    return render(
        request,
        template,
        {
            "portal": portal,
            "introduction": mark_safe(render_introduction(portal.introduction)),  # noqa: S308
            "list_url": page_url,
            "form": form,
            "query": query,
            "result": result,
            "listing": listing,
            "notices": notices,
            "sorts": SORTS,
            "page_sizes": (10, 25, 50, 100),
            "can_edit": access.can_edit_portal(request.user, portal),
        },
    )


@require_GET
def portal_sheet(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """A sheet inside the portal's frame; excluded sheets do not exist here, sheets outside
    the selection open on the main site."""
    portal = _portal(request)
    if portal.excluded.filter(pk=pk).exists():
        raise Http404("Cette fiche ne fait pas partie de ce portail.")
    base = SearchForm(QueryDict(portal.selection)).to_query()
    if not selected_sheets(base).filter(pk=pk).exists():
        sheet = get_object_or_404(ActionSheet.objects.published(), pk=pk)
        return redirect(site_path(sheet.get_absolute_url()))
    return catalogue_views.sheet_detail(request, pk, slug)


@require_GET
def portal_colours(request: HttpRequest) -> HttpResponse:
    """The portal's colours (a stylesheet: the site's policy allows no inline style)."""
    portal = _portal(request)
    css = render(request, "portals/colours.css", {"portal": portal}, content_type="text/css")
    patch_cache_control(css, public=True, max_age=3600)
    return css


@login_required
@require_http_methods(["GET", "POST"])
def manage_portal(request: HttpRequest) -> HttpResponse:
    portal = _portal(request)
    access.require_portal_editor(request.user, portal)
    if request.method == "POST":
        form = PortalForm(request.POST, request.FILES)
        if form.is_valid():
            change = services.save_portal(portal, form.cleaned_data, author=request.user)
            messages.success(
                request, "Portail enregistré." if change else "Aucune modification à enregistrer."
            )
            return redirect(request.path)
    else:
        form = PortalForm(
            initial={
                **{name: getattr(portal, name) for name in services.EDITABLE},
                "highlighted": " ".join(
                    str(i) for i in portal.highlighted.values_list("pk", flat=True)
                ),
                "excluded": " ".join(str(i) for i in portal.excluded.values_list("pk", flat=True)),
            }
        )
    return render(
        request,
        "portals/manage_portal.html",
        {
            "portal": portal,
            "form": form,
            "numbers": services.portal_numbers(portal),
            "changes": portal.changes.select_related("author")[:30],
            "administrators": portal.administrators.select_related("user"),
        },
    )


# -- Embeds ------------------------------------------------------------------------------------


def _embed_form(request: HttpRequest) -> EmbedForm:
    visitor = getattr(request, "visitor_query", request.GET)
    data = {
        "count": visitor.get("n") or visitor.get("count") or 5,
        "order": visitor.get("ordre") or visitor.get("order") or "recent",
        "q": visitor.get("q", ""),
    }
    return EmbedForm(data)


def _embed_options(form: EmbedForm) -> dict:
    if form.is_valid():
        return form.cleaned_data
    return {"count": 5, "order": "recent", "q": ""}


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _last_change(portal: Portal):
    # One MAX per indexed column (as api.caching.last_change): sheets, publications, structures.
    stamps = (
        ActionSheet.objects.aggregate(m=Max("updated_at"))["m"],
        ActionSheet.objects.aggregate(m=Max("published_at"))["m"],
        Structure.objects.aggregate(m=Max("updated_at"))["m"],
        portal.updated_at,
    )
    return max(s for s in stamps if s)


def _embed_response(request: HttpRequest, portal: Portal, build, *variant) -> HttpResponse:
    """Framable by any site (or settings.PORTAL_EMBED_FRAME_ANCESTORS), revalidated with
    ETag / Last-Modified: the validators come from the latest change of the sheets and of the
    portal, so a conditional GET gets its 304 before any search or rendering."""
    modified = _last_change(portal)
    parts = (portal.pk, modified.isoformat(), settings.SITE_URL, *variant)
    key = "|".join(str(part) for part in parts)
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag, last_modified=int(modified.timestamp()))
    if response is None:
        response = build()
    ancestors = settings.PORTAL_EMBED_FRAME_ANCESTORS
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self' data:; style-src 'self'; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    patch_cache_control(response, public=True, max_age=EMBED_CACHE_SECONDS)
    return response


def _embed_sheets(portal: Portal, options: dict) -> list[dict]:
    sheets = services.latest_sheets(
        portal, count=options["count"], order=options["order"], text=options["q"]
    )
    rows = []
    for sheet in sheets:
        structure = sheet.structure
        departement = structure.departement if structure else None
        rows.append(
            {
                "title": sheet.title,
                "url": _absolute(site_path(sheet.get_absolute_url())),
                "structure": structure.name if structure else "",
                "departement": departement.name if departement else "",
                "year": sheet.year,
            }
        )
    return rows


@xframe_options_exempt
@require_GET
def embed_list(request: HttpRequest) -> HttpResponse:
    """The iframe: a compact list of the selection's latest or most relevant sheets."""
    portal = _portal(request)
    options = _embed_options(_embed_form(request))
    services.count_visit(portal, PortalVisit.Kind.EMBED)

    def build():
        context = {
            "portal": portal,
            "rows": _embed_sheets(portal, options),
            "portal_url": _absolute(portal.prefix),
        }
        return render(request, "portals/embed_list.html", context)

    return _embed_response(request, portal, build, "list", *sorted(options.items()))


@require_GET
def embed_data(request: HttpRequest) -> HttpResponse:
    """The script's data: the same list as JSON, readable from any origin, no cookie."""
    portal = _portal(request)
    options = _embed_options(_embed_form(request))
    services.count_visit(portal, PortalVisit.Kind.EMBED)

    def build():
        body = {
            "title": portal.title,
            "url": _absolute(portal.prefix),
            "sheets": _embed_sheets(portal, options),
        }
        return JsonResponse(body, json_dumps_params={"ensure_ascii": False})

    return _embed_response(request, portal, build, "data", *sorted(options.items()))


@lru_cache(maxsize=1)
def _script_source() -> str:
    with open(finders.find("portals/embed.js"), encoding="utf-8") as script:
        return script.read()


@lru_cache(maxsize=1)
def _script_version() -> str:
    return hashlib.sha256(_script_source().encode()).hexdigest()[:16]


@require_GET
def embed_script(request: HttpRequest) -> HttpResponse:
    portal = _portal(request)
    source = _script_source()

    def build():
        return HttpResponse(source, content_type="text/javascript; charset=utf-8")

    return _embed_response(request, portal, build, "script", _script_version())


@require_GET
def embed_builder(request: HttpRequest) -> HttpResponse:
    """« Intégrer sur votre site »: the two snippets, following the form, with a live preview."""
    portal = _portal(request)
    form = _embed_form(request)
    options = _embed_options(form)
    params = {"n": options["count"], "ordre": options["order"]}
    if options["q"]:
        params["q"] = options["q"]
    query = QueryDict(mutable=True)
    query.update(params)
    qs = query.urlencode()
    base = _absolute(portal.prefix)
    iframe_src = f"{base}integration/liste/?{qs}"
    data_src = f"{base}integration/fiches.json?{qs}"
    script_src = f"{base}integration/script.js"
    iframe = (
        f'<iframe src="{iframe_src}" title="Actions : {escape(portal.title)}" '
        f'style="width:100%;height:{8 + 5 * options["count"]}em;border:0" loading="lazy"></iframe>'
    )
    script = f'<div data-essaimage="{data_src}"></div>\n<script src="{script_src}" async></script>'
    return render(
        request,
        "portals/embed_builder.html",
        {
            "portal": portal,
            "form": form,
            "options": options,
            "iframe_code": iframe,
            "script_code": script,
            "preview_iframe": f"{portal.prefix}integration/liste/?{qs}",
            "preview_data": f"{portal.prefix}integration/fiches.json?{qs}",
            "preview_script": f"{portal.prefix}integration/script.js",
            "preview_height": 8 + 5 * options["count"],
        },
    )


@require_GET
def portal_list(request: HttpRequest) -> HttpResponse:
    """Every portal, with a link to those the visitor administers."""
    editable = set(access.administered_portals(request.user).values_list("pk", flat=True))
    return render(
        request,
        "portals/portal_list.html",
        {"portals": Portal.objects.all(), "editable": editable},
    )


@require_GET
def unknown_portal(request: HttpRequest, slug: str) -> HttpResponse:
    # Reached only when the middleware found no portal of that name.
    raise Http404("Portail introuvable.")
