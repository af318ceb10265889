"""Public pages of the catalogue: home, list (through the search service), sheet, structure,
département, attachment download."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from catalogue.downloads import attachment_response
from catalogue.models import ActionSheet, Attachment, Departement, Keyword, Structure
from discovery.similarity import similar_to
from public import export_jobs, open_data
from public.listing import all_facet_values, build_listing, catalogue_url, page_query
from search.facets import BY_NAME as FACET_BY_NAME
from search.forms import SearchForm
from search.query import SORTS
from search.service import ORDERINGS, search_sheets

HOME_LATEST = 6
OTHER_SHEETS = 10


def _search_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    page_url: str | None = None,
    fixed: tuple[str, str] | None = None,
):
    """Validate the query string, run the search, render the page (or its results for htmx).

    `fixed` (key, value) is the filter a structure or département page stands for: it is always
    applied; asking the page for other values of that key (a ticked box of the same facet) leads
    to the whole catalogue with every filter kept, since the page could not show them."""
    data = request.GET
    page_url = page_url or request.path
    if fixed:
        name, value = fixed
        asked = [v.strip() for v in data.getlist(name) if v.strip()]
        data = data.copy()
        data.setlist(name, [value, *(v for v in asked if v.upper() != value.upper())])
        if len(data.getlist(name)) > 1:
            data.pop("page", None)
            url = reverse("catalogue:sheet-list") + "?" + data.urlencode()
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return redirect(url)
    form = SearchForm(data)
    query = form.to_query()
    if fixed and any(p.filter_name == fixed[0] and p.added for p in query.places):
        # A place typed on a département or structure page names other sheets than the page's.
        url = reverse("catalogue:sheet-list") + "?" + query.querystring()
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    # Search as you type: htmx sends the box's own requests; its last word may be unfinished.
    as_you_type = bool(request.htmx and request.htmx.trigger == "id_q")
    result = search_sheets(
        query,
        page=form.page_number,
        per_page=form.per_page,
        base_url=page_url,
        as_you_type=as_you_type,
    )
    fixed_value = None
    if fixed:
        fixed_value = getattr(query, fixed[0])[0] if getattr(query, fixed[0]) else None
    listing = build_listing(result, query, page_url, (fixed[0], fixed_value) if fixed else None)
    # Pagination and "Vouliez-vous dire" links carry the query without the page's own filter.
    result.query = page_query(query, fixed[0] if fixed else None)
    messages = form.error_messages()
    if result.page_out_of_range:
        messages.append(
            f"La page {result.requested_page} n'existe pas : "
            f"voici la page {result.page} sur {result.num_pages}."
        )
    if request.htmx and not request.htmx.history_restore_request:
        # Every catalogue-like page extends sheet_list.html, which defines the partial.
        template = "catalogue/sheet_list.html#results"
    # What the window title names besides the page: the words, the filters, the page number.
    title_parts = [f"« {query.shown_q} »"] if query.shown_q else []
    title_parts += [value.label for _, value, _ in listing.chips]
    if result.page > 1:
        title_parts.append(f"page {result.page}")
    context |= {
        "title_parts": title_parts,
        "page_name": context.get("page_name", "Catalogue des actions"),
        "form": form,
        "query": query,
        "result": result,
        "listing": listing,
        "notices": messages,
        "sorts": SORTS,
        "page_sizes": (10, 25, 50, 100),
    }
    return render(request, template, context)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    published = ActionSheet.objects.published()
    latest = published.with_relations().order_by(*ORDERINGS["recent"])[:HOME_LATEST]
    keywords = Keyword.objects.filter(sheets__publication_status="published").distinct()
    departements = (
        Departement.objects.filter(structures__sheets__publication_status="published")
        .distinct()
        .order_by("code")
    )
    return render(
        request,
        "catalogue/home.html",
        {
            "total": published.count(),
            "latest": latest,
            "keywords": keywords,
            "departements": departements,
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def sheet_list(request: HttpRequest) -> HttpResponse:
    return _search_page(request, "catalogue/sheet_list.html", {})


@require_GET
def sheet_short_link(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = get_object_or_404(ActionSheet.objects.published().only("pk", "title"), pk=pk)
    return redirect(sheet, permanent=True)


@require_GET
def sheet_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    sheet = get_object_or_404(ActionSheet.objects.published().with_relations(), pk=pk)
    if slug != sheet.slug:
        return redirect(sheet, permanent=True)
    others = (
        ActionSheet.objects.published()
        .filter(structure_id=sheet.structure_id)
        .exclude(pk=sheet.pk)
        .order_by("title", "pk")
        .only("pk", "title", "year")
    )
    return render(
        request,
        "catalogue/sheet_detail.html",
        {
            "sheet": sheet,
            "others": others[:OTHER_SHEETS],
            "others_count": others.count(),
            "similar": similar_to(sheet),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def structure_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    structure = get_object_or_404(Structure.objects.select_related("departement__region"), pk=pk)
    if slug != structure.slug:
        return redirect(structure, permanent=True)
    return _search_page(
        request,
        "catalogue/structure_detail.html",
        {
            "structure": structure,
            "list_url": structure.get_absolute_url(),
            "page_name": structure.name,
        },
        page_url=structure.get_absolute_url(),
        fixed=("structure", str(structure.pk)),
    )


class StructureSearchForm(forms.Form):
    """The directory's filters: words of the name or commune (or a postcode), a département."""

    q = forms.CharField(label="Nom, commune ou code postal", required=False, max_length=100)
    departement = forms.CharField(label="Département (code)", required=False, max_length=3)

    def clean_departement(self) -> str:
        code = self.cleaned_data["departement"].strip().upper()
        if code and not Departement.objects.filter(code=code).exists():
            raise forms.ValidationError("Département inconnu : indiquez son code (35, 2A, 974…).")
        return code


