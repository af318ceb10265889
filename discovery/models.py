"""What `discovery.similarity` computes offline: each sheet's terms and its similar sheets."""

from django.conf import settings
from django.db import models

from catalogue.models import ActionSheet


class SimilarityProfile(models.Model):
    """The analysed terms of a published sheet, hashed (discovery.similarity.term_vector: int32
    feature numbers then int32 counts), so that an edit recomputes the neighbours of one sheet
    without analysing the whole base again, and the base loads as a matrix in a second."""

    sheet = models.OneToOneField(
        ActionSheet, on_delete=models.CASCADE, primary_key=True, related_name="similarity_profile"
    )
    vector = models.BinaryField()

    class Meta:
        verbose_name = "profil de similarité"

    def __str__(self) -> str:
        return f"profil de la fiche {self.sheet_id}"


class SimilarSheet(models.Model):
    """`other` is one of the (at most SIMILAR_COUNT) published sheets most similar to `sheet`."""

    sheet = models.ForeignKey(ActionSheet, on_delete=models.CASCADE, related_name="similar_links")
    other = models.ForeignKey(ActionSheet, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    # Phrases shown on the page and in the API ("mots clés communs : Parentalité").
    reasons = models.JSONField(default=list)

    class Meta:
        verbose_name = "action similaire"
        verbose_name_plural = "actions similaires"
        ordering = ["sheet", "-score", "other"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "other"], name="similar_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id} → {self.other_id} ({self.score:.2f})"


class ProbableDuplicate(models.Model):
    """Two non-archived sheets that are probably the same action (discovery.duplicates), stored
    so that the moderators' list reads its territory's pairs instead of comparing the base."""

    first = models.ForeignKey(ActionSheet, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(ActionSheet, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()  # 0–100
    # Phrases shown in the list ("même titre, même structure").
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField()
    # Codes of the two sheets' départements ("" without one), copied so that a moderator's list
    # filters the pairs with an index instead of joining both sheets of every pair of its
    # territory's sheets (11.8 s for a région at 100,000 synthetic sheets, 2.6 million pairs).
    # Written with the pair; a structure that changes département updates them (its signal).
    first_departement = models.CharField(max_length=3, blank=True, default="")
    second_departement = models.CharField(max_length=3, blank=True, default="")

    class Meta:
        verbose_name = "doublon probable"
        verbose_name_plural = "doublons probables"
        ordering = ["-score", "first", "second"]
        indexes = [
            models.Index(fields=["-score", "first", "second"], name="duplicate_rank"),
            models.Index(
                fields=["first_departement", "second_departement", "-score", "first", "second"],
                name="duplicate_territory",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="duplicate_ordered_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score:.0f})"


class DuplicateComputation(models.Model):
    """The last full computation of the probable duplicates (one row), shown on the list."""

    computed_at = models.DateTimeField()
    sheets = models.PositiveIntegerField()
    pairs = models.PositiveIntegerField()
    seconds = models.FloatField()

    class Meta:
        verbose_name = "calcul des doublons"
        verbose_name_plural = "calculs des doublons"

    def __str__(self) -> str:
        return f"doublons calculés le {self.computed_at:%Y-%m-%d %H:%M}"


class SearchAlert(models.Model):
    """ "Recevoir les nouvelles actions par e-mail": a catalogue query string replayed by
    `manage.py send_alerts`. No account needed; nothing is sent before the address confirms."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "chaque semaine"
        MONTHLY = "monthly", "chaque mois"

    email = models.EmailField("adresse e-mail")
    query = models.CharField("recherche", max_length=2000, blank=True)
    frequency = models.CharField(
        "fréquence", max_length=10, choices=Frequency, default=Frequency.WEEKLY
    )
    # Secret of the confirmation and unsubscribe links.
    token = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="search_alerts",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)
    # Sheets published after this moment are new for the next e-mail (confirmation, last e-mail).
    last_sent_at = models.DateTimeField("dernier envoi", null=True, blank=True)

    class Meta:
        verbose_name = "alerte de recherche"
        verbose_name_plural = "alertes de recherche"
        ordering = ["email", "created_at"]

    def __str__(self) -> str:
        return f"{self.email} : {self.query or 'tout le catalogue'}"
