"""A visitor's message to a structure (mise en relation)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from catalogue.models import ActionSheet, Structure
from contrib import relay
from contrib.forms import (
    RelayMessageForm,
)
from essaimage.lib import limits
from essaimage.views import too_many_requests

# Accounts


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
