"""Demo accounts for `make demo`: one per role, printed with their password."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from catalogue.models import Region, Structure
from contrib.models import Membership, ModeratorTerritory, User

PASSWORD = "essaimage-demo"


def fill_demo_card(structure: Structure) -> bool:
    """Fill the contributor's structure card as Claire would from her contact page, so the demo
    shows a whole card and a sheet whose contact block reaches a structure (SENACS's directory
    pages shipped in data/ hold no structure of the sample). The values are fictional and say
    so; a card the structure already filled is left alone. Return whether it wrote."""
    if structure.email or structure.contact_edited:
        return False
    structure.address = "1 place de la Démonstration"
    structure.postcode = structure.postcode or "00000"
    structure.commune = structure.commune or "Commune de démonstration"
    structure.email = "contact@centre-social.example.org"
    structure.email_is_public = True
    structure.website = "https://centre-social.example.org/"
    structure.history = "Coordonnées fictives créées par « make demo » : elles ne sont pas réelles."
    structure.contact_edited = True
    structure.save()
    return True


class Command(BaseCommand):
    help = "Crée (ou remet à zéro) les comptes de démonstration et affiche leurs identifiants."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Autoriser hors DEBUG (jamais en production)."
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Comptes de démonstration refusés hors DEBUG : ajoutez --force si c'est voulu."
            )
        # The structure with the most sheets (after `import_senacs`), so the demo has material.
        structure = (
            Structure.objects.exclude(departement=None)
            .annotate(n=Count("sheets"))
            .order_by("-n", "pk")
            .select_related("departement__region")
            .first()
        )
        if structure is None:
            structure = Structure.objects.create(
                name="Centre social de démonstration", departement_id="974"
            )
        departement = structure.departement
        region = departement.region or Region.objects.get(code="04")
        other = Structure.objects.exclude(departement__region=region).order_by("pk").first()
        accounts = [
            ("admin@essaimage.local", "Administratrice", {"is_superuser": True, "is_staff": True}),
            ("contributrice@essaimage.local", "Claire (contributrice)", {}),
            ("moderateur@essaimage.local", f"Marc (modérateur {departement.name})", {}),
            ("moderatrice.region@essaimage.local", f"Rita (modératrice {region.name})", {}),
            ("visiteur@essaimage.local", "Victor (compte sans structure)", {}),
        ]
        users = {}
        for email, name, flags in accounts:
            user, _ = User.objects.get_or_create(email=email)
            user.first_name = name
            for key, value in flags.items():
                setattr(user, key, value)
            user.set_password(PASSWORD)
            user.save()
            users[email] = user
        Membership.objects.get_or_create(
            user=users["contributrice@essaimage.local"], structure=structure
        )
        ModeratorTerritory.objects.get_or_create(
            user=users["moderateur@essaimage.local"], departement=departement
        )
        ModeratorTerritory.objects.get_or_create(
            user=users["moderatrice.region@essaimage.local"], region=region
        )
        if fill_demo_card(structure):
            self.stdout.write(
                f"Fiche identité de démonstration (coordonnées fictives) remplie : {structure}"
            )
        self.stdout.write(f"Comptes de démonstration (mot de passe pour tous : {PASSWORD}) :")
        self.stdout.write("  administratrice       admin@essaimage.local")
        self.stdout.write(f"  contributrice         contributrice@essaimage.local  ({structure})")
        self.stdout.write(f"  modérateur            moderateur@essaimage.local  ({departement})")
        self.stdout.write(f"  modératrice région    moderatrice.region@essaimage.local  ({region})")
        self.stdout.write("  sans structure        visiteur@essaimage.local")
        if other is not None:
            self.stdout.write(f"  (hors de leur territoire : {other})")
        self.stdout.write("Connexion : /compte/connexion/ · espace contributeur : /contribuer/")
