"""The "Mes jetons d'API" page: create and revoke personal API tokens."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from api import tokens
from api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Pour vous y retrouver, par exemple « Tableur de la fédération ».",
    )


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    new_key = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _, new_key = tokens.create_token(request.user, form.cleaned_data["name"])
            except tokens.TokenLimitReached as exc:
                form.add_error(None, str(exc))
            else:
                form = TokenForm()
    else:
        form = TokenForm()
    response = render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": ApiToken.objects.filter(user=request.user),
        },
    )
    response["Cache-Control"] = "no-store"  # the new key is shown once and must not be cached
    return response


@require_POST
@login_required
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = tokens.revoke_token(request.user, pk)
    except ApiToken.DoesNotExist:
        raise Http404("Jeton introuvable.") from None
    messages.success(request, f"Le jeton « {token.name} » est révoqué.")
    return redirect("api-tokens")
