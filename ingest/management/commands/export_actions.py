from django.core.management.base import BaseCommand, CommandError

from catalogue.models import PublicationStatus
from essaimage.lib.french import count_noun
from ingest.backup import iter_records, write_records


class Command(BaseCommand):
    help = "Écrit chaque fiche au format JSON canonique (sauvegarde, données ouvertes)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "jsonl"], default="json")
        parser.add_argument(
            "--output", metavar="FICHIER", help="fichier de sortie (défaut : sortie standard)"
        )
        parser.add_argument(
            "--published",
            action="store_true",
            help="seulement les fiches publiées (pour les données ouvertes)",
        )

    def handle(self, *args, format, output, published, **options):
        self.stdout.ending = ""  # records carry their own line breaks
        records = iter_records()
        if published:
            records = (r for r in records if r["publication_status"] == PublicationStatus.PUBLISHED)
        if not output:
            write_records(records, self.stdout, fmt=format)
            return
        try:
            with open(output, "w", encoding="utf-8") as out:
                count = write_records(records, out, fmt=format)
        except OSError as error:
            raise CommandError(f"Impossible d'écrire {output} : {error.strerror}.") from error
        self.stderr.write(f"{count_noun(count, 'fiche écrite')} dans {output}.")
