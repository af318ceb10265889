"""Train the keyword, public and dimension suggestions of the edit page on the published sheets
(also done at the end of `compute_similar`)."""

import time

from django.core.management.base import BaseCommand

from discovery import suggestions
from essaimage.lib.french import count_noun


class Command(BaseCommand):
    help = "Entraîne les suggestions de mots clés, publics et dimension sur les fiches publiées."

    def handle(self, *args, **options):
        started = time.monotonic()
        model = suggestions.train()
        elapsed = time.monotonic() - started
        if model is None:
            self.stdout.write(
                f"Pas de suggestions : il faut au moins "
                f"{count_noun(suggestions.MIN_SHEETS, 'fiche publiée')} avec des mots clés, "
                f"des publics ou une dimension ({elapsed:.1f} s)."
            )
            return
        self.stdout.write(
            f"Suggestions entraînées sur {count_noun(model.size, 'fiche publiée')} "
            f"({elapsed:.1f} s) ; {suggestions.fields_summary(model)}."
        )
