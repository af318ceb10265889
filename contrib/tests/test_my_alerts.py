from django.utils import timezone

from contrib.tests.helpers import ContribTestCase
from discovery.models import SearchAlert


class MyAlertsTestCase(ContribTestCase):
    url = "/contribuer/alertes/"

    def setUp(self):
        now = timezone.now()
        SearchAlert.objects.create(
            email="alice@example.org",
            query="departement=974",
            token="a1",
            confirmed_at=now,
            last_sent_at=now,
        )
        SearchAlert.objects.create(email="alice@example.org", query="departement=35", token="a2")
        SearchAlert.objects.create(
            email="bob@example.org", query="q=jardin", token="b1", confirmed_at=now
        )

    def test_it_lists_my_confirmed_alerts_with_an_unsubscribe_button(self):
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "1 alerte confirmée")
        self.assertContains(r, 'href="/actions/?departement=974"')
        self.assertContains(r, 'action="/alertes/desabonner/a1/"')
        self.assertNotContains(r, "departement=35")
        self.assertNotContains(r, "jardin")

    def test_it_requires_login(self):
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 302)
