from decimal import Decimal

from contrib.tests.helpers import ContribTestCase
from stats.models import SheetFigures


class CorrectSheetFiguresTestCase(ContribTestCase):
    def setUp(self):
        self.url = f"/contribuer/fiches/{self.draft.pk}/chiffres/"

    def test_it_requires_login(self):
        r = self.client.get(self.url)
        self.assertRedirects(r, f"/compte/connexion/?next={self.url}")

    def test_it_hides_other_structures_sheets(self):
        self.client.force_login(self.bob)
        r = self.client.post(self.url, {"budget": "1", "people": "1"})
        self.assertEqual(r.status_code, 404)
        self.assertFalse(SheetFigures.objects.filter(budget_corrected__isnull=False).exists())

    def test_it_saves_french_numbers(self):
        self.client.force_login(self.alice)
        r = self.client.post(self.url, {"budget": "22 475,50 €", "people": "1 200"})
        self.assertRedirects(r, self.url)
        figures = SheetFigures.objects.get(sheet=self.draft)
        self.assertEqual(figures.budget, Decimal("22475.50"))
        self.assertEqual(figures.people, 1200)
        self.assertEqual(figures.corrected_by, self.alice)

    def test_it_says_what_is_wrong_and_where(self):
        self.client.force_login(self.alice)
        r = self.client.post(self.url, {"budget": "beaucoup", "people": "une dizaine"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Budget : « beaucoup » n&#x27;est pas un montant")
        self.assertContains(r, "Nombre de personnes : « une dizaine » n&#x27;est pas un nombre")

    def test_the_edit_page_links_to_it(self):
        self.client.force_login(self.alice)
        r = self.client.get(f"/contribuer/fiches/{self.draft.pk}/modifier/")
        self.assertContains(r, f'href="{self.url}"')