STRUCTURES_PER_PAGE = 50


@require_GET
def structure_list(request: HttpRequest) -> HttpResponse:
    """The directory of structures (every one, with or without sheets), by name and commune."""
    form = StructureSearchForm(request.GET)
    structures = Structure.objects.in_directory().select_related("departement")
    if form.is_valid():
        for word in form.cleaned_data["q"].split():
            structures = structures.filter(
                Q(name__icontains=word) | Q(commune__icontains=word) | Q(postcode__startswith=word)
            )
        if form.cleaned_data["departement"]:
            structures = structures.filter(departement_id=form.cleaned_data["departement"])
    else:
        structures = structures.none()
    structures = structures.annotate(
        sheet_count=Count("sheets", filter=Q(sheets__publication_status="published"))
    ).order_by("name", "pk")
    page = Paginator(structures, STRUCTURES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalogue/structure_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
@vary_on_headers("HX-Request")
def departement_detail(request: HttpRequest, code: str) -> HttpResponse:
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code.upper())
    return _search_page(
        request,
        "catalogue/departement_detail.html",
        {
            "departement": departement,
            "list_url": departement.get_absolute_url(),
            "page_name": departement.name,
        },
        page_url=departement.get_absolute_url(),
        fixed=("departement", departement.code),
    )


@require_GET
def facet_values(request: HttpRequest, name: str) -> HttpResponse:
    """Every value of a facet the sidebar shortens (structures), with counts and links."""
    definition = FACET_BY_NAME.get(name)
    if definition is None:
        raise Http404("Filtre inconnu.")
    form = SearchForm(request.GET)
    query = form.to_query()
    facet = all_facet_values(definition, query, reverse("catalogue:sheet-list"))
    return render(
        request,
        "catalogue/facet_values.html",
        {"facet": facet, "query": query, "back_url": catalogue_url(query)},
    )


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        Attachment.objects.select_related("sheet"),
        pk=pk,
        removed_at__isnull=True,
        sheet__publication_status="published",
    )
    return attachment_response(attachment)


@require_GET
def open_data_page(request: HttpRequest) -> HttpResponse:
    files, preparing = open_data.published_files()
    return render(
        request,
        "catalogue/open_data.html",
        {
            "files": files,
            "preparing": preparing,
            "published_count": ActionSheet.objects.published().count(),
            "today": timezone.localdate(),
        },
    )


@require_GET
def open_data_file(request: HttpRequest, fmt: str) -> FileResponse:
    path = open_data.directory() / open_data.file_name(fmt)
    if fmt not in open_data.FORMATS or not path.exists():
        raise Http404("Ce fichier n'est pas disponible.")
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=open_data.file_name(fmt),
        content_type=export_jobs.FORMATS[fmt].content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
