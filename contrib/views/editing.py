"""Writing a sheet: new, edit (autosave, stash across an expired session, conflicts), preview, submit, history and restore."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue.models import ActionSheet, Attachment
from contrib import access, editing, moderation
from contrib.forms import (
    AttachmentForm,
    NewSheetForm,
    SheetForm,
)
from contrib.models import Revision
from contrib.preview import SheetPreview
from contrib.views.attachments import attach_uploaded_file

# Accounts
from contrib.views.confirm import unconfirmed
from discovery import duplicates, suggestions


@login_required
@require_http_methods(["GET", "POST"])
def new_sheet(request: HttpRequest) -> HttpResponse:
    structures = access.manageable_structures(request.user)
    if not structures.exists():
        messages.info(request, "Rejoignez d'abord une structure pour écrire ses fiches.")
        return redirect("contrib:join-structure")
    form = NewSheetForm(request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        try:
            sheet = editing.create_draft(
                form.cleaned_data["structure"],
                {"title": form.cleaned_data["title"]},
                request.user,
            )
        except editing.EditError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Fiche créée. Complétez-la : elle est enregistrée au fur et à mesure."
            )
            return redirect("contrib:edit-sheet", pk=sheet.pk)
    return render(request, "contrib/new_sheet.html", {"form": form})


def _autosave_fields() -> list[str]:
    return [
        "version",
        "new_keyword",
        "new_partner",
        *[n for n in editing.FIELDS if n != "attachments"],
    ]


def _form_values(post) -> dict:
    """Raw form values, lists for multiple-choice fields (what an autosave keeps)."""
    return {
        name: post.getlist(name) if name in editing.LIST_FIELDS else post.get(name, "")
        for name in _autosave_fields()
        if name in post or name in editing.LIST_FIELDS
    }


def _edit_context(request, sheet, form, **extra) -> dict:
    edit = editing.pending_edit(sheet)
    data = editing.working_snapshot(sheet)
    values = _form_values(form.data) if form.is_bound else dict(form.initial)
    return {
        "sheet": sheet,
        "form": form,
        "pending": edit,
        "state": editing.working_state(sheet),
        "state_label": state_label(sheet),
        "completeness": editing.completeness(values),
        "attachments": Attachment.objects.filter(pk__in=data["attachments"], sheet=sheet),
        "attachment_form": AttachmentForm(
            initial={"version": sheet.version}, use_required_attribute=False
        ),
        "max_upload": editing.max_upload_bytes(),
        "can_review": access.can_review(request.user, sheet),
        "last_returned": sheet.revisions.filter(kind=Revision.Kind.RETURNED).first(),
        "close_sheets": duplicates.close_sheets_in_structure(sheet),
        "suggestion_groups": _suggestion_groups(sheet, values),
        **extra,
    }


# What a suggestion chip says it does, for screen readers (visible text: the value).
SUGGESTION_VERBS = {
    "keywords": "Ajouter le mot clé",
    "publics": "Ajouter le public",
    "dimension": "Choisir la dimension",
}


SUGGESTION_DONE = {
    "keywords": "Mot clé « {label} » ajouté",
    "publics": "Public « {label} » ajouté",
    "dimension": "Dimension « {label} » choisie",
}


def _suggestion_groups(sheet: ActionSheet, values: dict) -> dict[str, dict]:
    """The suggestion chips of each field, from the form's values (discovery.suggestions);
    `signature` lets the page skip an update that changes nothing."""
    found = suggestions.suggest(values, sheet_id=sheet.pk)
    return {
        name: {
            "name": name,
            "items": items,
            "verb": SUGGESTION_VERBS[name],
            "signature": ",".join(f"{s.value}:{s.percent}" for s in items),
        }
        for name, items in found.items()
    }


def _add_suggestion(request: HttpRequest, sheet: ActionSheet) -> HttpResponse:
    """A suggestion chip pressed without JavaScript: the form comes back as typed, with the
    value added (kept in the autosave, saved by the next "Enregistrer")."""
    name, _, raw = request.POST.get("suggestion", "").partition(":")
    values = _form_values(request.POST)
    model = suggestions.MODELS.get(name)
    valid = model is not None and raw.isdigit() and len(raw) < 10
    value = model.objects.filter(pk=int(raw)).first() if valid else None
    if value is None:
        messages.error(request, "Cette suggestion n'existe plus : rien n'a été ajouté.")
    else:
        if name == "dimension":
            values[name] = str(value.pk)
        elif str(value.pk) not in values[name]:
            values[name] = [*values[name], str(value.pk)]
        done = SUGGESTION_DONE[name].format(label=value.display_label)
        messages.success(request, f"{done} : enregistrez la fiche pour le garder.")
    try:
        version = int(values.get("version") or sheet.version)
    except ValueError:
        version = sheet.version
    editing.autosave(sheet, values, request.user, version)
    form = SheetForm(initial={**values, "version": version})
    return render(request, "contrib/edit_sheet.html", _edit_context(request, sheet, form))


def state_label(sheet: ActionSheet) -> str:
    edit = editing.pending_edit(sheet)
    if edit is not None:
        return f"Publiée ; modifications : {edit.get_state_display().lower()}"
    return sheet.get_publication_status_display()


STASH_KEY = "contrib-unsaved"
# What an anonymous POST may leave in its session: one sheet's form (the sample's sheets weigh
# about 5 KB), the last one sent. A larger body is not even read.
STASH_MAX_BYTES = 64 * 1024


def _stash(request: HttpRequest, pk: int) -> bool:
    """The session expired while someone was writing: keep what they sent in the (anonymous)
    session, which survives logging in, and give it back on the edit page. Only for a sheet
    that exists and within STASH_MAX_BYTES; True if kept."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    if length > STASH_MAX_BYTES or not ActionSheet.objects.filter(pk=pk).exists():
        return False
    values = _form_values(request.POST)
    if len(json.dumps(values)) > STASH_MAX_BYTES:
        return False
    request.session[STASH_KEY] = {"pk": pk, "values": values}
    return True


