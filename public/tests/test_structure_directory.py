"""The directory of structures (/structures/) and the structure page's card."""

from pathlib import Path

from django.test import TestCase
from django.urls import reverse

from catalogue.models import ActionSheet, PublicationStatus, Structure
from essaimage.test import make_sheet, make_structure
from ingest.pages_importer import import_pages

PAGES = Path(__file__).resolve().parents[2] / "data" / "senacs_pages"


class StructureDirectoryTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_pages([PAGES])
        cls.url = reverse("catalogue:structure-list")
        cls.secret = make_structure("STRUCTURE AUX BROUILLONS", dep="35")
        make_sheet(cls.secret, "Brouillon", publication_status=PublicationStatus.DRAFT)

    def test_it_lists_directory_structures_without_sheets(self):
        r = self.client.get(self.url)
        self.assertContains(r, "CENTRE SOCIAL ET DE PRÉVENTION DE FIGEAC")
        self.assertContains(r, "LABO BINETTE")
        self.assertNotContains(r, "STRUCTURE AUX BROUILLONS")
        self.assertNotContains(r, Structure.UNSPECIFIED_NAME)
        self.assertContains(r, '<p role="status">31 structures</p>', html=True)

    def test_it_searches_by_name_and_by_commune(self):
        r = self.client.get(self.url, {"q": "figeac"})
        self.assertContains(r, "CENTRE SOCIAL ET DE PRÉVENTION DE FIGEAC")
        self.assertContains(r, "1 structure</p>", html=False)
        r = self.client.get(self.url, {"q": "Saint-Martin"})
        self.assertContains(r, "NATURE IS THE KEY")
        self.assertContains(r, "OBJECTIF REUSSITE AIM FOR SUCCES")
        self.assertNotContains(r, "FIGEAC")
        r = self.client.get(self.url, {"q": "46", "departement": "46"})
        self.assertContains(r, "MJC DE GOURDON")

    def test_an_unknown_departement_gets_a_french_error(self):
        r = self.client.get(self.url, {"departement": "XX"})
        self.assertContains(r, "Département inconnu")
        self.assertContains(r, 'aria-invalid="true"')

    def test_the_structure_page_shows_its_card_and_its_sheets(self):
        figeac = Structure.objects.get(name="CENTRE SOCIAL ET DE PRÉVENTION DE FIGEAC")
        make_sheet(figeac, "Accueil inconditionnel")
        r = self.client.get(figeac.get_absolute_url())
        self.assertContains(r, "Fiche identité")
        self.assertContains(r, "<dd>1 janvier 1975</dd>", html=True)
        self.assertContains(r, "<dd>9802 habitants</dd>", html=True)
        self.assertContains(r, "<li>La prévention spécialisée</li>", html=True)
        self.assertContains(r, "<dd>Collectivité locale</dd>", html=True)
        self.assertContains(r, "<dd>Un espace à dominante urbaine</dd>", html=True)
        self.assertContains(r, "<dd>Fédération des centres sociaux</dd>", html=True)
        self.assertContains(r, "géré par la Caf du Lot")
        self.assertContains(r, "8 place vival")
        self.assertContains(r, "Accueil inconditionnel")
        self.assertEqual(ActionSheet.objects.filter(structure=figeac).count(), 1)

    def test_a_cut_card_says_it_may_be_incomplete(self):
        malt = Structure.objects.get(name="MALT")
        r = self.client.get(malt.get_absolute_url())
        self.assertContains(r, "elle peut être incomplète")
