"""Public pages of the catalogue. Minimal until the catalogue issue (#3) brings search."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from catalogue.models import ActionSheet, Attachment, Departement, Structure


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    sheets = ActionSheet.objects.published().with_relations().order_by("title", "pk")
    return render(request, "catalogue/home.html", {"sheets": sheets})


@require_GET
def sheet_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    sheet = get_object_or_404(ActionSheet.objects.published().with_relations(), pk=pk)
    if slug != sheet.slug:
        return redirect(sheet, permanent=True)
    return render(request, "catalogue/sheet_detail.html", {"sheet": sheet})


@require_GET
def structure_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    structure = get_object_or_404(Structure.objects.select_related("departement"), pk=pk)
    if slug != structure.slug:
        return redirect(structure, permanent=True)
    sheets = structure.sheets.published().with_relations()
    return render(
        request, "catalogue/structure_detail.html", {"structure": structure, "sheets": sheets}
    )


@require_GET
def departement_detail(request: HttpRequest, code: str) -> HttpResponse:
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code.upper())
    sheets = (
        ActionSheet.objects.published().with_relations().filter(structure__departement=departement)
    )
    return render(
        request,
        "catalogue/departement_detail.html",
        {"departement": departement, "sheets": sheets},
    )


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        Attachment.objects.select_related("sheet"),
        pk=pk,
        removed_at__isnull=True,
        sheet__publication_status="published",
    )
    if not attachment.file:
        raise Http404("Fichier indisponible.")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
