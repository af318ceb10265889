from api.models import ApiToken
from contrib.models import User
from essaimage.test import BaseTestCase


class TokenListTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.alice = User.objects.create_user("alice@example.org", "x")
        cls.charlie = User.objects.create_user("charlie@example.org", "x")

    def setUp(self):
        self.url = "/api/v1/jetons/"

    def test_it_requires_login(self):
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/compte/connexion/", r["Location"])

    def test_it_creates_a_token_and_shows_its_key_once(self):
        self.client.force_login(self.alice)
        r = self.client.post(self.url, {"name": "Tableur de la fédération"})
        self.assertEqual(r.status_code, 200)
        token = ApiToken.objects.get(user=self.alice)
        self.assertContains(r, "Copiez-le maintenant")
        self.assertContains(r, 'value="ess_')
        self.assertEqual(r["Cache-Control"], "no-store")
        self.assertContains(r, "Tableur de la fédération")
        # The key is not stored in clear.
        key = r.content.decode().split('value="')[1].split('"')[0]
        self.assertNotIn(key, token.key_hash)
        self.assertTrue(key.startswith(token.prefix))
        r = self.client.get(self.url)
        self.assertNotContains(r, key)

    def test_it_requires_a_name(self):
        self.client.force_login(self.alice)
        r = self.client.post(self.url, {"name": ""})
        self.assertContains(r, "Ce champ est obligatoire.")
        self.assertFalse(ApiToken.objects.exists())

    def test_it_revokes_a_token(self):
        self.client.force_login(self.alice)
        self.client.post(self.url, {"name": "script"})
        token = ApiToken.objects.get()
        r = self.client.post(f"/api/v1/jetons/{token.pk}/revoquer/", follow=True)
        self.assertContains(r, "Le jeton « script » est révoqué.")
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)

    def test_it_hides_other_users_tokens(self):
        self.client.force_login(self.alice)
        self.client.post(self.url, {"name": "secret d'Alice"})
        token = ApiToken.objects.get()
        self.client.force_login(self.charlie)
        self.assertNotContains(self.client.get(self.url), "secret d")
        r = self.client.post(f"/api/v1/jetons/{token.pk}/revoquer/")
        self.assertEqual(r.status_code, 404)
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)

    def test_it_rejects_get_on_revoke(self):
        self.client.force_login(self.alice)
        self.client.post(self.url, {"name": "script"})
        token = ApiToken.objects.get()
        self.assertEqual(self.client.get(f"/api/v1/jetons/{token.pk}/revoquer/").status_code, 405)
