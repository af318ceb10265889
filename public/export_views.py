"""Exports of any catalogue view: the same SearchForm and search service as the page /actions/.

Each view reads the query string exactly like the list page (invalid filters are ignored there
with a message, so here too), asks the search service for every matching sheet, and hands them
to a writer of `catalogue.exports`.
"""

from functools import wraps

from django.conf import settings
from django.db.models import F
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from catalogue import exports
from catalogue.models import ActionSheet, ExportJob
from essaimage.lib import limits
from essaimage.views import too_many_requests
from public import export_jobs
from search.describe import describe_query
from search.forms import SearchForm
from search.service import selected_sheets

# One source for the files of the web request and of the job worker.

matching_sheets = export_jobs.matching_sheets


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


def in_background_past_threshold(fmt: str):
    """Past EXPORT_SYNC_MAX_SHEETS sheets (EXPORT_PDF_SYNC_MAX_SHEETS for a booklet), the view
    answers a French page offering to prepare the file in the background instead."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            needed, count = export_jobs.background_needed(fmt, _query(request))
            if not needed:
                return view(request, *args, **kwargs)
            context = {
                "format": export_jobs.FORMATS[fmt],
                "fmt": fmt,
                "count": count,
                "querystring": request.GET.urlencode(),
                "keep_hours": settings.EXPORT_JOB_KEEP_SECONDS // 3600,
            }
            return render(request, "catalogue/export_offer.html", context)

        return wrapper

    return decorator


def _filename(extension: str) -> str:
    return f"fiches-actions-{timezone.localdate():%Y-%m-%d}.{extension}"


def _attachment(response, extension: str):
    response["Content-Disposition"] = f'attachment; filename="{_filename(extension)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@limited(heavy=False)
@in_background_past_threshold("csv")
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    sheets = matching_sheets(_query(request))
    response = StreamingHttpResponse(
        exports.write_csv(sheets), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, "csv")


@require_GET
@limited(heavy=True)
@in_background_past_threshold("xlsx")
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
@in_background_past_threshold("json")
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.write_json(matching_sheets(_query(request))),
        content_type="application/json; charset=utf-8",
    )
    return _attachment(response, "json")


@require_GET
@limited(heavy=False)
@in_background_past_threshold("jsonl")
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
@in_background_past_threshold("pdf")
def booklet_pdf(request: HttpRequest) -> HttpResponse:
    """The sheets of this view as one PDF booklet: cover with the filters, contents, sheets."""
    pdf = export_jobs.booklet(_query(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename("pdf")}"'
    return response


@require_POST
def start_export_job(request: HttpRequest) -> HttpResponse:
    """Prepare the export of a view in the background (the offer page's button)."""
    fmt = request.POST.get("format", "")
    if fmt not in export_jobs.FORMATS:
        return HttpResponseBadRequest("Format d'export inconnu.")
    try:
        job = export_jobs.start(
            fmt, request.POST.get("querystring", ""), limits.client_address(request)
        )
    except export_jobs.TooManyJobs:
        count = settings.EXPORT_JOBS_PER_CLIENT
        return too_many_requests(
            request,
            60,
            f"Vous avez déjà {count} export{pluralize(count)} en préparation : attendez "
            f"qu'{'ils soient prêts' if count > 1 else 'il soit prêt'} pour en demander un autre.",
        )
    return redirect("catalogue:export-job", pk=job.pk)


@require_GET
def export_job(request: HttpRequest, pk) -> HttpResponse:
    """Progress of a background export, then its download link (htmx polls the status)."""
    job = get_object_or_404(ExportJob, pk=pk)
    context = {
        "job": job,
        "format": export_jobs.FORMATS[job.format],
        "available": export_jobs.available(job),
        "list_url": "/actions/" + (f"?{job.querystring}" if job.querystring else ""),
    }
    template = "catalogue/export_job.html"
    if request.htmx:
        template += "#status"
    return render(request, template, context)


@require_GET
def export_job_file(request: HttpRequest, pk) -> HttpResponse:
    job = get_object_or_404(ExportJob, pk=pk)
    if not export_jobs.available(job):
        raise Http404("Ce fichier n'est plus disponible.")
    return FileResponse(
        export_jobs.job_path(job).open("rb"),
        as_attachment=True,
        filename=f"fiches-actions-{timezone.localtime(job.created_at):%Y-%m-%d}.{job.format}",
        content_type=export_jobs.FORMATS[job.format].content_type,
    )
