"""Recompute the probable duplicates of the whole base (`compute_similar` does it too)."""

import sys
import time

from django.core.management.base import BaseCommand

from discovery.duplicates import compute_pairs
from essaimage.lib.french import count_noun


def summary(sheets: int, pairs: int, seconds: float) -> str:
    return (
        f"{count_noun(sheets, 'fiche comparée', 'fiches comparées')}, "
        f"{count_noun(pairs, 'paire', 'paires')} de doublons probables ({seconds:.1f} s)."
    )


class Command(BaseCommand):
    help = "Calcule les doublons probables de toute la base (liste des modérateurs)."

    def handle(self, *args, **options):
        started = time.monotonic()
        self.show_progress = options["verbosity"] >= 1 and sys.stderr.isatty()
        sheets, pairs = compute_pairs(progress=self._progress)
        self.stdout.write(summary(sheets, pairs, time.monotonic() - started))

    def _progress(self, done: int, total: int) -> None:
        if not self.show_progress:
            return
        width = 30
        filled = width * done // total
        percent = 100 * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {percent} % (textes)")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
