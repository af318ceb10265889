from django.core.management.base import BaseCommand, CommandError

from essaimage.lib.french import count_noun
from ingest.archive import RestoreRefused, restore_site


class Command(BaseCommand):
    help = "Restaure une archive écrite par « backup » dans une base de données vide."

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FICHIER", help="archive écrite par « backup »")
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="reconstruire l'index de recherche au lieu de le reprendre de l'archive",
        )

    def handle(self, *args, path, reindex, **options):
        try:
            report = restore_site(path, reindex=reindex)
        except RestoreRefused as error:
            raise CommandError(f"Restauration refusée, rien n'a été écrit : {error}") from error
        except OSError as error:
            raise CommandError(f"{path} : fichier illisible ({error.strerror}).") from error
        rows = sum(report.counts.values())
        self.stdout.write(
            f"Restauration terminée : {count_noun(report.sheets, 'fiche')}, "
            f"{count_noun(rows, 'ligne')} en tout, {count_noun(report.files, 'fichier joint')}, en {report.seconds:.1f} s "
            f"(dont {report.index_seconds:.1f} s pour "
            f"{'charger' if report.index_loaded else 'reconstruire'} l'index de recherche)."
        )
