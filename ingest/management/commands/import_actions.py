from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from essaimage.lib.french import count_noun
from ingest.backup import RestoreError, read_records, restore_records


class Command(BaseCommand):
    help = (
        "Restaure des fiches depuis un export JSON ou JSONL de export_actions (mêmes identifiants)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FICHIER")

    def handle(self, *args, path, **options):
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path} : fichier illisible ({error}).") from error
        try:
            count = restore_records(read_records(text))
        except RestoreError as error:
            raise CommandError(f"{path} : {error} Rien n'a été restauré.") from error
        self.stdout.write(f"{count_noun(count, 'fiche restaurée')} depuis {path}.")
