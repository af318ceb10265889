"""Figures read from the free text of a sheet (budget, amounts by funder, people), computed when
the sheet is written (see stats/figures.py), so the statistics page only aggregates columns."""

from django.conf import settings
from django.db import models

from catalogue.models import ActionSheet


class SheetFigures(models.Model):
    sheet = models.OneToOneField(
        ActionSheet,
        verbose_name="fiche",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
    )
    # Fingerprint of the texts last read: an unchanged text is not read again.
    text_hash = models.CharField(max_length=64, blank=True, editable=False)
    budget_read = models.DecimalField(
        "budget lu", max_digits=14, decimal_places=2, null=True, blank=True
    )
    budget_source = models.TextField("phrase d'où le budget est lu", blank=True)
    budget_corrected = models.DecimalField(
        "budget corrigé", max_digits=14, decimal_places=2, null=True, blank=True
    )
    # What the statistics use: the contributor's value when there is one, else the reading.
    budget = models.DecimalField("budget", max_digits=14, decimal_places=2, null=True, blank=True)
    people_read = models.PositiveIntegerField("personnes lues", null=True, blank=True)
    people_source = models.TextField("phrase d'où le nombre est lu", blank=True)
    people_corrected = models.PositiveIntegerField("personnes (corrigé)", null=True, blank=True)
    people = models.PositiveIntegerField("personnes mobilisées", null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="corrigé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    corrected_at = models.DateTimeField("corrigé le", null=True, blank=True)

    class Meta:
        verbose_name = "chiffres lus d'une fiche"
        verbose_name_plural = "chiffres lus des fiches"

    def __str__(self) -> str:
        return f"Chiffres de la fiche {self.sheet_id}"

    def settle(self) -> None:
        """The contributor's value wins over the reading."""
        self.budget = (
            self.budget_corrected if self.budget_corrected is not None else self.budget_read
        )
        self.people = (
            self.people_corrected if self.people_corrected is not None else self.people_read
        )


class SheetFunding(models.Model):
    """An amount of the "Ressources financières mobilisées" attributed to a kind of funder."""

    sheet = models.ForeignKey(
        ActionSheet, verbose_name="fiche", on_delete=models.CASCADE, related_name="fundings"
    )
    kind = models.CharField("type de financeur", max_length=60)
    label = models.CharField("financeur (tel qu'écrit)", max_length=120)
    amount = models.DecimalField("montant", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "financement lu"
        verbose_name_plural = "financements lus"
        ordering = ["sheet", "-amount"]

    def __str__(self) -> str:
        return f"{self.label} : {self.amount} €"
