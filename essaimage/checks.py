"""System checks of the project's own settings (registered by catalogue.apps)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


@register(Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs):
    """Every absolute link (exports, PDF, feeds, API `url`, e-mails) comes from SITE_URL: left
    at a loopback address in production, they would all point to the reader's own machine."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    if settings.DEBUG or not (host in LOOPBACK or host.startswith("127.")):
        return []
    return [
        Warning(
            f"SITE_URL vaut « {settings.SITE_URL} », une adresse locale, alors que DEBUG est "
            "désactivé : les liens des exports, PDF, flux Atom, de l'API et des courriels "
            "pointeraient vers la machine du lecteur.",
            hint="Définissez SITE_URL avec l'adresse publique du site, par exemple "
            "https://essaimage.example.org.",
            id="essaimage.W001",
        )
    ]


@register()
def check_contact_email(app_configs=None, **kwargs):
    """Without CONTACT_EMAIL, a visitor whose structure gave no address and whose département has
    no relay has nobody to write to, and the contact pages say so (contrib.relay)."""
    if settings.DEBUG or settings.CONTACT_EMAIL:
        return []
    return [
        Warning(
            "CONTACT_EMAIL n'est pas défini alors que DEBUG est désactivé : les pages de contact, "
            "d'accessibilité et de données personnelles n'ont pas d'adresse, et un visiteur dont "
            "la structure n'a ni courriel ni relais départemental n'a personne à qui écrire.",
            hint="Définissez CONTACT_EMAIL avec l'adresse de l'équipe du site.",
            id="essaimage.W002",
        )
    ]
