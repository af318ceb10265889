from catalogue.models import PublicationStatus
from catalogue.signals import sheets_changed
from contrib.tests.helpers import ContribTestCase
from essaimage.test import make_sheet


class DuplicatePairTestCase(ContribTestCase):
    def setUp(self):
        self.copy = make_sheet(self.adesir, "REPAIR CAFE <b>", summary="Réparer <i>ensemble</i>")
        sheets_changed.send(sender=None, sheet_ids=[self.copy.pk])  # as the write paths do
        self.url = f"/contribuer/doublons/{self.sheet.pk}-{self.copy.pk}/"

    def test_it_shows_both_sheets_side_by_side_with_the_reason(self):
        self.client.force_login(self.mona)
        r = self.client.get(self.url)
        self.assertContains(r, "<h1>Comparer deux fiches</h1>", html=True)
        self.assertContains(r, "Repair Café")
        self.assertContains(r, "REPAIR CAFE &lt;b&gt;")
        self.assertContains(r, "Réparer &lt;i&gt;ensemble&lt;/i&gt;")
        self.assertContains(r, "Pourquoi : titre proche")

    def test_it_offers_the_merge_both_ways(self):
        self.client.force_login(self.mona)
        r = self.client.get(self.url)
        self.assertContains(r, f'action="/contribuer/relecture/{self.copy.pk}/fusionner/"')
        self.assertContains(r, f'<input type="hidden" name="target" value="{self.sheet.pk}">')
        self.assertContains(r, f'action="/contribuer/relecture/{self.sheet.pk}/fusionner/"')

    def test_its_merge_button_archives_the_other_sheet(self):
        self.client.force_login(self.mona)
        self.assertEqual(len(self.client.get("/contribuer/doublons/").context["pairs"]), 1)
        r = self.client.post(
            f"/contribuer/relecture/{self.copy.pk}/fusionner/", {"target": self.sheet.pk}
        )
        self.assertRedirects(r, f"/contribuer/relecture/{self.sheet.pk}/")
        self.copy.refresh_from_db()
        self.assertEqual(self.copy.publication_status, PublicationStatus.ARCHIVED)
        self.assertEqual(self.client.get("/contribuer/doublons/").context["pairs"], [])

    def test_it_hides_pairs_outside_the_territory(self):
        self.client.force_login(self.nina)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_rejects_a_sheet_paired_with_itself(self):
        self.client.force_login(self.mona)
        r = self.client.get(f"/contribuer/doublons/{self.sheet.pk}-{self.sheet.pk}/")
        self.assertEqual(r.status_code, 404)

    def test_it_compares_any_two_sheets_of_the_territory(self):
        other = make_sheet(self.adesir, "Jardin partagé")
        self.client.force_login(self.mona)
        r = self.client.get(f"/contribuer/doublons/{self.sheet.pk}-{other.pk}/")
        self.assertContains(r, "Jardin partagé")
        self.assertNotContains(r, "Pourquoi")
