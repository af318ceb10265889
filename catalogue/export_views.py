"""Exports of any catalogue view: the same SearchForm and search service as the page /actions/.

Each view reads the query string exactly like the list page (invalid filters are ignored there
with a message, so here too), asks the search service for every matching sheet, and hands them
to a writer of `catalogue.exports`.
"""

from collections.abc import Iterator
from functools import wraps
from itertools import islice

from django.conf import settings
from django.db.models import F
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_GET

from catalogue import exports
from catalogue import models as m
from catalogue.models import ActionSheet
from essaimage.lib import limits
from essaimage.views import too_many_requests
from search.forms import SearchForm
from search.service import iter_sheet_ids, selected_sheets

# Filters of the query string, their French label and how to show a value.
_FILTER_LABELS = {
    "departement": ("Département", m.Departement, "code"),
    "region": ("Région", m.Region, "code"),
    "keywords": ("Mots clés", m.Keyword, "value"),
    "dimension": ("Dimension", m.Dimension, "value"),
    "status": ("Statut de l'action", m.ActionStatus, "value"),
    "publics": ("Public", m.Public, "value"),
    "territory": ("Territoire concerné", m.Territory, "value"),
    "initiators": ("Qui est à l'initiative", m.Initiator, "value"),
    "action_partners": ("Partenaires d'action", m.PartnerKind, "value"),
    "financial_partners": ("Partenaires financiers", m.PartnerKind, "value"),
    "structure": ("Structure", m.Structure, "pk"),
    "structure_type": ("Type de structure", None, None),
    "year": ("Année", None, None),
}


def limited(*, heavy: bool):
    """Exports by anonymous visitors count against EXPORT_ANON_RATE per client address; heavy
    ones (seconds of CPU, built before the first byte is sent) also need one of
    EXPORT_HEAVY_PER_CLIENT places for the client and EXPORT_HEAVY_MAX in all, so a few
    clients cannot occupy every worker. Otherwise: a French 429 page with Retry-After."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            address = limits.client_address(request)
            if not request.user.is_authenticated:
                wait = limits.hit("export-anon", address, settings.EXPORT_ANON_RATE)
                if wait:
                    return too_many_requests(
                        request, wait, "Trop d'exports ont été demandés depuis votre adresse."
                    )
            if not heavy:
                return view(request, *args, **kwargs)
            try:
                with limits.slot(
                    "export-heavy",
                    address,
                    per_client=settings.EXPORT_HEAVY_PER_CLIENT,
                    total=settings.EXPORT_HEAVY_MAX,
                    timeout=settings.EXPORT_HEAVY_SLOT_SECONDS,
                ):
                    return view(request, *args, **kwargs)
            except limits.Busy as busy:
                message = (
                    "Un export PDF ou tableur demandé depuis votre adresse est encore en "
                    "préparation : attendez qu'il soit prêt."
                    if busy.for_client
                    else "Le serveur prépare déjà plusieurs exports PDF ou tableur."
                )
                return too_many_requests(request, busy.retry_after, message)

        return wrapper

    return decorator


def _query(request: HttpRequest):
    # SearchForm drops what it cannot use (unknown values, control characters): never a 500.
    return SearchForm(request.GET).to_query()


def matching_sheets(query, *, limit: int | None = None) -> Iterator[ActionSheet]:
    """Every sheet the list page shows for `query`, in its order, loaded a chunk at a time
    (capped by settings.EXPORT_MAX_SHEETS)."""
    cap = min(limit or settings.EXPORT_MAX_SHEETS, settings.EXPORT_MAX_SHEETS)
    return exports.iter_sheets_by_id(islice(iter_sheet_ids(query), cap))


def describe_query(query) -> list[tuple[str, str]]:
    """The filters of a query as (French label, values) lines, for a booklet cover or a feed."""
    lines = []
    if query.q:
        lines.append(("Recherche", query.q))
    for name, (label, model, column) in _FILTER_LABELS.items():
        values = getattr(query, name, ())
        if not values:
            continue
        if model is not None:
            found = {
                str(getattr(obj, column)): str(obj.name if hasattr(obj, "name") else obj.label)
                for obj in model.objects.filter(**{f"{column}__in": values})
            }
            shown = [found.get(str(v), str(v)) for v in values]
        elif name == "structure_type":
            types = dict(m.Structure.Type.choices)
            shown = [types.get(v, v) for v in values]
        else:
            shown = [str(v) for v in values]
        lines.append((label, ", ".join(shown)))
    if query.year_min or query.year_max:
        lines.append(
            ("Années", f"{query.year_min or '…'} à {query.year_max or '…'}"),
        )
    return lines


def _filename(extension: str) -> str:
    return f"fiches-actions-{timezone.localdate():%Y-%m-%d}.{extension}"


def _attachment(response, extension: str):
    response["Content-Disposition"] = f'attachment; filename="{_filename(extension)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@limited(heavy=False)
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    sheets = matching_sheets(_query(request))
    response = StreamingHttpResponse(
        exports.write_csv(sheets), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, "csv")


@require_GET
@limited(heavy=True)
def export_xlsx(request: HttpRequest) -> FileResponse:
    handle = exports.write_xlsx(matching_sheets(_query(request)))
    return FileResponse(
        handle,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_GET
@limited(heavy=False)
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.write_json(matching_sheets(_query(request))),
        content_type="application/json; charset=utf-8",
    )
    return _attachment(response, "json")


@require_GET
@limited(heavy=False)
def export_jsonl(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.write_jsonl(matching_sheets(_query(request))),
        content_type="application/jsonl; charset=utf-8",
    )
    return _attachment(response, "jsonl")


@require_GET
def feed_atom(request: HttpRequest) -> HttpResponse:
    """Newly published sheets among those of this view, newest first."""
    query = _query(request)
    sheets = (
        selected_sheets(query)
        .with_relations()
        .order_by(F("published_at").desc(nulls_last=True), "-created_at", "-pk")
    )[: settings.FEED_MAX_ENTRIES]
    described = "; ".join(f"{label} : {values}" for label, values in describe_query(query))
    querystring = request.GET.urlencode()
    list_url = settings.SITE_URL + "/actions/" + (f"?{querystring}" if querystring else "")
    xml = exports.write_atom(
        sheets,
        title="Essaimage : nouvelles fiches actions" + (f" ({described})" if described else ""),
        link=list_url,
        feed_url=settings.SITE_URL + request.get_full_path(),
        description="Les dernières fiches actions publiées sur Essaimage.",
    )
    response = HttpResponse(xml, content_type="application/atom+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def sheet_pdf(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    sheet = get_object_or_404(ActionSheet.objects.published().with_relations(), pk=pk)
    if slug != sheet.slug:
        return redirect("catalogue:sheet-pdf", pk=sheet.pk, slug=sheet.slug, permanent=True)
    response = HttpResponse(exports.write_sheet_pdf(sheet), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="fiche-{sheet.pk}-{sheet.slug}.pdf"'
    return response


@require_GET
@limited(heavy=True)
def booklet_pdf(request: HttpRequest) -> HttpResponse:
    """The sheets of this view as one PDF booklet: cover with the filters, contents, sheets."""
    query = _query(request)
    limit = settings.EXPORT_PDF_MAX_SHEETS
    sheets = list(matching_sheets(query, limit=limit))
    total = selected_sheets(query).count() if len(sheets) >= limit else len(sheets)
    pdf = exports.write_booklet_pdf(sheets, filters=describe_query(query), total=total)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename("pdf")}"'
    return response
