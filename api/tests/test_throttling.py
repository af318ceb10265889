from django.core.cache import cache
from django.test import override_settings

from api import tokens
from contrib.models import User
from essaimage.test import BaseTestCase


@override_settings(API_ANON_RATE="3/min")
class ThrottlingTestCase(BaseTestCase):
    def setUp(self):
        cache.clear()
        self.url = f"/api/v1/actions/{self.sheet.pk}"

    def test_it_limits_anonymous_clients_with_retry_after(self):
        for _ in range(3):
            self.assertEqual(self.client.get(self.url).status_code, 200)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 429)
        self.assertGreaterEqual(int(r["Retry-After"]), 1)
        self.assertLessEqual(int(r["Retry-After"]), 60)
        self.assertIn("Trop de requêtes", r.json()["detail"])

    def test_it_counts_each_address_separately(self):
        for _ in range(3):
            self.client.get(self.url)
        r = self.client.get(self.url, REMOTE_ADDR="10.0.0.2")
        self.assertEqual(r.status_code, 200)

    def test_it_does_not_limit_clients_with_a_token(self):
        user = User.objects.create_user("alice@example.org", "x")
        _, key = tokens.create_token(user, "script")
        for _ in range(5):
            r = self.client.get(self.url, headers={"Authorization": f"Bearer {key}"})
            self.assertEqual(r.status_code, 200)

    def test_it_still_limits_a_revoked_token(self):
        user = User.objects.create_user("alice@example.org", "x")
        token, key = tokens.create_token(user, "script")
        tokens.revoke_token(user, token.pk)
        statuses = [
            self.client.get(self.url, headers={"Authorization": f"Bearer {key}"}).status_code
            for _ in range(4)
        ]
        self.assertEqual(statuses, [200, 200, 200, 429])

    @override_settings(API_ANON_RATE="")
    def test_it_can_be_switched_off(self):
        for _ in range(5):
            self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_a_forged_forwarded_header_does_not_escape_the_limit(self):
        statuses = [
            self.client.get(self.url, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code
            for i in range(4)
        ]
        self.assertEqual(statuses, [200, 200, 200, 429])

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_proxy_it_counts_the_address_the_proxy_saw(self):
        proxy = {"REMOTE_ADDR": "10.0.0.1"}
        statuses = [
            self.client.get(
                self.url, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.66", **proxy
            ).status_code
            for i in range(4)
        ]
        self.assertEqual(statuses, [200, 200, 200, 429])
        r = self.client.get(self.url, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
        self.assertEqual(r.status_code, 200)
