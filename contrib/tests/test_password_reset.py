import re

from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from contrib.tests.helpers import ContribTestCase


class PasswordResetTestCase(ContribTestCase):
    def setUp(self):
        cache.clear()

    @override_settings(SITE_URL="https://essaimage.example.org")
    def test_it_sends_a_link_in_french_and_sets_a_new_password(self):
        r = self.client.post("/compte/mot-de-passe/", {"email": "alice@example.org"})
        self.assertRedirects(r, "/compte/mot-de-passe/envoye/")
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("nouveau mot de passe", mail.outbox[0].subject)
        # The link comes from SITE_URL, not from the host the request reached.
        link = re.search(r"https://\S+/compte/mot-de-passe/\S+/", mail.outbox[0].body).group(0)
        self.assertTrue(link.startswith("https://essaimage.example.org/compte/"), link)
        path = link.removeprefix("https://essaimage.example.org")
        r = self.client.get(path, follow=True)
        self.assertContains(r, "Nouveau mot de passe")
        form_url = r.redirect_chain[-1][0]
        r = self.client.post(
            form_url, {"new_password1": "un-autre-secret-99", "new_password2": "un-autre-secret-99"}
        )
        self.assertRedirects(r, "/compte/mot-de-passe/termine/")
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password("un-autre-secret-99"))

    def test_it_says_nothing_about_unknown_addresses(self):
        r = self.client.post("/compte/mot-de-passe/", {"email": "personne@example.org"})
        self.assertRedirects(r, "/compte/mot-de-passe/envoye/")
        self.assertEqual(mail.outbox, [])

    def test_it_sends_at_most_three_e_mails_an_hour_to_one_address(self):
        for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"):
            r = self.client.post(
                "/compte/mot-de-passe/", {"email": "alice@example.org"}, REMOTE_ADDR=address
            )
            self.assertRedirects(r, "/compte/mot-de-passe/envoye/")
        self.assertEqual(len(mail.outbox), 3)

    def test_it_limits_requests_per_address(self):
        # 20 requests in 0.4 s used to send 20 e-mails.
        statuses = [
            self.client.post("/compte/mot-de-passe/", {"email": f"p{i}@example.org"}).status_code
            for i in range(20)
        ]
        self.assertEqual(statuses, [302] * 5 + [429] * 15)
        r = self.client.post("/compte/mot-de-passe/", {"email": "alice@example.org"})
        self.assertContains(r, "Trop de demandes de nouveau mot de passe", status_code=429)
        self.assertContains(r, "Réessayez dans", status_code=429)
        self.assertGreater(int(r["Retry-After"]), 0)
        self.assertEqual(mail.outbox, [])
