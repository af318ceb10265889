"""The whole permission matrix: every role × action × own/other structure or territory.

"own" is a sheet of ADESIR (Doubs, 25, région Bourgogne-Franche-Comté 27): the writer's
structure, Mona's département, Rémi's région. "neighbour" is a sheet of a structure of the Jura
(39), in the same région but not Mona's département: a département moderator widened to the
whole région would show there. "other" is a sheet of the Marais (Ille-et-Vilaine, 35).
The thesaurus serves every search in France: national administrators alone edit it.
Every case goes through the real page, so views and access rules are checked together.
"""

import pytest
from django.test import Client

from catalogue.models import (
    ActionSheet,
    Departement,
    Keyword,
    PublicationStatus,
    Region,
    Structure,
)
from contrib import access, editing
from contrib.tests.helpers import make_draft, make_user
from essaimage.test import make_sheet, make_structure
from search.models import ThesaurusEntry

ROLES = (
    "anonymous",
    "outsider",
    "contributor",
    "moderator_departement",
    "moderator_region",
    "admin",
)
ACTIONS = (
    "view_draft",
    "edit",
    "submit",
    "publish",
    "return",
    "archive",
    "restore",
    "merge",
    "manage_vocabulary",
    "manage_thesaurus",
    "attach_structure",
)
SCOPES = ("own", "neighbour", "other")
# Publishing, returning, archiving and restoring are confirmed first (test_confirm_actions).
CONFIRMED = {"confirmation": "oui"}
CONTRIBUTOR_ACTIONS = {"view_draft", "edit", "submit"}


def expected(role: str, action: str, scope: str) -> bool:
    if role in ("anonymous", "outsider"):
        return False
    if role == "admin":
        return True
    if action == "manage_thesaurus":  # national: administrators only
        return False
    if role == "contributor":
        return scope == "own" and action in CONTRIBUTOR_ACTIONS
    # Moderators: everything in their territory; vocabulary review is for any moderator.
    if action == "manage_vocabulary":
        return True
    if role == "moderator_region":
        return scope in ("own", "neighbour")
    return scope == "own"


CASES = [
    pytest.param(role, action, scope, expected(role, action, scope), id=f"{role}-{action}-{scope}")
    for role in ROLES
    for action in ACTIONS
    for scope in SCOPES
]


@pytest.fixture
def world(db):
    own_structure = make_structure("ADESIR", dep="25")
    neighbour_structure = make_structure("Centre social de Lons", dep="39")
    other_structure = make_structure("CENTRE SOCIAL DES MARAIS", dep="35")
    assert (
        Departement.objects.get(code="39").region_id == Departement.objects.get(code="25").region_id
    )
    writer = make_user("writer", contributor_of=own_structure)
    neighbour_writer = make_user("neighbourwriter", contributor_of=neighbour_structure)
    other_writer = make_user("otherwriter", contributor_of=other_structure)
    people = {
        "anonymous": None,
        "outsider": make_user("outsider"),
        "contributor": writer,
        "moderator_departement": make_user("mona", moderator_of=Departement.objects.get(code="25")),
        "moderator_region": make_user("remi", moderator_of=Region.objects.get(code="27")),
        "admin": make_user("ada", is_superuser=True, is_staff=True),
    }
    return {
        "people": people,
        "structures": {
            "own": own_structure,
            "neighbour": neighbour_structure,
            "other": other_structure,
        },
        "writers": {"own": writer, "neighbour": neighbour_writer, "other": other_writer},
    }


