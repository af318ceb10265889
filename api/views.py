"""The JSON API (django-ninja): SearchForm in, sheet_record out; no logic of its own."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest
from django.shortcuts import render
from ninja import NinjaAPI, Path, Query
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.docs import DocsBase

from api import di, schemas
from api.caching import cached_read
from api.throttling import AnonymousThrottle
from catalogue import models as catalogue_models
from catalogue.datapackage import datapackage
from catalogue.models import ActionSheet, Departement, PublicationStatus, Structure
from catalogue.records import sheet_record, structure_record
from discovery.similarity import similar_to
from essaimage import degraded
from essaimage.lib.french import count_noun
from essaimage.middleware import unavailable_response
from search.forms import SearchForm
from search.service import search_sheets

STATUS_FR = {
    200: "la réponse",
    201: "créée",
    304: "inchangée depuis votre copie",
    400: "filtre inconnu",
    401: "jeton absent ou non valide",
    403: "structure interdite à ce jeton",
    404: "introuvable",
    409: "modifiée entre-temps (version)",
    422: "paramètre mal formé",
    429: "trop de requêtes (voir Retry-After)",
}


class FrenchDocs(DocsBase):
    """The API documentation as a page of the site, in French, generated from the OpenAPI
    document (endpoints, parameters, answers); works without JavaScript."""

    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs):
        schema = api.get_openapi_schema(path_prefix=request.path.rsplit("docs", 1)[0])
        operations = []
        for path, methods in schema["paths"].items():
            for method, operation in methods.items():
                operations.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "id": operation.get("operationId", path),
                        "summary": operation.get("summary", ""),
                        "description": operation.get("description", ""),
                        "parameters": operation.get("parameters", []),
                        "responses": [
                            (code, STATUS_FR.get(int(code), ""))
                            for code in sorted(operation.get("responses", {}))
                        ],
                        "secured": bool(operation.get("security")),
                    }
                )
        return render(
            request,
            "api/docs.html",
            {
                "info": schema["info"],
                "operations": operations,
                "openapi_url": self.get_openapi_url(api, kwargs),
            },
        )


api = NinjaAPI(
    title="API Essaimage",
    version="1",
    description=(
        "Les fiches actions publiées des centres sociaux et espaces de vie sociale, en lecture "
        "libre. Les paramètres de `/actions` sont ceux du catalogue `/actions/` et des exports. "
        "Les erreurs sont en JSON : `detail` (message en français) et `errors` "
        "(paramètre en cause). Les clients anonymes sont limités en débit (réponse 429 avec "
        "`Retry-After`). Écriture : jeton personnel (page « Mes jetons d'API ») dans l'en-tête "
        "`Authorization: Bearer <jeton>`."
    ),
    urls_namespace="api",
    # A French page of our own (api/templates/api/docs.html) instead of Swagger UI, which is in
    # English and has no way back to the site.
    docs=FrenchDocs(),
    throttle=[AnonymousThrottle()],
)

ERRORS = {400: schemas.ErrorOut, 422: schemas.ErrorOut, 429: schemas.ErrorOut}
NOT_FOUND = {404: schemas.ErrorOut, 422: schemas.ErrorOut, 429: schemas.ErrorOut}


def error(request, message: str, status: int, errors: list[dict] | None = None):
    return api.create_response(request, {"detail": message, "errors": errors or []}, status=status)


# --- error handling: always JSON, always French --------------------------------------------

_PYDANTIC_MESSAGES = {
    "int_parsing": "doit être un nombre entier",
    "int_type": "doit être un nombre entier",
    "bool_parsing": "doit valoir true ou false",
    "missing": "est obligatoire",
    "string_type": "doit être un texte",
    "list_type": "doit être une liste",
    "json_invalid": "n'est pas du JSON valide",
    "model_attributes_type": "doit être un objet JSON",
    "dict_type": "doit être un objet JSON",
}


def _french(err: dict) -> str:
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind in _PYDANTIC_MESSAGES:
        return _PYDANTIC_MESSAGES[kind]
    if kind in ("greater_than_equal", "greater_than"):
        return f"doit être supérieur ou égal à {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"doit être inférieur ou égal à {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_too_long":
        return f"ne doit pas dépasser {ctx.get('max_length')} caractères"
    if kind == "string_too_short":
        return f"doit contenir au moins {count_noun(int(ctx.get('min_length') or 0), 'caractère')}"
    if kind == "literal_error":
        return f"doit valoir {ctx.get('expected')}"
    return "valeur invalide"


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "body", "path")]
        loc = [part for part in loc if part not in ("filters", "payload")]
        errors.append({"parameter": ".".join(loc) or "corps", "message": _french(err)})
    first = errors[0] if errors else {"parameter": "", "message": "valeur invalide"}
    return error(
        request,
        f"Paramètre « {first['parameter']} » invalide : {first['message']}.",
        422,
        errors,
    )


@api.exception_handler(DatabaseError)
@api.exception_handler(OSError)
def on_write_refused(request, exc):
    reason = degraded.failure_reason(exc)
    if reason is None:
        raise exc
    degraded.note_failure(reason)
    return unavailable_response(request, reason)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, str(exc) if str(exc) else "Ressource introuvable.", 404)


@api.exception_handler(Throttled)
def on_throttled(request, exc: Throttled):
    return error(
        request,
        "Trop de requêtes : merci de patienter avant de réessayer "
        "(ou d'utiliser un jeton personnel).",
        429,
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, "Jeton d'API manquant, invalide ou révoqué.", 401)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error(request, exc.message, exc.status_code)


def form_errors(form) -> list[dict]:
    return [
        {"parameter": name, "message": " ".join(str(m) for m in messages)}
        for name, messages in form.errors.items()
    ]


def invalid_form(request, form):
    errors = form_errors(form)
    first = errors[0]
    return error(
        request, f"Paramètre « {first['parameter']} » invalide : {first['message']}", 400, errors
    )


def read_endpoint(view):
    """A public read: refuse NUL characters in the query string, then conditional GET."""
    cached = cached_read(view)

    def wrapper(request, *args, **kwargs):
        for name, values in request.GET.lists():
            if any("\x00" in value for value in values):
                # PostgreSQL cannot even compare a text holding NUL: refuse it before any query.
                message = "contient un caractère nul"
                return error(
                    request,
                    f"Paramètre « {name} » invalide : {message}.",
                    400,
                    [{"parameter": name, "message": message}],
                )
        return cached(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- actions -------------------------------------------------------------------------------


@api.get(
    "/actions",
    response={200: schemas.ActionList, **ERRORS},
    summary="Chercher des fiches",
    tags=["fiches"],
)
@decorate_view(read_endpoint)
def list_actions(request: HttpRequest, filters: Query[schemas.ActionFilters]):
    """Les fiches publiées qui correspondent aux filtres, comme la page /actions/."""
    params = request.GET.copy()
    # Pagination is the API's (page_size 1..100, checked by the schema), filters are the form's.
    params.pop("page", None)
    params.pop("page_size", None)
    form = SearchForm(params)
    if not form.is_valid():
        return invalid_form(request, form)
    page_size = filters.page_size
    query = form.to_query()
    result = search_sheets(query, page=filters.page, per_page=page_size, records=True)
    snippets = getattr(result, "snippets", None) or {}
    results = []
    for sheet in result.sheets:
        record = sheet_record(sheet)
        if filters.q:
            record["snippet"] = snippets.get(sheet.pk)
        results.append(record)
    facets = {
        name: [
            {"value": str(v.value), "label": v.label, "count": v.count, "selected": v.selected}
            for v in values
        ]
        for name, values in (result.facets or {}).items()
    }
    return {
        "count": result.total,
        "page": result.page,
        "page_size": page_size,
        "num_pages": result.num_pages,
        "text": query.q,
        "places": [
            {
                "kind": place.kind,
                "label": place.label,
                "typed": place.typed,
                "name": place.name,
                "filter": place.filter_name,
                "values": [str(v) for v in place.values],
            }
            for place in query.places
        ],
        "notices": result.notices,
        "results": results,
        "facets": facets,
    }


@api.get(
    "/actions/{sheet_id}",
    response={200: schemas.ActionDetail, **NOT_FOUND},
    summary="Une fiche",
    tags=["fiches"],
)
@decorate_view(read_endpoint)
def get_action(
    request: HttpRequest,
    sheet_id: int = Path(..., ge=1, le=2**62, description="Identifiant de la fiche."),  # noqa: B008
):
    """Une fiche publiée, au format canonique, avec ses fiches similaires (`similar`) ; 404 pour
    une fiche inconnue ou non publiée."""
    sheet = ActionSheet.objects.published().with_relations().filter(pk=sheet_id).first()
    if sheet is None:
        raise Http404("Fiche introuvable ou non publiée.")
    similar = [
        {"id": link.other_id, "title": link.other.title, "reasons": link.reasons}
        for link in similar_to(sheet)
    ]
    return {**sheet_record(sheet), "similar": similar}


# --- structures, départements, vocabularies ------------------------------------------------


def public_structures():
    """The directory's structures (catalogue.models.StructureQuerySet.in_directory)."""
    published = Q(sheets__publication_status=PublicationStatus.PUBLISHED)
    return (
        Structure.objects.in_directory()
        .select_related("departement__region")
        .annotate(sheet_count=Count("sheets", filter=published))
    )


