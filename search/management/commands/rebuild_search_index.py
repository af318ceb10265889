from django.core.management.base import BaseCommand
from django.db import transaction

from essaimage.lib.french import count_noun
from search.indexing import rebuild_index


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche à partir de toutes les fiches."

    def handle(self, *args, **options):
        with transaction.atomic():
            count = rebuild_index()
        self.stdout.write(f"Index de recherche reconstruit : {count_noun(count, 'fiche indexée')}.")
