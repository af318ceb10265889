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
