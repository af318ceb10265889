"""Never a dead end: who a visitor can write to about a structure or a sheet, and the "mise en
relation" message (as DORA does): the visitor writes on the site, the message goes by e-mail
to the structure (its address need not be shown), else to the territory's relay (a fédération
or a CAF entered by administrators per département), else to the site's contact. The visitor's
address is the reply address and gets a copy. Nothing is stored: the message only passes.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string

from catalogue.models import ActionSheet, Structure, TerritoryRelay


@dataclass(frozen=True)
class Recipient:
    kind: str  # "structure", "relay" or "site"
    name: str
    email: str
    # What the page may show (a structure's address only when it gave it for publication).
    shown_email: str = ""
    phone: str = ""
    website: str = ""
    relay_kind: str = ""

    @property
    def label(self) -> str:
        if self.kind == "structure":
            return self.name
        if self.kind == "relay":
            return self.name
        return "l'équipe d'Essaimage"


def recipient_for(structure: Structure | None) -> Recipient | None:
    """The person a visitor reaches about `structure`, or None when the site has no contact."""
    if structure is not None and not structure.is_unspecified and structure.email:
        return Recipient(
            kind="structure",
            name=structure.name,
            email=structure.email,
            shown_email=structure.public_email,
            phone=structure.phone,
            website=structure.website,
        )
    if structure is not None and structure.departement_id:
        relay = (
            TerritoryRelay.objects.filter(departement_id=structure.departement_id)
            .order_by("kind", "name")
            .first()
        )
        if relay is not None:
            return Recipient(
                kind="relay",
                name=relay.name,
                email=relay.email,
                shown_email=relay.email,
                phone=relay.phone,
                website=relay.website,
                relay_kind=relay.get_kind_display(),
            )
    if settings.CONTACT_EMAIL:
        return Recipient(
            kind="site",
            name="Essaimage",
            email=settings.CONTACT_EMAIL,
            shown_email=settings.CONTACT_EMAIL,
        )
    return None


def send_message(
    recipient: Recipient,
    *,
    structure: Structure,
    sheet: ActionSheet | None,
    sender_name: str,
    sender_email: str,
    message: str,
) -> None:
    """Send the visitor's message to `recipient` (reply goes to the visitor) and a copy to the
    visitor (naming the recipient, never showing an address the structure did not publish)."""
    context = {
        "recipient": recipient,
        "structure": structure,
        "sheet": sheet,
        "sender_name": sender_name,
        "sender_email": sender_email,
        "message": message,
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(render_to_string("contrib/email/relay_subject.txt", context).split())
    to_recipient = EmailMessage(
        subject,
        render_to_string("contrib/email/relay.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [recipient.email],
        reply_to=[sender_email],
    )
    copy = EmailMessage(
        f"Copie de votre message : {subject}",
        render_to_string("contrib/email/relay_copy.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [sender_email],
    )
    get_connection().send_messages([to_recipient, copy])