def structure_out(structure) -> dict:
    return {
        **structure_record(structure),
        "address": structure.address,
        "commune": structure.commune,
        "postcode": structure.postcode,
        "commune_code": structure.commune_code,
        "siret": structure.siret,
        "phone": structure.phone,
        "email": structure.public_email,
        "website": structure.website,
        "sheet_count": structure.sheet_count,
        "url": settings.SITE_URL + structure.get_absolute_url(),
    }


@api.get(
    "/structures",
    response={200: schemas.StructureList, **ERRORS},
    summary="Les structures",
    tags=["structures"],
)
@decorate_view(read_endpoint)
def list_structures(
    request: HttpRequest,
    departement: list[str] = Query([], description="Codes de départements."),  # noqa: B008
    page: int = Query(1, ge=1, le=100000, description="Numéro de page."),
    page_size: int = Query(100, ge=1, le=500, description="Structures par page (1 à 500)."),
):
    """Les structures de l'annuaire SENACS (avec ou sans fiche) et celles qui ont au moins une
    fiche publiée."""
    structures = public_structures().order_by("name", "pk")
    if departement:
        structures = structures.filter(departement__in=[c.upper() for c in departement])
    paginator = Paginator(structures, page_size)
    items = paginator.page(page).object_list if page <= paginator.num_pages else []
    return {
        "count": paginator.count,
        "page": page,
        "page_size": page_size,
        "num_pages": max(paginator.num_pages, 1),
        "results": [structure_out(s) for s in items],
    }


