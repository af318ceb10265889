from django.core.management.base import BaseCommand
from django.db import transaction

from essaimage.lib.french import count_noun
from search.models import ThesaurusEntry
from search.thesaurus import load_file_entries


class Command(BaseCommand):
    help = (
        "Remplace le thésaurus de la base par celui du dépôt (search/data/thesaurus.txt et "
        "search/data/acronyms.txt). Les modifications faites dans l'administration sont perdues."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            count = load_file_entries(ThesaurusEntry)
        self.stdout.write(f"Thésaurus chargé : {count_noun(count, 'entrée')}.")
