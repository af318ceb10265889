"""`make demo`: one example portal (the sample's Doubs sheets), idempotent."""

from django.core.management.base import BaseCommand

from portals.models import Portal

INTRODUCTION = """Ceci est un **exemple de portail**, fabriqué pour la démonstration d'Essaimage : \
il montre les actions des centres sociaux du Doubs présentes dans l'échantillon.

Une fédération, une CAF ou un département peut avoir le sien :
- sa sélection d'actions, son titre, son logo et ses couleurs ;
- ses fiches mises en avant ;
- une [intégration sur son propre site](/portails/exemple-doubs/integrer/)."""


class Command(BaseCommand):
    help = "Crée (ou remet à jour) le portail d'exemple « Doubs » de la démonstration."

    def handle(self, *args, **options):
        portal, created = Portal.objects.update_or_create(
            slug="exemple-doubs",
            defaults={
                "title": "Exemple de portail : les actions du Doubs",
                "introduction": INTRODUCTION,
                "selection": "departement=25",
                "shown_filters": ["keywords", "publics", "structure", "year"],
                "header_background": "#1d4e89",
                "header_text": "#ffffff",
                "accent": "#1d4e89",
                "is_example": True,
            },
        )
        verb = "créé" if created else "mis à jour"
        self.stdout.write(f"Portail d'exemple {verb} : {portal.prefix}")
