"""A small catalogue for search tests: known texts, vocabularies, départements and years."""

from django.test import override_settings

from catalogue.models import (
    ActionStatus,
    Dimension,
    Initiator,
    PartnerKind,
    Public,
    PublicationStatus,
    Structure,
    Territory,
)
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet, make_structure
from search.service import SheetQuery, search_sheets


class BothEnginesMixin:
    """`both(q)`: the titles found on the database engine, checked equal on the memory one."""

    def titles(self, q, fast):
        result = search_sheets(SheetQuery(q=q), per_page=50, fast=fast)
        return [s.title for s in result.sheets]

    def both(self, q):
        found = self.titles(q, fast=False)
        with override_settings(SEARCH_FAST_PATH_BACKGROUND=False):
            self.assertEqual(self.titles(q, fast=True), found, q)
        return found


class SearchTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.loiron = make_structure(
            "CHALET DES ÉCHANGES", dep="53", type=Structure.Type.EVS, commune="Loiron"
        )
        cls.nancy = make_structure(
            "CENTRE SOCIAL JOLIBOIS", dep="54", type=Structure.Type.CENTRE_SOCIAL
        )
        en_cours = ActionStatus.objects.get(value="en-cours")
        terminee = ActionStatus.objects.get(value="terminee")
        services = Dimension.objects.get(value="services")
        citoyennete = Dimension.objects.get(value="citoyennete")
        cls.parentalite = make_sheet(
            cls.loiron,
            "Soutenir la parentalité",
            summary="Des temps de soutien à la parentalité pour les familles du pays de Loiron.",
            experience="Soirées-débats, ateliers parents-enfants et aide aux devoirs.",
            keywords=["Parentalité", "Famille"],
            status=en_cours,
            dimension=services,
            territory=Territory.objects.get(value="plusieurs-communes"),
            year=2019,
        )
        cls.parentalite.publics.set(Public.objects.filter(value="familles"))
        cls.parentalite.initiators.set(Initiator.objects.filter(value="le-centre-social"))
        cls.parentalite.action_partners.set(
            PartnerKind.objects.filter(value__in=["caf", "commune"])
        )
        cls.parentalite.financial_partners.set(PartnerKind.objects.filter(value="caf"))
        cls.numerique = make_sheet(
            cls.nancy,
            "Accès aux droits et lutte contre la fracture numérique",
            summary="Accompagner les habitants éloignés des outils numériques.",
            keywords=["Précarité"],
            status=terminee,
            dimension=citoyennete,
            year=2020,
        )
        cls.numerique.publics.set(Public.objects.filter(value="adultes"))
        cls.numerique.action_partners.set(PartnerKind.objects.filter(value="caf"))
        cls.service = make_sheet(
            cls.nancy,
            "SERVICE COLLECTIF NUMERIQUE",
            summary="Un espace public numerique ouvert à tous.",
            keywords=["Précarité", "Famille"],
            status=en_cours,
            dimension=services,
            year=2021,
        )
        cls.cafe = make_sheet(
            cls.marais,
            "Café des parents",
            summary="Un café pour les parents, le samedi matin <script>alert(1)</script>.",
            keywords=["Parentalité"],
            dimension=citoyennete,
        )
        cls.draft = make_sheet(
            cls.marais,
            "Brouillon parentalité numérique",
            summary="Une fiche pas encore publiée.",
            publication_status=PublicationStatus.DRAFT,
        )
        cls.all_published = [cls.sheet, cls.parentalite, cls.numerique, cls.service, cls.cafe]
        sheets_changed.send(sender=None, sheet_ids=[s.pk for s in (*cls.all_published, cls.draft)])
