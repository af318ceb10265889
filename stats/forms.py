from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from stats.amounts import parse_number


class FiguresForm(forms.Form):
    """A contributor's budget and number of people for a sheet; empty = what the text says."""

    budget = forms.CharField(
        label="Budget total de l'action (en euros)",
        required=False,
        max_length=20,
        help_text="Par exemple 22 475 ou 2640,20. Laissez vide pour garder le montant lu dans "
        "« Ressources financières mobilisées ».",
    )
    people = forms.CharField(
        label="Nombre de personnes mobilisées ou touchées",
        required=False,
        max_length=20,
        help_text="Un nombre entier. Laissez vide pour garder le nombre lu dans la fiche.",
    )

    def clean_budget(self) -> Decimal | None:
        raw = self.cleaned_data["budget"].replace("€", "").replace("euros", "").strip()
        if not raw:
            return None
        try:
            value = parse_number(raw)
        except (InvalidOperation, ValueError):
            raise ValidationError(
                f"Budget : « {raw} » n'est pas un montant (écrivez par exemple 22 475 ou 2640,20)."
            ) from None
        if value < 0 or value >= Decimal("1e12"):
            raise ValidationError(
                "Budget : le montant doit être positif et inférieur à mille milliards."
            )
        return value.quantize(Decimal("0.01"))

    def clean_people(self) -> int | None:
        written = self.cleaned_data["people"].strip()
        raw = "".join(ch for ch in written if not ch.isspace())
        if not raw:
            return None
        if not raw.isdigit():
            raise ValidationError(
                f"Nombre de personnes : « {written} » n'est pas un nombre entier positif."
            )
        if len(raw) > 9:
            raise ValidationError("Nombre de personnes : au plus 999 999 999.")
        return int(raw)
