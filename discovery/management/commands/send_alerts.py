"""Send the search alerts that are due (run it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from discovery.alerts import send_alerts
from essaimage.lib.french import count_noun


class Command(BaseCommand):
    help = "Envoie les alertes de recherche dues (nouvelles fiches depuis le dernier e-mail)."

    def handle(self, *args, **options):
        sent, empty = send_alerts()
        self.stdout.write(
            f"{count_noun(sent, 'e-mail envoyé')}, "
            f"{count_noun(empty, 'alerte')} sans nouvelle fiche."
        )
