from django.core.management.base import BaseCommand, CommandError

from essaimage.lib.french import count_noun
from ingest.archive import backup_site


class Command(BaseCommand):
    help = (
        "Sauvegarde tout le site (fiches, structures, comptes, historique, vocabulaires, "
        "fichiers joints) dans une archive zip à restaurer avec « restore »."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FICHIER", help="archive à écrire (.zip)")

    def handle(self, *args, path, **options):
        try:
            report = backup_site(path)
        except OSError as error:
            raise CommandError(f"Sauvegarde impossible dans {path} : {error.strerror}.") from error
        rows = sum(report.counts.values())
        self.stdout.write(
            f"Sauvegarde écrite dans {path} : {count_noun(report.sheets, 'fiche')}, "
            f"{count_noun(rows, 'ligne')} en tout, {count_noun(report.files, 'fichier joint')} ({report.file_bytes} octets), "
            f"en {report.seconds:.1f} s."
        )
