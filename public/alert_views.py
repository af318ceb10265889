"""Search alerts, no account needed: sign up for a search's new actions, confirm by e-mail,
unsubscribe (discovery.alerts does the work)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from discovery import alerts
from discovery.models import SearchAlert
from essaimage.lib import limits
from essaimage.views import too_many_requests
from public.forms import AlertForm


@require_http_methods(["GET", "POST"])
def alert_new(request: HttpRequest) -> HttpResponse:
    initial = {"query": alerts.clean_query(request.GET.urlencode())}
    if request.user.is_authenticated:
        initial["email"] = request.user.email
    form = AlertForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        wait = limits.hit(
            "alert-sign-up", limits.client_address(request), settings.ALERT_SIGN_UP_RATE
        )
        if wait:
            return too_many_requests(
                request, wait, "Trop d'alertes ont été demandées depuis votre adresse."
            )
        email = form.cleaned_data["email"].strip().lower()
        # Past the limit the page says the same, but no e-mail leaves (no mail bombing).
        if not limits.hit("alert-email", email, settings.ALERT_EMAIL_RATE):
            user = request.user if request.user.is_authenticated else None
            alerts.subscribe(
                email, form.cleaned_data["query"], form.cleaned_data["frequency"], user
            )
        return render(request, "discovery/alert_sent.html", {"email": email})
    query = form["query"].value() or ""
    return render(
        request,
        "discovery/alert_new.html",
        {
            "form": form,
            "search_url": alerts.describe(alerts.clean_query(query)),
            "search_words": alerts.describe_in_words(alerts.clean_query(query)),
        },
    )


@require_http_methods(["GET", "POST"])
def alert_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that open links confirm nothing.
    alert = get_object_or_404(SearchAlert, token=token)
    if request.method == "POST":
        alerts.confirm(alert)
        messages.success(request, "Alerte confirmée : vous recevrez les nouvelles actions.")
        return redirect(alerts.describe(alert.query))
    return render(request, "discovery/alert_confirm.html", {"alert": alert})


@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    alert = SearchAlert.objects.filter(token=token).first()
    if alert is None:
        return render(request, "discovery/alert_unsubscribed.html", {"already": True})
    if request.method == "POST":
        alerts.unsubscribe(alert)
        return render(request, "discovery/alert_unsubscribed.html", {"already": False})
    return render(request, "discovery/alert_unsubscribe.html", {"alert": alert})
