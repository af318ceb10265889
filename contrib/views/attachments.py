"""A sheet's files: upload (with the edit form or alone), remove, download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from catalogue.downloads import attachment_response
from catalogue.models import ActionSheet, Attachment
from contrib import access, editing
from contrib import attachments as attachment_files
from contrib.forms import (
    AttachmentForm,
)
from essaimage.lib import uploads

# Accounts


def attach_uploaded_file(request: HttpRequest, sheet: ActionSheet) -> None:
    """Store the file sent with the edit form (its text already saved); say what happened."""
    too_large = uploads.refused_uploads(request)
    for name in too_large:
        messages.error(request, f"Fichier non ajouté : {attachment_files.too_large_message(name)}")
    if too_large:
        return
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", ["Choisissez un fichier."]):
            messages.error(request, f"Texte enregistré ; fichier non ajouté : {error}")
        return
    try:
        attachment = editing.add_attachment(sheet, form.cleaned_data["file"], request.user)
    except editing.InvalidSheetData as error:
        messages.error(request, f"Fichier non ajouté : {' '.join(error.errors.values())}")
    except editing.EditError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Texte enregistré. Fichier « {attachment.name} » ajouté.")


@login_required
@require_POST
def upload_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = access.sheet_to_edit(request.user, pk)
    too_large = uploads.refused_uploads(request)
    for name in too_large:
        messages.error(request, f"Fichier non ajouté : {attachment_files.too_large_message(name)}")
    if too_large:
        return redirect(f"{reverse('contrib:edit-sheet', args=[sheet.pk])}#fichiers")
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", ["Choisissez un fichier."]):
            messages.error(request, f"Fichier non ajouté : {error}")
        return redirect("contrib:edit-sheet", pk=sheet.pk)
    try:
        attachment = editing.add_attachment(sheet, form.cleaned_data["file"], request.user)
    except editing.InvalidSheetData as error:
        messages.error(request, f"Fichier non ajouté : {' '.join(error.errors.values())}")
    except editing.EditError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Fichier « {attachment.name} » ajouté.")
    return redirect(f"{reverse('contrib:edit-sheet', args=[sheet.pk])}#fichiers")


@login_required
@require_POST
def remove_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    sheet = access.sheet_to_edit(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, sheet=sheet)
    try:
        editing.remove_attachment(sheet, attachment, request.user)
    except editing.EditError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Fichier « {attachment.name} » retiré de la fiche (il reste récupérable dans "
            "l'historique).",
        )
    return redirect(f"{reverse('contrib:edit-sheet', args=[sheet.pk])}#fichiers")


@login_required
@require_GET
def download_attachment(request: HttpRequest, attachment_pk: int) -> FileResponse:
    """Any file of a sheet whose drafts the person may see (pending and removed ones too)."""
    attachment = get_object_or_404(
        Attachment, pk=attachment_pk, sheet__in=access.draft_visible_sheets(request.user)
    )
    return attachment_response(attachment)


# History