def prepare(action: str, structure, writer) -> tuple[ActionSheet, dict]:
    """The sheet in the state the action needs, and what else the request needs."""
    if action == "attach_structure":
        # An archived SENACS sheet without structure, to attach to `structure`.
        sheet = make_sheet(Structure.unspecified(), "Fiche de départ", is_senacs_archive=True)
        return sheet, {"structure": structure}
    sheet = make_draft(structure, "Fiche de départ", writer, summary="Résumé d'origine")
    extra: dict = {}
    if action in ("publish", "return"):
        editing.submit(sheet, writer)
    if action == "archive":
        ActionSheet.objects.filter(pk=sheet.pk).update(
            publication_status=PublicationStatus.PUBLISHED
        )
    if action == "restore":
        editing.save_draft(sheet, {"summary": "Résumé modifié"}, writer, sheet.version)
        extra["revision"] = sheet.revisions.order_by("created_at", "pk").first()
    if action == "merge":
        extra["target"] = make_draft(structure, "Fiche cible", writer)
    if action == "manage_vocabulary":
        extra["keyword"] = Keyword.objects.create(
            label=f"Proposé {structure.pk}", needs_review=True
        )
        sheet.keywords.add(extra["keyword"])
    if action == "manage_thesaurus":
        extra["entry"] = ThesaurusEntry.objects.create(
            kind="synonymes", expressions=f"tricot {structure.pk}, crochet {structure.pk}"
        )
    sheet.refresh_from_db()
    return sheet, extra


def perform(client: Client, action: str, sheet: ActionSheet, extra: dict):
    base = f"/contribuer/fiches/{sheet.pk}"
    review = f"/contribuer/relecture/{sheet.pk}"
    if action == "view_draft":
        return client.get(f"{base}/apercu/")
    if action == "edit":
        data = {"version": sheet.version, "title": "Titre changé"}
        return client.post(f"{base}/modifier/", data)
    if action == "submit":
        return client.post(f"{base}/soumettre/")
    if action == "publish":
        return client.post(f"{review}/publier/", CONFIRMED)
    if action == "return":
        return client.post(f"{review}/renvoyer/", {"comment": "À revoir", **CONFIRMED})
    if action == "archive":
        return client.post(f"{review}/archiver/", CONFIRMED)
    if action == "restore":
        return client.post(f"{base}/historique/{extra['revision'].pk}/restaurer/", CONFIRMED)
    if action == "merge":
        return client.post(f"{review}/fusionner/", {"target": extra["target"].pk})
    if action == "manage_vocabulary":
        return client.post(f"/contribuer/vocabulaire/keyword/{extra['keyword'].pk}/accepter/")
    if action == "manage_thesaurus":
        url = f"/contribuer/vocabulaire/thesaurus/{extra['entry'].pk}/"
        return client.post(url, {"kind": "synonymes", "expressions": "tricot, laine"})
    if action == "attach_structure":
        return client.post(f"{base}/rattacher/", {"structure": extra["structure"].pk})
    raise AssertionError(action)


def happened(action: str, sheet: ActionSheet, extra: dict, response) -> bool:
    """Whether the action took effect, read from the database (or the page for viewing)."""
    sheet.refresh_from_db()
    if action == "view_draft":
        return response.status_code == 200 and "Fiche de départ" in response.content.decode()
    if action == "edit":
        return sheet.title == "Titre changé"
    if action == "submit":
        return sheet.publication_status == PublicationStatus.SUBMITTED
    if action == "publish":
        return sheet.publication_status == PublicationStatus.PUBLISHED
    if action == "return":
        return sheet.publication_status == PublicationStatus.RETURNED
    if action == "archive":
        return sheet.publication_status == PublicationStatus.ARCHIVED
    if action == "restore":
        return sheet.summary == "Résumé d'origine"
    if action == "merge":
        return sheet.publication_status == PublicationStatus.ARCHIVED
    if action == "manage_vocabulary":
        extra["keyword"].refresh_from_db()
        return not extra["keyword"].needs_review
    if action == "manage_thesaurus":
        extra["entry"].refresh_from_db()
        return extra["entry"].expressions == "tricot, laine"
    if action == "attach_structure":
        return sheet.structure_id == extra["structure"].pk
    raise AssertionError(action)


