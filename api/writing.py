"""Write endpoints: a personal token's owner creates and edits drafts of their structures.

Permissions are contrib.access's, writes go through contrib.editing: the same rules and the
same history as the web forms. Publication stays a moderator's act on the site.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Path
from ninja.security import HttpBearer

from api import schemas, tokens
from api.views import api, error
from catalogue.models import Source, Structure
from contrib import access, editing


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        return tokens.user_for_key(token)


WRITE_ERRORS = {
    401: schemas.ErrorOut,
    403: schemas.ErrorOut,
    404: schemas.ErrorOut,
    409: schemas.ErrorOut,
    422: schemas.ErrorOut,
    429: schemas.ErrorOut,
}
PATCH_ERRORS = {**WRITE_ERRORS, 428: schemas.ErrorOut}


def draft_out(sheet) -> dict:
    return {
        "id": sheet.pk,
        "title": editing.working_snapshot(sheet)["title"],
        "publication_status": sheet.publication_status,
        "working_state": editing.working_state(sheet),
        "version": sheet.version,
        "edit_url": settings.SITE_URL + reverse("contrib:edit-sheet", args=[sheet.pk]),
    }


def _invalid(request, exc: editing.InvalidSheetData):
    errors = [{"parameter": name, "message": message} for name, message in exc.errors.items()]
    return error(request, str(exc), 422, errors)


@api.post(
    "/actions",
    auth=TokenAuth(),
    response={201: schemas.DraftOut, **WRITE_ERRORS},
    summary="Créer un brouillon de fiche",
    tags=["écriture"],
)
def create_action(request: HttpRequest, payload: schemas.SheetInput):
    """Crée une fiche en brouillon pour une structure dont vous êtes contributeur (ou que vous
    modérez). Les valeurs des vocabulaires se donnent par leur libellé ; une valeur inconnue est
    gardée et signalée aux modérateurs."""
    user = request.auth
    if payload.structure is None:
        message = "est obligatoire"
        return error(
            request,
            f"Paramètre « structure » invalide : {message}.",
            422,
            [{"parameter": "structure", "message": message}],
        )
    structure = Structure.objects.filter(pk=payload.structure).first()
    if structure is None:
        raise Http404("Structure introuvable.")
    if not access.can_create_sheet(user, structure):
        return error(request, "Vous ne pouvez pas créer de fiche pour cette structure.", 403)
    data = payload.dict(exclude={"structure", "version"})
    try:
        sheet = editing.create_draft(structure, data, user, source=Source.API)
    except editing.InvalidSheetData as exc:
        return _invalid(request, exc)
    return 201, draft_out(sheet)


@api.patch(
    "/actions/{sheet_id}",
    auth=TokenAuth(),
    response={200: schemas.DraftOut, **PATCH_ERRORS},
    summary="Modifier une fiche (brouillon)",
    tags=["écriture"],
)
def update_action(
    request: HttpRequest,
    payload: schemas.SheetPatch,
    sheet_id: int = Path(..., ge=1, le=2**62),  # noqa: B008
):
    """Enregistre une nouvelle version des champs donnés. Une fiche publiée garde son contenu
    public : la modification attend la relecture d'un modérateur. `version` (lue auparavant)
    est obligatoire : sans elle la requête est refusée (428) ; si quelqu'un a enregistré
    entre-temps, rien n'est écrasé (409)."""
    user = request.auth
    try:
        sheet = access.sheet_to_edit(user, sheet_id)
    except Http404:
        raise Http404("Fiche introuvable.") from None
    except PermissionDenied as exc:
        return error(request, str(exc) or "Vous ne pouvez pas modifier cette fiche.", 403)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    if version is None:
        message = "est obligatoire : lisez la fiche et renvoyez le numéro de version lu"
        return error(
            request,
            f"Paramètre « version » manquant : il {message}, pour ne pas écraser sans le savoir "
            "une modification faite entre-temps.",
            428,
            [{"parameter": "version", "message": message}],
        )
    try:
        editing.save_draft(sheet, data, user, version=version)
    except editing.InvalidSheetData as exc:
        return _invalid(request, exc)
    except editing.EditConflict as exc:
        return error(request, str(exc), 409, [{"parameter": "version", "message": "périmée"}])
    except editing.WorkflowError as exc:
        return error(request, str(exc), 409)
    sheet.refresh_from_db()
    return draft_out(sheet)
