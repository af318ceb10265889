from discovery.models import SearchAlert
from essaimage.test import BaseTestCase


class AlertConfirmTestCase(BaseTestCase):
    def setUp(self):
        self.alert = SearchAlert.objects.create(
            email="lea@example.org", query="keywords=intergenerationnel", token="jeton-secret"
        )
        self.url = "/alertes/confirmer/jeton-secret/"

    def test_a_get_only_shows_a_button(self):
        r = self.client.get(self.url)
        self.assertContains(r, "Confirmer mon alerte")
        self.alert.refresh_from_db()
        self.assertIsNone(self.alert.confirmed_at)

    def test_a_post_confirms_and_starts_counting_from_now(self):
        r = self.client.post(self.url)
        self.assertRedirects(r, "/actions/?keywords=intergenerationnel")
        self.alert.refresh_from_db()
        self.assertIsNotNone(self.alert.confirmed_at)
        self.assertEqual(self.alert.last_sent_at, self.alert.confirmed_at)

    def test_an_unknown_token_is_404(self):
        self.assertEqual(self.client.post("/alertes/confirmer/autre/").status_code, 404)
