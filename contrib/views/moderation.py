"""Moderators: review queue, review, publish, return, archive, merge, attach a structure."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from catalogue.models import ActionSheet, Structure
from contrib import access, editing, moderation
from contrib.forms import (
    MergeForm,
    ReturnForm,
)
from contrib.models import Revision

# Accounts
from contrib.views.confirm import unconfirmed
from contrib.views.editing import state_label


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    if not access.is_moderator(request.user):
        raise PermissionDenied("Réservé aux modérateurs.")
    sheets = access.review_queue(request.user)
    return render(request, "contrib/review_queue.html", {"sheets": sheets})


def _review_diff(sheet: ActionSheet):
    """Changes since the last published version (everything, for a sheet never published)."""
    edit = editing.pending_edit(sheet)
    if sheet.is_published:
        return editing.diff(editing.snapshot(sheet), edit.data if edit else editing.snapshot(sheet))
    published = sheet.revisions.filter(
        Q(kind=Revision.Kind.PUBLISHED)
        | Q(kind=Revision.Kind.BASELINE, publication_status="published")
    ).first()
    return editing.diff(published.data if published else None, editing.snapshot(sheet))


@login_required
@require_GET
def review_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = access.sheet_to_review(request.user, pk)
    return render(
        request,
        "contrib/review_sheet.html",
        {
            "sheet": sheet,
            "state_label": state_label(sheet),
            "pending": editing.pending_edit(sheet),
            "changes": _review_diff(sheet),
            "return_form": ReturnForm(),
            "merge_form": MergeForm(),
            "merge_text": request.GET.get("doublon", "")[:200],
            "merge_candidates": moderation.merge_candidates(
                sheet, access.reviewable_sheets(request.user), request.GET.get("doublon", "")[:200]
            ),
            "submission": sheet.revisions.filter(kind=Revision.Kind.SUBMITTED)
            .select_related("author")
            .first(),
        },
    )


def _after_decision(request: HttpRequest, sheet: ActionSheet) -> HttpResponse:
    if access.review_queue(request.user).exists():
        return redirect("contrib:review-queue")
    return redirect("contrib:review-sheet", pk=sheet.pk)


@login_required
@require_POST
def publish_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = access.sheet_to_review(request.user, pk)
    asking = unconfirmed(
        request,
        question=f"Publier « {sheet.title} » ?",
        consequence=(
            "La fiche sera visible de tous dans le catalogue, l'API et les exports, et ses "
            "auteurs seront prévenus par courriel."
        ),
        button="Publier la fiche",
        cancel_url=reverse("contrib:review-sheet", args=[sheet.pk]),
    )
    if asking:
        return asking
    try:
        moderation.publish(sheet, request.user)
    except editing.EditError as error:
        messages.error(request, str(error))
        return redirect("contrib:review-sheet", pk=sheet.pk)
    messages.success(request, f"« {sheet.title} » est publiée ; ses auteurs sont prévenus.")
    return _after_decision(request, sheet)


@login_required
@require_POST
def return_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = access.sheet_to_review(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Renvoi impossible : écrivez un commentaire pour l'auteur.")
        return redirect("contrib:review-sheet", pk=sheet.pk)
    asking = unconfirmed(
        request,
        question=f"Renvoyer « {sheet.title} » à ses auteurs ?",
        consequence=(
            "La fiche quitte la file de relecture et revient à ses auteurs, qui reçoivent votre "
            "commentaire par courriel."
        ),
        button="Renvoyer à l'auteur",
        cancel_url=reverse("contrib:review-sheet", args=[sheet.pk]),
        comment=form.cleaned_data["comment"],
    )
    if asking:
        return asking
    try:
        moderation.return_with_comment(sheet, request.user, form.cleaned_data["comment"])
    except editing.EditError as error:
        messages.error(request, str(error))
        return redirect("contrib:review-sheet", pk=sheet.pk)
    messages.success(
        request, f"« {sheet.title} » est renvoyée à ses auteurs avec votre commentaire."
    )
    return _after_decision(request, sheet)


@login_required
@require_POST
def archive_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = access.sheet_to_review(request.user, pk)
    asking = unconfirmed(
        request,
        question=f"Archiver « {sheet.title} » ?",
        consequence=(
            "La fiche sera retirée du catalogue public, de l'API et des exports ; elle ne pourra "
            "plus être modifiée."
        ),
        button="Archiver la fiche",
        cancel_url=reverse("contrib:review-sheet", args=[sheet.pk]),
    )
    if asking:
        return asking
    try:
        moderation.archive(sheet, request.user, request.POST.get("comment", ""))
    except editing.EditError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"« {sheet.title} » est archivée.")
    return redirect("contrib:review-sheet", pk=sheet.pk)


@login_required
@require_POST
def merge_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = access.sheet_to_review(request.user, pk)
    form = MergeForm(request.POST)
    target = None
    if form.is_valid():
        target = ActionSheet.objects.filter(pk=form.cleaned_data["target"]).first()
    if target is None or not access.can_merge(request.user, sheet, target):
        messages.error(
            request,
            "Fusion impossible : choisissez une autre fiche de votre territoire.",
        )
        return redirect("contrib:review-sheet", pk=sheet.pk)
    try:
        moderation.merge(sheet, target, request.user)
    except editing.EditError as error:
        messages.error(request, str(error))
        return redirect("contrib:review-sheet", pk=sheet.pk)
    messages.success(request, f"Fiche fusionnée dans « {target.title} » (n° {target.pk}).")
    return redirect("contrib:review-sheet", pk=target.pk)


@login_required
@require_POST
def attach_structure(request: HttpRequest, pk: int) -> HttpResponse:
    """A moderator gives an archived SENACS sheet without structure its structure."""
    sheet = get_object_or_404(
        access.viewable_sheets(request.user).select_related("structure"), pk=pk
    )
    structure = (
        Structure.objects.filter(pk=request.POST.get("structure", "")).first()
        if (request.POST.get("structure", "").isdigit())
        else None
    )
    if structure is None:
        if not access.is_moderator(request.user):
            raise PermissionDenied("Seul un modérateur peut rattacher une fiche.")
        messages.error(request, "Choisissez une structure existante (son numéro).")
        return redirect(sheet)
    if not access.can_attach_structure(request.user, sheet, structure):
        raise PermissionDenied(
            "Seul un modérateur du territoire de cette structure peut faire cela."
        )
    try:
        moderation.attach_structure(sheet, structure, request.user)
    except editing.EditError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Fiche rattachée à « {structure.name} ».")
    return redirect(sheet)
