"""Recompute the similar actions of every published sheet (nightly, or after a large import), then
the probable duplicates of the whole base from the same fresh terms."""

import sys
import time

from django.core.management.base import BaseCommand

from discovery import suggestions
from discovery.duplicates import compute_pairs
from discovery.management.commands.compute_duplicates import summary
from discovery.similarity import compute_all
from essaimage.lib.french import count_noun


class Command(BaseCommand):
    help = "Calcule les actions similaires de toutes les fiches publiées."

    def handle(self, *args, **options):
        started = time.monotonic()
        self.show_progress = options["verbosity"] >= 1 and sys.stderr.isatty()
        sheets, pairs = compute_all(progress=self._progress)
        self.stdout.write(
            f"{count_noun(sheets, 'fiche publiée')}, "
            f"{count_noun(pairs, 'lien', 'liens')} vers des actions similaires "
            f"({time.monotonic() - started:.1f} s)."
        )
        # The moderators' duplicate list compares the terms just stored.
        started = time.monotonic()
        self.step = "doublons"
        sheets, pairs = compute_pairs(progress=self._progress)
        self.stdout.write(summary(sheets, pairs, time.monotonic() - started))
        # The suggestions learn from the same stored terms: retrain them while they are fresh.
        started = time.monotonic()
        model = suggestions.train()
        self.stdout.write(
            f"Suggestions entraînées sur {count_noun(model.size, 'fiche publiée')} "
            f"({time.monotonic() - started:.1f} s) ; {suggestions.fields_summary(model)}."
            if model
            else "Pas de suggestions : trop peu de fiches publiées avec des valeurs."
        )

    def _progress(self, done: int, total: int) -> None:
        if not self.show_progress:
            return
        width = 30
        filled = width * done // total
        step = getattr(self, "step", None) or ("analyse" if done * 2 <= total else "comparaison")
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({step})")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
