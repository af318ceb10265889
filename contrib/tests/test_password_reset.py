import re

from django.core import mail
from django.test import override_settings

from contrib.tests.helpers import ContribTestCase


class PasswordResetTestCase(ContribTestCase):
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
