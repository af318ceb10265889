import time

from django.core.management.base import BaseCommand, CommandError

from essaimage.lib.french import count_noun
from search import snapshot
from search.changes import log_state
from search.engines import memory


class Command(BaseCommand):
    help = (
        "Écrit l'instantané de l'index de recherche en mémoire pour la génération actuelle "
        "(SEARCH_INDEX_SNAPSHOT_DIR) : chaque processus le charge au démarrage au lieu de "
        "reconstruire l'index. À lancer une fois avant un déploiement."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Reconstruire l'index même si un instantané de cette génération existe.",
        )

    def handle(self, *args, rebuild=False, **options):
        token = log_state()[0]
        if snapshot.directory() is None:
            raise CommandError("SEARCH_INDEX_SNAPSHOT_DIR est vide : instantanés désactivés.")
        key = snapshot.key_for(token)
        if key is None:
            raise CommandError(
                "L'index n'a pas encore de génération : lancez d'abord rebuild_search_index."
            )
        started = time.perf_counter()
        if rebuild:
            index = memory.build_index(token)
            path = snapshot.write(index, key)
            if path is None:
                raise CommandError("Instantané non écrit (voir le journal).")
        else:
            builds = memory.builds
            index = memory.index_for(token)
            path = snapshot.path_for(key)
            if memory.builds == builds:
                self.stdout.write("Un instantané de cette génération existait déjà.")
        size = path.stat().st_size / 1024 / 1024 if path.exists() else 0
        self.stdout.write(
            f"Instantané de l'index ({count_noun(len(index.all), 'fiche publiée')}) : "
            f"{path}, {size:.1f} Mo, {time.perf_counter() - started:.1f} s."
        )
