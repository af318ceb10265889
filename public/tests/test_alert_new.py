from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from contrib.tests.helpers import ContribTestCase
from discovery.models import SearchAlert


class AlertNewTestCase(ContribTestCase):
    url = "/alertes/nouvelle/"

    def setUp(self):
        cache.clear()

    def post(self, email="lea@example.org", query="keywords=intergenerationnel", **extra):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                self.url, {"email": email, "frequency": "weekly", "query": query, **extra}
            )

    def test_the_catalogue_links_to_it_with_its_query(self):
        r = self.client.get("/actions/?keywords=intergenerationnel")
        self.assertContains(
            r, 'href="/alertes/nouvelle/?keywords=intergenerationnel">Recevoir les nouvelles'
        )

    def test_it_keeps_the_valid_query_in_the_form(self):
        r = self.client.get(self.url + "?keywords=intergenerationnel&keywords=inconnu&page=3")
        self.assertContains(r, 'value="keywords=intergenerationnel"')
        self.assertContains(r, 'href="/actions/?keywords=intergenerationnel"')

    def test_it_sends_a_confirmation_link_and_stores_an_unconfirmed_alert(self):
        r = self.post()
        self.assertContains(r, "Confirmez votre adresse")
        alert = SearchAlert.objects.get()
        self.assertEqual(
            (alert.email, alert.query, alert.frequency),
            ("lea@example.org", "keywords=intergenerationnel", "weekly"),
        )
        self.assertIsNone(alert.confirmed_at)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["lea@example.org"])
        self.assertIn(f"/alertes/confirmer/{alert.token}/", mail.outbox[0].body)
        self.assertIn(f"/alertes/desabonner/{alert.token}/", mail.outbox[0].body)
        self.assertIn("/actions/?keywords=intergenerationnel", mail.outbox[0].body)

    def test_it_rejects_an_invalid_address_in_french(self):
        r = self.post(email="pas-une-adresse")
        self.assertContains(r, "Adresse e-mail invalide")
        self.assertFalse(SearchAlert.objects.exists())
        self.assertEqual(mail.outbox, [])

    @override_settings(ALERT_SIGN_UP_RATE="2/hour")
    def test_it_throttles_sign_ups_per_client_address(self):
        self.post(email="a@example.org")
        self.post(email="b@example.org")
        r = self.post(email="c@example.org")
        self.assertEqual(r.status_code, 429)
        self.assertIn("Retry-After", r)
        self.assertEqual(SearchAlert.objects.count(), 2)

    @override_settings(ALERT_EMAIL_RATE="1/hour")
    def test_it_sends_no_more_mails_to_one_address_past_its_limit(self):
        self.post()
        r = self.post()
        self.assertContains(r, "Confirmez votre adresse")
        self.assertEqual(len(mail.outbox), 1)

    def test_it_ties_the_alert_to_the_account_with_the_same_address(self):
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, 'value="alice@example.org"')
        self.post(email="alice@example.org")
        self.assertEqual(SearchAlert.objects.get().user, self.alice)
