"""The information pages every French public website has (mentions légales, accessibilité,
données personnelles, contact, à propos, publier vos actions): text an administrator edits in
/admin/ without a deployment. The first content comes from a data migration."""

from django.db import models
from django.urls import reverse
from django.utils import timezone


class Page(models.Model):
    slug = models.SlugField("adresse", max_length=80, unique=True, help_text="/SLUG/ sur le site.")
    title = models.CharField("titre", max_length=200)
    summary = models.CharField("chapeau", max_length=300, blank=True)
    body = models.TextField(
        "contenu (HTML)",
        help_text="HTML simple : <h2>, <p>, <ul>, <a>. Seuls les administrateurs le modifient.",
    )
    updated_at = models.DateTimeField("mise à jour le", default=timezone.now)

    class Meta:
        verbose_name = "page d'information"
        verbose_name_plural = "pages d'information"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pages:page", args=[self.slug])
