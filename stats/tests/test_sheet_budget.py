"""The sheet page shows the budget and people read from its text, with the source phrase."""

from decimal import Decimal

from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase
from stats.figures import correct_figures


class SheetBudgetTestCase(BaseTestCase):
    def setUp(self):
        self.url = self.sheet.get_absolute_url()

    def _write(self, money: str, people: str = ""):
        self.sheet.financial_resources = money
        self.sheet.people_mobilized = people
        self.sheet.save()
        sheets_changed.send(sender=None, sheet_ids=[self.sheet.pk])

    def test_it_shows_the_budget_read_and_its_phrase(self):
        self._write("Budget global 2019 : 22 475 €", "15 parents en moyenne")
        r = self.client.get(self.url)
        self.assertContains(r, "Budget lu : 22\u202f475\u00a0€")
        self.assertContains(
            r, "relevé dans le texte de la fiche : « Budget global 2019 : 22 475 € »"
        )
        self.assertContains(r, "15 personnes mobilisées")
        self.assertNotContains(r, "Nombre de personnes lu")

    def test_it_shows_nothing_when_nothing_is_read(self):
        self._write("Financement CAF et commune")
        r = self.client.get(self.url)
        self.assertNotContains(r, "En chiffres")

    def test_the_structures_value_is_shown_instead(self):
        self._write("1000 €")
        correct_figures(self.sheet, Decimal("1234.5"), None, user=None)
        r = self.client.get(self.url)
        self.assertContains(r, "Budget indiqué par la structure : 1\u202f234,50\u00a0€")
        self.assertNotContains(r, "Budget lu")

    def test_it_escapes_the_phrase(self):
        self._write("<script>alert(1)</script> Budget : 500 €")
        r = self.client.get(self.url)
        self.assertNotContains(r, "<script>alert(1)</script>")
        self.assertContains(r, "Budget lu : 500\u00a0€")

    def test_en_bref_gives_the_year_the_commune_and_the_budget(self):
        self.adesir.commune = "Saint-Denis"
        self.adesir.postcode = "97400"
        self.adesir.save()
        self.sheet.year = 2022
        self._write("Budget : 12 000 €")
        r = self.client.get(self.url)
        facts = r.content.decode().split('id="facts-title"')[1].split("</aside>")[0]
        self.assertIn("<dt>Année</dt>", facts)
        self.assertIn(">2022</a>", facts)
        self.assertIn("<dt>Commune</dt><dd>Saint-Denis (97400)</dd>", facts)
        self.assertIn("<dt>Budget</dt><dd>12\u202f000\u00a0€", facts)
