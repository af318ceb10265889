from django.core.management.base import BaseCommand

from public.export_jobs import prune_expired


class Command(BaseCommand):
    help = "Supprime les exports en arrière-plan expirés (fichiers et suivi)."

    def handle(self, *args, **options):
        count = prune_expired()
        self.stdout.write(f"{count} export(s) expiré(s) supprimé(s).")
