from django.core.cache import cache

from contrib.tests.helpers import ContribTestCase


class LoginTestCase(ContribTestCase):
    url = "/compte/connexion/"

    def setUp(self):
        cache.clear()

    def test_it_logs_in_with_the_e_mail(self):
        r = self.client.post(
            self.url, {"username": "Alice@Example.org", "password": "mot-de-passe-solide-42"}
        )
        self.assertRedirects(r, "/contribuer/")

    def test_it_says_what_is_wrong_in_french(self):
        r = self.client.post(self.url, {"username": "alice@example.org", "password": "faux"})
        self.assertContains(r, "Adresse électronique ou mot de passe incorrect.")
        self.assertContains(r, "Adresse électronique")

    def test_it_throttles_password_guessing(self):
        for _ in range(5):
            self.client.post(self.url, {"username": "alice@example.org", "password": "faux"})
        r = self.client.post(
            self.url, {"username": "alice@example.org", "password": "mot-de-passe-solide-42"}
        )
        self.assertContains(r, "Trop de tentatives de connexion ont échoué")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_success_resets_the_counter(self):
        for _ in range(4):
            self.client.post(self.url, {"username": "alice@example.org", "password": "faux"})
        self.client.post(
            self.url, {"username": "alice@example.org", "password": "mot-de-passe-solide-42"}
        )
        self.client.logout()
        for _ in range(4):
            self.client.post(self.url, {"username": "alice@example.org", "password": "faux"})
        r = self.client.post(
            self.url, {"username": "alice@example.org", "password": "mot-de-passe-solide-42"}
        )
        self.assertRedirects(r, "/contribuer/")

    def test_it_logs_out_with_post(self):
        self.client.force_login(self.alice)
        r = self.client.post("/compte/deconnexion/")
        self.assertRedirects(r, "/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
