"""A structure's members: join requests, members, contact details."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue.models import Structure
from contrib import access, editing, members
from contrib.forms import (
    InviteForm,
    JoinRequestForm,
    JoinSearchForm,
    StructureContactForm,
)

# Accounts


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
