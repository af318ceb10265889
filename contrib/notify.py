"""E-mails to people: plain text, French, rendered from contrib/templates/contrib/email/."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string

from catalogue.models import ActionSheet
from contrib.models import Revision, User


def send(template: str, recipients: Iterable[str], context: dict) -> None:
    """Send one message per recipient once the transaction commits (never for a rolled-back act)."""
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"contrib/email/{template}_subject.txt", context).split())
    body = render_to_string(f"contrib/email/{template}.txt", context)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [r]) for r in recipients]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))


def sheet_authors(sheet: ActionSheet, *, exclude: User | None = None) -> list[str]:
    """E-mails of the people who wrote or submitted the sheet; its structure's members if none."""
    authors = User.objects.filter(
        is_active=True,
        revisions__sheet=sheet,
        revisions__kind__in=[
            Revision.Kind.CREATED,
            Revision.Kind.SAVED,
            Revision.Kind.SUBMITTED,
        ],
    )
    if exclude is not None:
        authors = authors.exclude(pk=exclude.pk)
    emails = set(authors.values_list("email", flat=True))
    if not emails:
        members = User.objects.filter(memberships__structure=sheet.structure_id, is_active=True)
        if exclude is not None:
            members = members.exclude(pk=exclude.pk)
        emails = set(members.values_list("email", flat=True))
    return sorted(emails)


def sheet_decision(
    sheet: ActionSheet, decision: str, moderator: User, comment: str = "", **extra
) -> None:
    send(
        "decision",
        sheet_authors(sheet, exclude=moderator),
        {"sheet": sheet, "decision": decision, "moderator": moderator, "comment": comment, **extra},
    )
