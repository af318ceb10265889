"""Contributors' and moderators' pages. Each view asks `contrib.access`, validates with a form,
calls one service and picks a response (Post/Redirect/Get; htmx fragments where noted)."""

import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue.downloads import attachment_response
from catalogue.models import ActionSheet, Attachment, PublicationStatus, Structure
from contrib import access, accounts, editing, members, moderation, relay
from contrib import attachments as attachment_files
from contrib.forms import (
    AttachmentForm,
    InvitationSignUpForm,
    InviteForm,
    JoinRequestForm,
    JoinSearchForm,
    LoginForm,
    MapValueForm,
    MergeForm,
    NewSheetForm,
    RelayMessageForm,
    RenameValueForm,
    ReturnForm,
    SheetForm,
    SignUpForm,
    StructureContactForm,
    ThesaurusEntryForm,
)
from contrib.models import Invitation, JoinRequest, Revision, User
from contrib.preview import SheetPreview
from discovery import duplicates, suggestions
from essaimage.lib import limits, uploads
from essaimage.views import too_many_requests
from search.models import ThesaurusEntry

# Accounts

INVITATION_VALIDITY = timedelta(days=14)


class LoginView(auth_views.LoginView):
    template_name = "contrib/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Throttled: PASSWORD_RESET_RATE requests per client address (429), and at most
    PASSWORD_RESET_EMAIL_RATE e-mails to one address (the page says the same either way)."""

    template_name = "contrib/password_reset.html"
    email_template_name = "contrib/email/password_reset.txt"
    subject_template_name = "contrib/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    @property
    def extra_email_context(self):
        # The link comes from SITE_URL, like every other absolute link (not the request's host).
        return {"site_url": settings.SITE_URL}

    def form_valid(self, form):
        wait = limits.hit(
            "password-reset", limits.client_address(self.request), settings.PASSWORD_RESET_RATE
        )
        if wait:
            return too_many_requests(
                self.request,
                wait,
                "Trop de demandes de nouveau mot de passe ont été faites depuis votre adresse.",
            )
        email = form.cleaned_data["email"].strip().lower()
        if limits.hit("password-reset-email", email, settings.PASSWORD_RESET_EMAIL_RATE):
            return redirect(self.success_url)  # enough e-mails sent to this address for now
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "contrib/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("contrib:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = limits.hit("sign-up", limits.client_address(request), settings.SIGN_UP_RATE)
        if wait:
            return too_many_requests(
                request, wait, "Trop de comptes ont été demandés depuis votre adresse."
            )
        data = form.cleaned_data
        accounts.sign_up(
            data["email"],
            data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
        # The same answer whether the address has an account or not (the e-mail differs).
        return redirect("accounts:sign-up-sent")
    return render(request, "contrib/sign_up.html", {"form": form})


@require_GET
def sign_up_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "contrib/sign_up_sent.html")


@require_GET
def sign_up_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = accounts.confirm(uidb64, token)
    if user is None:
        messages.error(
            request,
            "Ce lien de confirmation n'est plus valable (déjà utilisé ou trop ancien) : "
            "connectez-vous, ou inscrivez-vous à nouveau pour en recevoir un autre.",
        )
        return redirect("accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request, "Votre compte est activé. Demandez maintenant à rejoindre votre structure."
    )
    return redirect("contrib:join-structure")


@require_http_methods(["GET", "POST"])
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's login page is ours: one form for everybody, the throttled one."""
    if request.user.is_authenticated and not request.user.is_staff:
        raise PermissionDenied("Votre compte n'a pas accès à l'administration.")
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("accounts:login") + (f"?{query}" if query else ""))


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("structure"), token=token, accepted_at=None
    )
    if invitation.created_at < timezone.now() - INVITATION_VALIDITY:
        messages.error(request, "Cette invitation a expiré : demandez-en une nouvelle.")
        return redirect("catalogue:home")
    existing = User.objects.filter(email__iexact=invitation.email).first()
    user = request.user if request.user.is_authenticated else None
    if user is not None and user.email.lower() != invitation.email.lower():
        messages.error(
            request,
            f"Cette invitation a été envoyée à {invitation.email} : connectez-vous avec ce compte "
            "pour l'accepter.",
        )
        return redirect("contrib:dashboard")
    form = None
    if user is None and existing is not None:
        messages.info(request, "Connectez-vous avec votre compte pour accepter l'invitation.")
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    if user is None:
        form = InvitationSignUpForm(request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        if user is None:
            user = User.objects.create_user(
                invitation.email,
                form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        try:
            members.accept_invitation(invitation, user)
        except editing.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Vous contribuez maintenant à {invitation.structure.name}.")
        return redirect("contrib:dashboard")
    return render(request, "contrib/invitation.html", {"invitation": invitation, "form": form})


# Dashboard


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    sheets = (
        access.editable_sheets(user)
        .filter(
            Q(structure__memberships__user=user)
            | ~Q(publication_status=PublicationStatus.PUBLISHED)
            | Q(pending_edit__isnull=False)
        )
        .select_related("structure__departement", "pending_edit")
        .distinct()
        .order_by("-updated_at", "pk")[:200]
    )
    context = {
        "sheets": sheets,
        "structures": access.member_structures(user).select_related("departement"),
        "is_moderator": access.is_moderator(user),
        "queue_count": access.review_queue(user).count(),
        "join_requests": access.pending_join_requests(user),
        "my_requests": JoinRequest.objects.filter(
            user=user, state=JoinRequest.State.PENDING
        ).select_related("structure"),
        "territories": user.moderated_territories.select_related("departement", "region"),
        "can_create": access.manageable_structures(user).exists(),
        "is_admin": access.is_admin(user),
        "published_count": ActionSheet.objects.published().count() if user.is_superuser else 0,
    }
    return render(request, "contrib/dashboard.html", context)


# Writing a sheet


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
        "state_label": _state_label(sheet),
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


def _state_label(sheet: ActionSheet) -> str:
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
                    _attach_uploaded_file(request, sheet)
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


def _attach_uploaded_file(request: HttpRequest, sheet: ActionSheet) -> None:
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


def _unconfirmed(
    request: HttpRequest,
    *,
    question: str,
    consequence: str,
    button: str,
    cancel_url: str,
    comment: str = "",
) -> HttpResponse | None:
    """A moderator's action that is public or undoes work is confirmed first, without
    JavaScript: the first POST answers this page, whose form posts the same fields back with
    `confirmation=oui`. None once confirmed (the action goes ahead)."""
    if request.POST.get("confirmation") == "oui":
        return None
    fields = [
        (name, value)
        for name, value in request.POST.items()
        if name not in ("csrfmiddlewaretoken", "confirmation")
    ]
    return render(
        request,
        "contrib/confirm_action.html",
        {
            "question": question,
            "consequence": consequence,
            "button": button,
            "cancel_url": cancel_url,
            "comment": comment,
            "fields": fields,
        },
    )


@login_required
@require_POST
def restore_revision(request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
    sheet = access.sheet_to_review(request.user, pk)
    revision = get_object_or_404(sheet.revisions, pk=revision_pk)
    asking = _unconfirmed(
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
            "state_label": _state_label(sheet),
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
    asking = _unconfirmed(
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
    asking = _unconfirmed(
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
    asking = _unconfirmed(
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


@require_http_methods(["GET", "POST"])
def relay_message(request: HttpRequest, structure_pk: int) -> HttpResponse:
    """The "mise en relation" form: a visitor's message to a structure (or, failing its
    address, the territory's relay or the site's contact), sent by e-mail, never stored."""
    structure = get_object_or_404(Structure.objects.select_related("departement"), pk=structure_pk)
    sheet = None
    if request.GET.get("fiche", "").isdigit() or request.POST.get("fiche", "").isdigit():
        sheet = (
            ActionSheet.objects.published()
            .filter(structure=structure, pk=request.POST.get("fiche") or request.GET.get("fiche"))
            .first()
        )
    recipient = relay.recipient_for(structure)
    back = sheet.get_absolute_url() if sheet else structure.get_absolute_url()
    form = RelayMessageForm(request.POST or None)
    if request.method == "POST" and recipient is not None:
        wait = limits.hit(
            "relay-message", limits.client_address(request), settings.RELAY_MESSAGE_RATE
        )
        if wait:
            return too_many_requests(
                request, wait, "Vous avez envoyé beaucoup de messages : réessayez plus tard."
            )
        if form.is_valid():
            data = form.cleaned_data
            if limits.hit(
                "relay-message-email", data["email"].lower(), settings.RELAY_MESSAGE_EMAIL_RATE
            ):
                form.add_error("email", "Trop de messages envoyés avec ce courriel aujourd'hui.")
            else:
                relay.send_message(
                    recipient,
                    structure=structure,
                    sheet=sheet,
                    sender_name=data["name"],
                    sender_email=data["email"],
                    message=data["message"],
                )
                messages.success(
                    request,
                    f"Message envoyé à {recipient.label}. Une copie vous a été envoyée ; "
                    "la réponse arrivera à votre courriel.",
                )
                return redirect(back)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "contrib/relay_message.html",
        {
            "structure": structure,
            "sheet": sheet,
            "recipient": recipient,
            "form": form,
            "back": back,
        },
        status=status,
    )


# Vocabulary review


@login_required
@require_GET
def vocabulary(request: HttpRequest) -> HttpResponse:
    access.require_vocabulary_manager(request.user)
    rows = [
        {
            "vocabulary": name,
            "model": value._meta.model_name,
            "value": value,
            "rename_form": RenameValueForm(
                initial={"label": value.label}, prefix=f"r{value._meta.model_name}{value.pk}"
            ),
            "map_form": MapValueForm(value=value, prefix=f"m{value._meta.model_name}{value.pk}"),
            "usage": len(moderation._sheets_using(value)),
        }
        for name, value in moderation.flagged_values()
    ]
    return render(request, "contrib/vocabulary.html", {"rows": rows})


@login_required
@require_POST
def vocabulary_action(request: HttpRequest, model: str, pk: int, action: str) -> HttpResponse:
    access.require_vocabulary_manager(request.user)
    vocabulary_model = moderation.vocabulary_models().get(model)
    if vocabulary_model is None:
        raise Http404("Vocabulaire inconnu.")
    value = get_object_or_404(vocabulary_model, pk=pk)
    try:
        if action == "accepter":
            moderation.accept_value(value)
            messages.success(request, f"« {value.label} » est acceptée.")
        elif action == "renommer":
            form = RenameValueForm(request.POST, prefix=f"r{model}{pk}")
            if not form.is_valid():
                raise editing.InvalidSheetData(
                    {"label": "un libellé de 1 à 200 caractères est attendu."}
                )
            old = value.label
            moderation.rename_value(value, form.cleaned_data["label"])
            messages.success(request, f"« {old} » est renommée « {value.label} ».")
        elif action == "rattacher":
            form = MapValueForm(request.POST, value=value, prefix=f"m{model}{pk}")
            if not form.is_valid():
                raise editing.InvalidSheetData({"onto": "choisissez une valeur existante."})
            onto = form.cleaned_data["onto"]
            count = moderation.map_value(value, onto)
            messages.success(
                request,
                f"« {value.label} » est rattachée à « {onto.label} » ({count} fiche{'s' if count > 1 else ''}).",
            )
        else:
            raise Http404("Action inconnue.")
    except editing.InvalidSheetData as error:
        messages.error(request, " ".join(error.errors.values()).capitalize())
    return redirect("contrib:vocabulary")


@login_required
@require_http_methods(["GET", "POST"])
def thesaurus(request: HttpRequest) -> HttpResponse:
    """The search thesaurus: moderators read it, national administrators add groups (every
    search in France uses it at once)."""
    access.require_thesaurus_reader(request.user)
    can_manage = access.can_manage_thesaurus(request.user)
    if request.method == "POST":
        access.require_thesaurus_manager(request.user)
    form = ThesaurusEntryForm(request.POST or None) if can_manage else None
    if request.method == "POST" and form.is_valid():
        entry = form.save()
        messages.success(request, f"Groupe ajouté : {entry.expressions}.")
        return redirect("contrib:thesaurus")
    # (NUL characters cannot be searched: PostgreSQL refuses them.)
    q = " ".join(request.GET.get("q", "").replace("\x00", " ").split())[:100]
    entries = ThesaurusEntry.objects.all()
    if q:
        entries = entries.filter(expressions__icontains=q)
    return render(
        request,
        "contrib/thesaurus.html",
        {
            "form": form,
            "can_manage": can_manage,
            "entries": entries,
            "q": q,
            "total": ThesaurusEntry.objects.count(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def thesaurus_entry(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_thesaurus_manager(request.user)
    entry = get_object_or_404(ThesaurusEntry, pk=pk)
    form = ThesaurusEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Groupe modifié : {entry.expressions}.")
        return redirect("contrib:thesaurus")
    return render(
        request,
        "contrib/thesaurus_entry.html",
        {"form": form, "entry": entry},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def delete_thesaurus_entry(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_thesaurus_manager(request.user)
    entry = get_object_or_404(ThesaurusEntry, pk=pk)
    entry.delete()
    messages.success(request, f"Groupe supprimé : {entry.expressions}.")
    return redirect("contrib:thesaurus")


# Structures and members


@login_required
@require_GET
def join_structure(request: HttpRequest) -> HttpResponse:
    form = JoinSearchForm(request.GET or None)
    structures = Structure.objects.none()
    if form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["departement"]):
        structures = Structure.objects.select_related("departement").order_by("name")
        if form.cleaned_data["departement"]:
            structures = structures.filter(departement=form.cleaned_data["departement"])
        for word in form.cleaned_data["q"].split():
            structures = structures.filter(name__icontains=word)
        structures = structures[:50]
    return render(
        request,
        "contrib/join_structure.html",
        {"form": form, "structures": structures, "request_form": JoinRequestForm()},
    )


@login_required
@require_POST
def request_join(request: HttpRequest, structure_pk: int) -> HttpResponse:
    structure = get_object_or_404(Structure, pk=structure_pk)
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Demande non envoyée : le message est trop long.")
        return redirect("contrib:join-structure")
    try:
        members.request_join(request.user, structure, form.cleaned_data["message"])
    except editing.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Demande envoyée à {structure.name}. Vous recevrez un courriel dès qu'elle sera acceptée.",
        )
    return redirect("contrib:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def structure_members(request: HttpRequest, structure_pk: int) -> HttpResponse:
    structure = access.structure_to_manage(request.user, structure_pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        members.invite(form.cleaned_data["email"], structure, request.user)
        messages.success(request, f"Invitation envoyée à {form.cleaned_data['email']}.")
        return redirect("contrib:structure-members", structure_pk=structure.pk)
    return render(
        request,
        "contrib/structure_members.html",
        {
            "structure": structure,
            "members": access.structure_members(structure).order_by("email"),
            "join_requests": access.pending_join_requests(request.user).filter(structure=structure),
            "invitations": structure.invitations.filter(accepted_at=None),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def structure_contact(request: HttpRequest, structure_pk: int) -> HttpResponse:
    structure = access.structure_to_manage(request.user, structure_pk)
    # The form validates a copy: ModelForm writes the instance while validating.
    form = StructureContactForm(
        request.POST or None, instance=access.structure_to_manage(request.user, structure_pk)
    )
    if request.method == "POST" and form.is_valid():
        members.update_contact(structure, form.cleaned_data)
        messages.success(request, "Coordonnées enregistrées : elles apparaissent sur les fiches.")
        return redirect("contrib:structure-contact", structure_pk=structure.pk)
    return render(request, "contrib/structure_contact.html", {"structure": structure, "form": form})


@login_required
@require_POST
def decide_join(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    join = get_object_or_404(access.pending_join_requests(request.user), pk=pk)
    if decision not in ("accepter", "refuser"):
        raise Http404("Décision inconnue.")
    try:
        members.decide_join_request(join, request.user, accept=decision == "accepter")
    except editing.WorkflowError as error:
        messages.error(request, str(error))
    else:
        verb = "acceptée" if decision == "accepter" else "refusée"
        messages.success(request, f"Demande de {join.user} {verb}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("contrib:dashboard")
    return redirect(target)
