"""An alert says in words which search it follows: on its form and in its e-mails."""

from django.core import mail
from django.core.cache import cache

from contrib.tests.helpers import ContribTestCase
from discovery import alerts
from discovery.models import SearchAlert


class AlertWordsTestCase(ContribTestCase):
    url = "/alertes/nouvelle/"

    def setUp(self):
        cache.clear()

    def test_the_form_names_the_search(self):
        r = self.client.get(self.url + "?keywords=intergenerationnel&region=04&q=jardin")
        self.assertContains(
            r, "Recherche suivie : <strong>« jardin », Intergénérationnel, en La Réunion</strong>"
        )

    def test_a_search_without_filters_is_the_whole_catalogue(self):
        r = self.client.get(self.url)
        self.assertContains(r, "Recherche suivie : <strong>toutes les fiches du catalogue</strong>")

    def test_the_e_mails_name_the_search(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                self.url,
                {"email": "lea@example.org", "frequency": "weekly", "query": "region=04"},
            )
        self.assertIn("pour cette recherche : en La Réunion", mail.outbox[0].body)
        alert = SearchAlert.objects.get()
        self.assertEqual(alerts.describe_in_words(alert.query), "en La Réunion")

    def test_hostile_words_are_escaped_on_the_page(self):
        r = self.client.get(self.url + "?q=<script>x</script>")
        self.assertNotContains(r, "<script>x</script>")
        self.assertContains(r, "« &lt;script&gt;x&lt;/script&gt; »")

    def test_a_failed_sign_up_has_the_error_summary(self):
        r = self.client.post(self.url, {"email": "pas-une-adresse", "frequency": "", "query": ""})
        self.assertContains(r, "<title>Erreur : ")
        self.assertContains(r, "data-error-summary")
        self.assertContains(r, 'href="#id_email"')
        self.assertContains(r, 'href="#champ-frequency"')
        self.assertContains(r, 'id="champ-frequency" aria-describedby="frequency-error"')
