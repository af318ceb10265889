import sys

from django.core.management.base import BaseCommand, CommandError

from ingest.importer import ImportRefused, import_paths
from ingest.pages_importer import import_pages, is_exports_only


class Command(BaseCommand):
    help = (
        "Importe SENACS : exports texte « Les actions des centres sociaux », fiches archivées "
        "(/action/show/…), pages de l'annuaire des structures (/structure/csx, /structure/evs) "
        "et listes, fichiers ou dossiers mélangés, dans n'importe quel ordre."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="FICHIER_OU_DOSSIER",
            help="exports, pages SENACS ou dossiers qui en contiennent (fichiers .txt)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="lire et compter sans rien enregistrer"
        )

    def handle(self, *args, paths, dry_run, **options):
        if is_exports_only(paths):
            # Current exports alone: the export importer's batches, each file all or nothing.
            try:
                report = import_paths(paths, dry_run=dry_run, progress=self._progress)
            except ImportRefused as error:
                raise CommandError(
                    f"Import refusé, rien n'a été enregistré pour ce fichier. {error}"
                ) from error
            for line in report.summary_lines():
                self.stdout.write(line)
            return
        report = import_pages(paths, dry_run=dry_run, progress=self._progress)
        if not sum(report.files_by_kind.values()) and not report.skipped:
            reasons = " ; ".join(f"{name} : {reason}" for name, reason in report.refused)
            raise CommandError(
                f"Import refusé, rien n'a été enregistré. {reasons or 'aucun fichier .txt trouvé.'}"
            )
        for line in report.summary_lines():
            self.stdout.write(line)

    def _progress(self, done: int, total: int) -> None:
        # A progress bar only where someone watches and the run is long.
        if total < 200 or not sys.stderr.isatty():
            return
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
