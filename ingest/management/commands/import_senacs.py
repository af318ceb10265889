import sys

from django.core.management.base import BaseCommand, CommandError

from ingest.importer import ImportRefused, import_paths


class Command(BaseCommand):
    help = "Importe un ou plusieurs exports texte SENACS (« Les actions des centres sociaux »)."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="FICHIER", help="export(s) SENACS au format texte"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="lire et compter sans rien enregistrer"
        )

    def handle(self, *args, paths, dry_run, **options):
        try:
            report = import_paths(paths, dry_run=dry_run, progress=self._progress)
        except ImportRefused as error:
            raise CommandError(
                f"Import refusé, rien n'a été enregistré pour ce fichier. {error}"
            ) from error
        for line in report.summary_lines():
            self.stdout.write(line)

    def _progress(self, done: int, total: int) -> None:
        # A progress bar only where someone watches and the file is long.
        if total < 200 or not sys.stderr.isatty():
            return
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} fiches")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
