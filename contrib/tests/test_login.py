from django.core.cache import cache
from django.test import override_settings

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

    def login(self, password: str, address: str, email: str = "alice@example.org", **extra):
        return self.client.post(
            self.url, {"username": email, "password": password}, REMOTE_ADDR=address, **extra
        )

    def test_failures_from_another_address_do_not_lock_the_account(self):
        for _ in range(40):
            self.login("devine", "203.0.113.66")
        # The attacker's address is refused, even with the right password ...
        r = self.login("mot-de-passe-solide-42", "203.0.113.66")
        self.assertContains(r, "Trop de tentatives de connexion ont échoué")
        self.assertNotIn("_auth_user_id", self.client.session)
        # ... and for other accounts too (more than 20 failures from it).
        r = self.login("mot-de-passe-solide-42", "203.0.113.66", email="bob@example.org")
        self.assertContains(r, "Trop de tentatives de connexion ont échoué")
        # Alice, from her own address, logs in.
        r = self.login("mot-de-passe-solide-42", "198.51.100.7")
        self.assertRedirects(r, "/contribuer/", fetch_redirect_response=False)

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_proxy_each_client_counts_separately_and_cannot_forge_its_address(self):
        proxy = "10.0.0.1"
        for attempt in range(10):
            # The attacker writes a new address in the header each time: the proxy appends
            # the real one, which is what counts.
            self.login("devine", proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 203.0.113.66")
        r = self.login("mot-de-passe-solide-42", proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
        self.assertContains(r, "Trop de tentatives de connexion ont échoué")
        r = self.login("mot-de-passe-solide-42", proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
        self.assertRedirects(r, "/contribuer/", fetch_redirect_response=False)

    def test_the_admin_login_is_the_throttled_form(self):
        r = self.client.post("/admin/login/?next=/admin/", {"username": "ada@example.org"})
        self.assertRedirects(r, "/compte/connexion/?next=/admin/", fetch_redirect_response=False)
        for _ in range(5):
            self.login("devine", "203.0.113.66", email="ada@example.org")
        r = self.login("mot-de-passe-solide-42", "203.0.113.66", email="ada@example.org")
        self.assertContains(r, "Trop de tentatives de connexion ont échoué")
        # A logged-in contributor is told the admin is not for them (no redirect loop).
        self.client.force_login(self.alice)
        r = self.client.get("/admin/", follow=True)
        self.assertContains(r, "pas accès à l&#x27;administration", status_code=403)
        self.client.force_login(self.ada)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_it_logs_out_with_post(self):
        self.client.force_login(self.alice)
        r = self.client.post("/compte/deconnexion/")
        self.assertRedirects(r, "/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
