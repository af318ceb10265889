"""Recompute the similar actions of every published sheet (nightly, or after a large import)."""

import sys
import time

from django.core.management.base import BaseCommand

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

    def _progress(self, done: int, total: int) -> None:
        if not self.show_progress:
            return
        width = 30
        filled = width * done // total
        step = "analyse" if done * 2 <= total else "comparaison"
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({step})")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
