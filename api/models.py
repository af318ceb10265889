"""Personal API tokens: a user's key to write through the API under their own permissions."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField("nom", max_length=100)
    # The key itself is shown once at creation; only its SHA-256 is stored.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("début de la clé", max_length=12, editable=False)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