@api.get(
    "/structures.di.json",
    response={200: list[dict], 429: schemas.ErrorOut},
    summary="Structures au format data·inclusion",
    tags=["structures"],
)
@decorate_view(read_endpoint)
def di_structures(request: HttpRequest):
    """Les structures au schéma « structure » de data·inclusion (v1), `source` = essaimage."""
    return [di.di_structure(s) for s in public_structures().order_by("pk")]


@api.get(
    "/structures/{structure_id}",
    response={200: schemas.StructureDetail, **NOT_FOUND},
    summary="Une structure",
    tags=["structures"],
)
@decorate_view(read_endpoint)
def get_structure(
    request: HttpRequest,
    structure_id: int = Path(..., ge=1, le=2**62, description="Identifiant de la structure."),  # noqa: B008
):
    """Une structure (avec ou sans fiche) et ses fiches publiées."""
    published = ActionSheet.objects.published().order_by("title", "pk")
    structure = (
        public_structures()
        .prefetch_related(Prefetch("sheets", queryset=published, to_attr="published_sheets"))
        .filter(pk=structure_id)
        .first()
    )
    if structure is None:
        raise Http404("Structure introuvable.")
    return {
        **structure_out(structure),
        "sheets": [
            {
                "id": s.pk,
                "title": s.title,
                "year": s.year,
                "url": settings.SITE_URL + s.get_absolute_url(),
            }
            for s in structure.published_sheets
        ],
    }


