"""Search alerts: subscribe (double opt-in), confirm, unsubscribe, and the periodic e-mail.

An alert keeps the catalogue's query string, validated by SearchForm; `new_sheets` replays it
through the search service (`search.service.filtered_sheets`, the same filters and text match as
`/actions/?…`) and keeps the sheets published since the last e-mail.
"""

import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from catalogue.models import ActionSheet
from discovery.models import SearchAlert
from search.describe import describe_query
from search.forms import SearchForm
from search.service import filtered_sheets

PERIODS = {
    SearchAlert.Frequency.WEEKLY: timedelta(days=7),
    SearchAlert.Frequency.MONTHLY: timedelta(days=30),
}
# A daily cron job a little earlier than last week's still sends this week's e-mail.
SLACK = timedelta(hours=2)
MAX_SHEETS = 50


def clean_query(raw: str) -> str:
    """The query string as the catalogue understands it (unknown or invalid parts dropped)."""
    form = SearchForm(QueryDict(raw or ""))
    form.is_valid()
    return replace(form.to_query(), sort="").querystring()


def describe(query: str) -> str:
    return f"/actions/?{query}" if query else "/actions/"


PLACES = ("Département", "Région")


def describe_in_words(query: str) -> str:
    """The search an alert follows, as a person says it: "Parentalité, en Bourgogne-Franche-Comté"
    (the filter labels of the Atom feed and the booklet: search.describe.describe_query)."""

    form = SearchForm(QueryDict(query or ""))
    form.is_valid()
    parts, places = [], []
    for label, values in describe_query(form.to_query()):
        if label == "Recherche":
            parts.append(f"« {values} »")
        elif label in PLACES:
            places.append(f"en {values}")
        elif label == "Lieu reconnu":  # "Gironde (département)", typed in the words
            places.append(f"en {values.rsplit(' (', 1)[0]}")
        elif label == "Années":
            parts.append(f"années {values}")
        else:
            parts.append(values)
    return ", ".join(parts + places) or "toutes les fiches du catalogue"


def subscribe(email: str, query: str, frequency: str, user=None) -> SearchAlert:
    """A new, unconfirmed alert; the confirmation e-mail leaves once the transaction commits."""
    email = email.strip().lower()
    alert = SearchAlert.objects.create(
        email=email,
        query=clean_query(query),
        frequency=frequency,
        token=secrets.token_urlsafe(32),
        user=user if user is not None and user.email.lower() == email else None,
    )
    _send(alert, "alert_confirm", {})
    return alert


def confirm(alert: SearchAlert) -> None:
    if alert.confirmed_at is None:
        alert.confirmed_at = alert.last_sent_at = timezone.now()
        alert.save(update_fields=["confirmed_at", "last_sent_at"])


def unsubscribe(alert: SearchAlert) -> None:
    alert.delete()


def new_sheets(alert: SearchAlert, limit: int = MAX_SHEETS) -> list[ActionSheet]:
    form = SearchForm(QueryDict(alert.query))
    form.is_valid()
    qs = filtered_sheets(form.to_query()).filter(published_at__gt=alert.last_sent_at)
    return list(qs.select_related("structure").order_by("-published_at", "pk")[:limit])


def due_alerts(now: datetime):
    for frequency, period in PERIODS.items():
        yield from SearchAlert.objects.filter(
            confirmed_at__isnull=False,
            frequency=frequency,
            last_sent_at__lte=now - period + SLACK,
        ).order_by("pk")


def send_alerts(now: datetime | None = None) -> tuple[int, int]:
    """E-mail every due, confirmed alert that has new sheets. Returns (e-mails sent, alerts
    without anything new). An alert with nothing new keeps its date: the next e-mail covers
    everything since the last one."""
    now = now or timezone.now()
    sent = empty = 0
    for alert in due_alerts(now):
        sheets = new_sheets(alert)
        if not sheets:
            empty += 1
            continue
        with transaction.atomic():
            _send(alert, "alert_sheets", {"sheets": sheets, "capped": len(sheets) >= MAX_SHEETS})
            SearchAlert.objects.filter(pk=alert.pk).update(last_sent_at=now)
        sent += 1
    return sent, empty


def _send(alert: SearchAlert, template: str, context: dict) -> None:
    site = settings.SITE_URL.rstrip("/")
    unsubscribe_url = site + reverse("discovery:alert-unsubscribe", args=[alert.token])
    context = {
        **context,
        "alert": alert,
        "site_url": site,
        "search_url": site + describe(alert.query),
        "search_words": describe_in_words(alert.query),
        "confirm_url": site + reverse("discovery:alert-confirm", args=[alert.token]),
        "unsubscribe_url": unsubscribe_url,
    }
    subject = " ".join(render_to_string(f"discovery/email/{template}_subject.txt", context).split())
    body = render_to_string(f"discovery/email/{template}.txt", context)
    message = EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [alert.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>"},
    )
    transaction.on_commit(lambda: message.send(fail_silently=False))
