"""The contributors' cast, on top of BaseTestCase's structures and sheet."""

from django.test import override_settings

from catalogue.models import ActionSheet, Departement, PublicationStatus, Region, Structure
from contrib import editing
from contrib.models import Membership, ModeratorTerritory, User
from essaimage.test import BaseTestCase, make_structure


def make_user(
    name: str,
    *,
    contributor_of: Structure | None = None,
    moderator_of: Departement | Region | None = None,
    **fields,
) -> User:
    user = User.objects.create_user(
        f"{name}@example.org", "mot-de-passe-solide-42", first_name=name.capitalize(), **fields
    )
    if contributor_of is not None:
        Membership.objects.create(user=user, structure=contributor_of)
    if isinstance(moderator_of, Departement):
        ModeratorTerritory.objects.create(user=user, departement=moderator_of)
    elif isinstance(moderator_of, Region):
        ModeratorTerritory.objects.create(user=user, region=moderator_of)
    return user


def make_draft(structure: Structure, title: str, author: User, **data) -> ActionSheet:
    return editing.create_draft(structure, {"title": title, **data}, author)


# Class-level, so users built in setUpTestData (before conftest's per-test fixture) hash fast
# and with the same hasher the tests then check against.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class ContribTestCase(BaseTestCase):
    """Alice writes ADESIR's sheets (La Réunion); Mona moderates La Réunion; Rémi moderates the
    whole région La Réunion; Bob writes for the Marais (Ille-et-Vilaine); Nina moderates
    Ille-et-Vilaine; Charlie has an account and nothing else; Ada administers."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.alice = make_user("alice", contributor_of=cls.adesir)
        cls.bob = make_user("bob", contributor_of=cls.marais)
        cls.mona = make_user("mona", moderator_of=cls.reunion)
        cls.remi = make_user("remi", moderator_of=Region.objects.get(code="04"))
        cls.nina = make_user("nina", moderator_of=cls.ille_et_vilaine)
        cls.charlie = make_user("charlie")
        cls.ada = make_user("ada", is_superuser=True, is_staff=True)
        cls.draft = make_draft(cls.adesir, "Café des parents", cls.alice, summary="Un café.")
        cls.other_structure = make_structure("Centre social de Marseille", dep="13")

    def sheet_data(self, sheet: ActionSheet, **changes) -> dict:
        """The edit form's POST data for the sheet's current working content."""
        data = editing.working_snapshot(sheet)
        post = {"version": sheet.version}
        for name, value in data.items():
            if name == "attachments":
                continue
            post[name] = "" if value is None else value
        post.update(changes)
        return post


__all__ = ["ContribTestCase", "PublicationStatus", "make_draft", "make_user"]
