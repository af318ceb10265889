from unittest import mock

from django.db import OperationalError

from essaimage.test import BaseTestCase


class HealthzTestCase(BaseTestCase):
    url = "/healthz"

    def test_it_says_ok_when_the_database_answers(self):
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json(), {"status": "ok", "database": "ok"})
        self.assertIn("no-cache", r["Cache-Control"])

    def test_it_returns_503_when_the_database_fails(self):
        with mock.patch(
            "essaimage.views.connection.cursor", side_effect=OperationalError("disk I/O error")
        ):
            r = self.client.get(self.url)
        self.assertEqual(r.status_code, 503)
        self.assertEqual(r.json()["status"], "erreur")
        self.assertNotIn("disk I/O", r.content.decode())

    def test_it_rejects_post(self):
        r = self.client.post(self.url)
        self.assertEqual(r.status_code, 405)
