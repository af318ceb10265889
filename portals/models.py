"""Portals: a saved selection of the catalogue under its own name, address, colours and
administrators (issue #24), and the embeds of its list on other sites."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Couleur attendue au format #rrggbb (ex. #1d4e89).")
# The facets a portal may show (query-string keys of the catalogue, in the sidebar's order).
FILTER_CHOICES = [
    ("departement", "Département"),
    ("region", "Région"),
    ("keywords", "Mots clés"),
    ("dimension", "Dimension"),
    ("status", "Statut de l'action"),
    ("publics", "Public"),
    ("territory", "Territoire concerné"),
    ("initiators", "Qui est à l'initiative"),
    ("action_partners", "Partenaires d'action"),
    ("financial_partners", "Partenaires financiers"),
    ("structure", "Structure"),
    ("structure_type", "Type de structure"),
    ("year", "Année"),
]


class Portal(models.Model):
    slug = models.SlugField("adresse (/portails/…/)", max_length=60, unique=True)
    host = models.CharField(
        "nom de domaine propre",
        max_length=200,
        blank=True,
        help_text="Facultatif, ex. actions.federation-doubs.example.org (à ajouter aussi à "
        "ALLOWED_HOSTS).",
    )
    title = models.CharField("titre", max_length=120)
    introduction = models.TextField(
        "introduction",
        max_length=2000,
        blank=True,
        help_text="Paragraphes, *italique*, **gras**, [liens](https://…) et listes à tirets.",
    )
    selection = models.CharField(
        "sélection (requête du catalogue)",
        max_length=2000,
        blank=True,
        help_text="La partie après « ? » d'une adresse du catalogue, ex. departement=25.",
    )
    shown_filters = models.JSONField("filtres affichés", default=list, blank=True)
    offered_values = models.CharField(
        "valeurs proposées par les filtres",
        max_length=2000,
        blank=True,
        help_text="Facultatif, au format d'une requête, ex. keywords=numerique&keywords=jeunesse.",
    )
    logo = models.ImageField("logo", upload_to="portals/", blank=True)
    logo_alt = models.CharField("texte du logo", max_length=120, blank=True)
    logo_link = models.URLField("lien du logo", blank=True)
    header_background = models.CharField(
        "fond du bandeau", max_length=7, default="#1d4e89", validators=[COLOUR]
    )
    header_text = models.CharField(
        "texte du bandeau", max_length=7, default="#ffffff", validators=[COLOUR]
    )
    accent = models.CharField(
        "couleur des liens", max_length=7, default="#1d4e89", validators=[COLOUR]
    )
    highlighted = models.ManyToManyField(
        "catalogue.ActionSheet", verbose_name="fiches mises en avant", blank=True, related_name="+"
    )
    excluded = models.ManyToManyField(
        "catalogue.ActionSheet", verbose_name="fiches exclues", blank=True, related_name="+"
    )
    is_example = models.BooleanField("exemple de démonstration", default=False)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "portail"
        verbose_name_plural = "portails"
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["host"], condition=~models.Q(host=""), name="portal_host_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def prefix(self) -> str:
        return f"/portails/{self.slug}/"

    def get_absolute_url(self) -> str:
        return reverse("portals:portal-root", args=[self.slug])


class PortalAdministrator(models.Model):
    """Federation, CAF or département staff who edit one portal."""

    portal = models.ForeignKey(
        Portal, verbose_name="portail", on_delete=models.CASCADE, related_name="administrators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="administered_portals",
    )
    created_at = models.DateTimeField("depuis le", default=timezone.now)

    class Meta:
        verbose_name = "administrateur d'un portail"
        verbose_name_plural = "administrateurs des portails"
        constraints = [
            models.UniqueConstraint(fields=["portal", "user"], name="portal_administrator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.portal}"


class PortalChange(models.Model):
    """One saved edit of a portal: who, when, and each changed field (before, after)."""

    portal = models.ForeignKey(
        Portal, verbose_name="portail", on_delete=models.CASCADE, related_name="changes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField("le", default=timezone.now)
    changes = models.JSONField("modifications", default=dict)

    class Meta:
        verbose_name = "modification d'un portail"
        verbose_name_plural = "historique des portails"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.portal} · {self.at:%d/%m/%Y %H:%M}"


class PortalVisit(models.Model):
    """A daily counter per portal and kind: no cookie, no address, no person."""

    class Kind(models.TextChoices):
        PORTAL = "portal", "pages du portail"
        EMBED = "embed", "intégrations"

    portal = models.ForeignKey(Portal, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "visites d'un portail (par jour)"
        verbose_name_plural = "visites des portails (par jour)"
        constraints = [
            models.UniqueConstraint(fields=["portal", "kind", "day"], name="portal_visit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.portal} · {self.get_kind_display()} · {self.day} : {self.count}"
