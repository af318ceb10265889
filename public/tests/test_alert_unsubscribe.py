from django.utils import timezone

from discovery.models import SearchAlert
from essaimage.test import BaseTestCase


class AlertUnsubscribeTestCase(BaseTestCase):
    def setUp(self):
        now = timezone.now()
        SearchAlert.objects.create(
            email="lea@example.org", token="jeton", confirmed_at=now, last_sent_at=now
        )
        self.url = "/alertes/desabonner/jeton/"

    def test_a_get_asks_and_a_post_deletes(self):
        r = self.client.get(self.url)
        self.assertContains(r, "Me désabonner")
        self.assertTrue(SearchAlert.objects.exists())
        r = self.client.post(self.url)
        self.assertContains(r, "vous ne recevrez plus d'e-mail")
        self.assertFalse(SearchAlert.objects.exists())

    def test_a_second_click_says_it_is_already_done(self):
        self.client.post(self.url)
        r = self.client.post(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Cette alerte n'existe plus")