@pytest.mark.parametrize(("role", "action", "scope", "allowed"), CASES)
def test_permission_matrix(world, role, action, scope, allowed):
    sheet, extra = prepare(action, world["structures"][scope], world["writers"][scope])
    client = Client()
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    response = perform(client, action, sheet, extra)
    assert happened(action, sheet, extra, response) is allowed
    if allowed:
        assert response.status_code in (200, 302)
    elif person is None:
        assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/")
    else:
        # 404 for what the person may not see, 403 for what they see but may not do.
        assert response.status_code in (403, 404)
        assert (
            response.status_code == 404
            or access.can_view_draft(person, sheet)
            or action in ("manage_vocabulary", "manage_thesaurus", "attach_structure")
        )


@pytest.mark.parametrize("role", ROLES)
def test_querysets_agree_with_the_matrix(world, role):
    person = world["people"][role]
    can_see = set(access.draft_visible_sheets(person).values_list("pk", flat=True))
    public = set(access.viewable_sheets(person).values_list("pk", flat=True))
    reviewable = set(access.reviewable_sheets(person).values_list("pk", flat=True))
    for scope in SCOPES:
        draft = make_draft(world["structures"][scope], "Brouillon", world["writers"][scope])
        can_see = set(access.draft_visible_sheets(person).values_list("pk", flat=True))
        public = set(access.viewable_sheets(person).values_list("pk", flat=True))
        reviewable = set(access.reviewable_sheets(person).values_list("pk", flat=True))
        assert (draft.pk in can_see) is expected(role, "view_draft", scope), scope
        assert (draft.pk in public) is expected(role, "view_draft", scope), scope
        assert (draft.pk in reviewable) is expected(role, "publish", scope), scope
    assert access.can_manage_thesaurus(person) is expected(role, "manage_thesaurus", "own")


# Portals (issue #24): a portal's administrators edit it and see its numbers; Essaimage
# administrators every portal; moderators and contributors have no portal rights.
PORTAL_ROLES = (*ROLES, "portal_admin")
PORTAL_ACTIONS = ("edit_portal", "see_portal_numbers")


def portal_expected(role: str, scope: str) -> bool:
    return role == "admin" or (role == "portal_admin" and scope == "own")


PORTAL_CASES = [
    pytest.param(role, action, scope, portal_expected(role, scope), id=f"{role}-{action}-{scope}")
    for role in PORTAL_ROLES
    for action in PORTAL_ACTIONS
    for scope in ("own", "other")
]


@pytest.fixture
def portal_world(world):
    from portals.models import Portal, PortalAdministrator

    portals = {
        "own": Portal.objects.create(
            slug="reunion", title="La Réunion", selection="departement=974"
        ),
        "other": Portal.objects.create(slug="marais", title="Marais", selection="departement=35"),
    }
    paula = make_user("paula")
    PortalAdministrator.objects.create(portal=portals["own"], user=paula)
    return {"people": {**world["people"], "portal_admin": paula}, "portals": portals}


@pytest.mark.parametrize(("role", "action", "scope", "allowed"), PORTAL_CASES)
def test_portal_permission_matrix(portal_world, role, action, scope, allowed):
    portal = portal_world["portals"][scope]
    person = portal_world["people"][role]
    client = Client()
    if person is not None:
        client.force_login(person)
    url = f"/portails/{portal.slug}/gerer/"
    if action == "edit_portal":
        data = {
            "title": "Titre changé",
            "selection": portal.selection,
            "header_background": "#1d4e89",
            "header_text": "#ffffff",
            "accent": "#1d4e89",
        }
        response = client.post(url, data)
        portal.refresh_from_db()
        done = portal.title == "Titre changé"
    else:
        response = client.get(url)
        done = response.status_code == 200 and "Visites du portail" in response.content.decode()
    assert done is allowed
    assert access.can_edit_portal(person, portal) is allowed
    if person is None:
        assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    elif not allowed:
        assert response.status_code == 403  # the portal is public: seen, not editable