def _unstash(request: HttpRequest, pk: int) -> dict | None:
    stashed = request.session.get(STASH_KEY)
    if isinstance(stashed, dict) and stashed.get("pk") == pk:
        del request.session[STASH_KEY]
        return stashed["values"]
    return None


def _stash_and_login(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        if _stash(request, pk):
            messages.info(
                request,
                "Votre session a expiré. Reconnectez-vous : le texte que vous venez d'envoyer "
                "vous attend, rien n'est perdu.",
            )
        else:
            messages.warning(request, "Votre session a expiré : reconnectez-vous.")
    return redirect_to_login(reverse("contrib:edit-sheet", args=[pk]))


@require_http_methods(["GET", "POST"])
def edit_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _stash_and_login(request, pk)
    sheet = access.sheet_to_edit(request.user, pk)
    extra = {}
    if request.method == "POST" and "suggestion" in request.POST:
        return _add_suggestion(request, sheet)
    if request.method == "POST":
        attaching = request.POST.get("then") == "attach"
        form = SheetForm(request.POST)
        if form.is_valid():
            try:
                editing.save_draft(
                    sheet, form.to_data(), request.user, version=form.cleaned_data["version"]
                )
                if attaching:
                    # The upload button submits the whole form: the text is saved, then the file.
                    attach_uploaded_file(request, sheet)
                    return redirect(f"{reverse('contrib:edit-sheet', args=[sheet.pk])}#fichiers")
                if request.POST.get("then") == "submit":
                    editing.submit(sheet, request.user)
            except editing.EditConflict as conflict:
                form = _conflict_form(request, conflict, extra)
                sheet.refresh_from_db()
            except editing.InvalidSheetData as error:
                for name, message in error.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            except editing.WorkflowError as error:
                messages.error(request, str(error))
                return redirect("contrib:edit-sheet", pk=sheet.pk)
            else:
                _say_saved(request, sheet)
                return redirect("contrib:edit-sheet", pk=sheet.pk)
        if attaching and form.errors:
            form.add_error(
                None,
                "Votre texte n'a pas été enregistré et le fichier n'a pas été ajouté : corrigez "
                "ce qui est signalé, puis choisissez à nouveau le fichier.",
            )
    else:
        form = _form_to_edit(request, sheet, extra)
    return render(request, "contrib/edit_sheet.html", _edit_context(request, sheet, form, **extra))


def _conflict_form(request: HttpRequest, conflict: editing.EditConflict, extra: dict) -> SheetForm:
    """Their text kept on screen beside what changed meanwhile; the next save deliberately
    replaces the current version."""
    data = request.POST.copy()
    data["version"] = str(conflict.sheet.version)
    form = SheetForm(data)
    form.is_valid()
    form.add_error(None, str(conflict))
    form.add_error(
        None,
        "Le formulaire ci-dessous contient votre texte ; ses différences avec la "
        "version actuelle sont affichées au-dessus. Reportez-y ce qui doit l'être : "
        "enregistrer à nouveau remplacera la version actuelle par ce formulaire.",
    )
    current = editing.working_snapshot(conflict.sheet)
    extra["conflict_diff"] = editing.diff(current, conflict.revision.data)
    extra["conflict_revision"] = conflict.revision
    return form


def _say_saved(request: HttpRequest, sheet: ActionSheet) -> None:
    if request.POST.get("then") == "submit":
        messages.success(request, "Fiche enregistrée et envoyée en relecture.")
    elif sheet.is_published:
        messages.success(
            request,
            "Modifications enregistrées. La version publiée reste visible jusqu'à "
            "leur relecture : pensez à les soumettre.",
        )
    else:
        messages.success(request, "Brouillon enregistré.")


def _form_to_edit(request: HttpRequest, sheet: ActionSheet, extra: dict) -> SheetForm:
    """The edit form as it opens: the text sent when the session expired, else the last
    autosave, else the sheet's working version."""
    stashed = _unstash(request, sheet.pk)
    saved = editing.last_autosave(sheet, request.user)
    if stashed is not None:
        messages.info(
            request,
            "Voici le texte envoyé juste avant l'expiration de votre session : "
            "enregistrez-le pour le garder.",
        )
        return SheetForm(initial=stashed)
    if saved is not None:
        initial = dict(saved.data)
        initial["version"] = saved.base_version
        extra["restored_autosave"] = saved
        return SheetForm(initial=initial)
    return SheetForm(initial=SheetForm.initial_from(editing.working_snapshot(sheet), sheet.version))


@require_POST
def autosave_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: keep the form as typed so far; answers the status line and the completeness."""
    if not request.user.is_authenticated:
        _stash(request, pk)
        if not request.htmx:
            return redirect_to_login(reverse("contrib:edit-sheet", args=[pk]))
        login_url = f"{reverse('accounts:login')}?next={reverse('contrib:edit-sheet', args=[pk])}"
        return render(
            request, "contrib/_autosave_status.html", {"expired": True, "login_url": login_url}
        )
    sheet = access.sheet_to_edit(request.user, pk)
    values = _form_values(request.POST)
    try:
        version = int(request.POST.get("version") or sheet.version)
    except ValueError:
        version = sheet.version
    saved = editing.autosave(sheet, values, request.user, version)
    if not request.htmx:
        messages.success(request, "Brouillon enregistré automatiquement.")
        return redirect("contrib:edit-sheet", pk=sheet.pk)
    context = {
        "saved": saved,
        "completeness": editing.completeness(values),
        "oob": True,
        "suggestion_groups": _suggestion_groups(sheet, values),
    }
    return render(request, "contrib/_autosave_status.html", context)


@login_required
@require_POST
def discard_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = access.sheet_to_edit(request.user, pk)
    editing.discard_autosave(sheet, request.user)
    messages.info(
        request, "Brouillon automatique abandonné : voici la dernière version enregistrée."
    )
    return redirect("contrib:edit-sheet", pk=sheet.pk)


@login_required
@require_GET
def preview_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = access.sheet_to_view(request.user, pk)
    preview = SheetPreview(sheet, editing.working_snapshot(sheet))
    return render(
        request,
        "contrib/preview_sheet.html",
        {"sheet": preview, "real_sheet": sheet, "can_edit": access.can_edit(request.user, sheet)},
    )


@login_required
@require_POST
def submit_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = access.sheet_to_edit(request.user, pk)
    try:
        editing.submit(sheet, request.user)
    except editing.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Fiche envoyée en relecture. Vous serez prévenu(e) par courriel.")
    return redirect("contrib:edit-sheet", pk=sheet.pk)


@login_required
@require_GET
def sheet_history(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = access.sheet_to_view(request.user, pk)
    revisions = list(sheet.revisions.select_related("author"))
    for revision in revisions:
        revision.changed_labels = [editing.field_label(n) for n in revision.changed_fields]
    return render(
        request,
        "contrib/sheet_history.html",
        {
            "sheet": sheet,
            "revisions": revisions,
            "can_restore": access.can_restore(request.user, sheet),
        },
    )


@login_required
@require_GET
def sheet_revision(request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
    sheet = access.sheet_to_view(request.user, pk)
    revision = get_object_or_404(sheet.revisions.select_related("author"), pk=revision_pk)
    previous = (
        sheet.revisions.exclude(kind=Revision.Kind.CONFLICT)
        .filter(
            Q(created_at__lt=revision.created_at)
            | Q(created_at=revision.created_at, pk__lt=revision.pk)
        )
        .first()
    )
    return render(
        request,
        "contrib/sheet_revision.html",
        {
            "sheet": sheet,
            "revision": revision,
            "preview": SheetPreview(sheet, {**editing.snapshot(sheet), **revision.data}),
            "changes": editing.diff(previous.data if previous else None, revision.data),
            "can_restore": access.can_restore(request.user, sheet),
        },
    )


@login_required
@require_POST
def restore_revision(request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
    sheet = access.sheet_to_review(request.user, pk)
    revision = get_object_or_404(sheet.revisions, pk=revision_pk)
    asking = unconfirmed(
        request,
        question=f"Restaurer la version {revision.version} de « {sheet.title} » ?",
        consequence=(
            f"Le contenu de la fiche redevient celui du {revision.created_at:%d/%m/%Y à %H:%M}. "
            "Les modifications faites depuis restent dans l'historique."
        ),
        button="Restaurer cette version",
        cancel_url=reverse("contrib:sheet-revision", args=[sheet.pk, revision.pk]),
    )
    if asking:
        return asking
    moderation.restore(sheet, revision, request.user)
    messages.success(request, f"Version {revision.version} restaurée.")
    return redirect("contrib:sheet-history", pk=sheet.pk)


# Moderation
