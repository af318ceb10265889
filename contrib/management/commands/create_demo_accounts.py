"""Demo accounts for `make demo`: one per role, printed with their password."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalogue.models import Departement, Region, Structure
from contrib.models import Membership, ModeratorTerritory, User

PASSWORD = "essaimage-demo"


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
        reunion = Departement.objects.get(code="974")
        structure = Structure.objects.filter(departement=reunion).order_by(
            "pk"
        ).first() or Structure.objects.create(
            name="Centre social de démonstration", departement=reunion
        )
        other = Structure.objects.exclude(departement=reunion).order_by("pk").first()
        accounts = [
            ("admin@essaimage.local", "Administratrice", {"is_superuser": True, "is_staff": True}),
            ("contributrice@essaimage.local", "Claire (contributrice)", {}),
            ("moderateur.reunion@essaimage.local", "Marc (modérateur La Réunion)", {}),
            ("moderatrice.region@essaimage.local", "Rita (modératrice région La Réunion)", {}),
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
            user=users["moderateur.reunion@essaimage.local"], departement=reunion
        )
        ModeratorTerritory.objects.get_or_create(
            user=users["moderatrice.region@essaimage.local"], region=Region.objects.get(code="04")
        )
        self.stdout.write(f"Comptes de démonstration (mot de passe pour tous : {PASSWORD}) :")
        self.stdout.write("  administratrice       admin@essaimage.local")
        self.stdout.write(f"  contributrice         contributrice@essaimage.local  ({structure})")
        self.stdout.write("  modérateur La Réunion moderateur.reunion@essaimage.local")
        self.stdout.write("  modératrice région    moderatrice.region@essaimage.local")
        self.stdout.write("  sans structure        visiteur@essaimage.local")
        if other is not None:
            self.stdout.write(f"  (hors de leur territoire : {other})")
        self.stdout.write("Connexion : /compte/connexion/ · espace contributeur : /contribuer/")
