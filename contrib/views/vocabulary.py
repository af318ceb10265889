"""Vocabularies and the search thesaurus, curated by moderators and national administrators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contrib import access, editing, moderation
from contrib.forms import (
    MapValueForm,
    RenameValueForm,
    ThesaurusEntryForm,
)
from search.models import ThesaurusEntry

# Accounts


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