@api.get(
    "/departements",
    response={200: list[schemas.DepartementOut], 429: schemas.ErrorOut},
    summary="Les départements",
    tags=["territoires"],
)
@decorate_view(read_endpoint)
def list_departements(request: HttpRequest):
    """Tous les départements, avec le nombre de fiches publiées et de structures."""
    published = Q(structures__sheets__publication_status=PublicationStatus.PUBLISHED)
    departements = (
        Departement.objects.select_related("region")
        .annotate(
            sheet_count=Count("structures__sheets", filter=published, distinct=True),
            structure_count=Count("structures", filter=published, distinct=True),
        )
        .order_by("code")
    )
    return [
        {
            "code": d.code,
            "name": d.name,
            "region": {"code": d.region.code, "name": d.region.name} if d.region else None,
            "sheet_count": d.sheet_count,
            "structure_count": d.structure_count,
        }
        for d in departements
    ]


VOCABULARIES = (
    ("status", "Statut de l'action", catalogue_models.ActionStatus, "sheets"),
    ("dimension", "Dimension", catalogue_models.Dimension, "sheets"),
    ("keywords", "Mots clés associés à l'action", catalogue_models.Keyword, "sheets"),
    ("initiators", "Qui est à l'initiative de l'action ?", catalogue_models.Initiator, "sheets"),
    ("territory", "Territoire concerné", catalogue_models.Territory, "sheets"),
    ("publics", "Public", catalogue_models.Public, "sheets"),
    (
        "action_partners",
        "Partenaires d'action",
        catalogue_models.PartnerKind,
        "sheets_as_action_partner",
    ),
    (
        "financial_partners",
        "Partenaires financiers",
        catalogue_models.PartnerKind,
        "sheets_as_financial_partner",
    ),
)


@api.get(
    "/vocabularies",
    response={200: list[schemas.Vocabulary], 429: schemas.ErrorOut},
    summary="Les vocabulaires",
    tags=["territoires"],
)
@decorate_view(read_endpoint)
def list_vocabularies(request: HttpRequest):
    """Chaque vocabulaire, ses valeurs (code et libellé) et le nombre de fiches publiées."""
    result = []
    for name, label, model, relation in VOCABULARIES:
        published = Q(**{f"{relation}__publication_status": PublicationStatus.PUBLISHED})
        values = model.objects.annotate(
            n=Count(relation, filter=published, distinct=True)
        ).order_by("position", "label")
        result.append(
            {
                "name": name,
                "label": label,
                "values": [{"value": v.value, "label": v.label, "count": v.n} for v in values],
            }
        )
    return result


@api.get(
    "/datapackage.json",
    response={200: dict, 429: schemas.ErrorOut},
    summary="Dictionnaire des données (Frictionless Data Package)",
    tags=["données ouvertes"],
)
def get_datapackage(request: HttpRequest):
    """Description des exports (CSV, JSON Lines) : champs, types, libellés, dialecte CSV."""
    return datapackage()


@api.get(
    "/schemas/action.json",
    response={200: dict, 429: schemas.ErrorOut},
    summary="Schéma JSON d'une fiche (format canonique)",
    tags=["données ouvertes"],
)
def get_record_schema(request: HttpRequest):
    """Le schéma JSON (version 2020-12) du format canonique ; l'export JSON en est une liste."""
    return record_json_schema()


def record_json_schema() -> dict:
    schema = schemas.ActionRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = settings.SITE_URL + "/api/v1/schemas/action.json"
    return schema
