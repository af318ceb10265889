from unittest import mock

from django.db import OperationalError

from essaimage.test import BaseTestCase
from search.changes import bump_generation
from search.engines import memory


class HealthzTestCase(BaseTestCase):
    url = "/healthz"

    def test_it_says_ok_when_the_database_answers(self):
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["status"], "ok")
        self.assertEqual(r.json()["database"], "ok")
        self.assertIn("no-cache", r["Cache-Control"])

    def test_it_says_whether_the_search_index_is_ready(self):
        with self.settings(SEARCH_FAST_PATH=True):
            memory.get_index()  # this process now holds the current generation's index
            self.assertEqual(self.client.get(self.url).json()["search_index"], "ready")
            bump_generation()  # a vocabulary change: the index must be rebuilt
            self.assertEqual(self.client.get(self.url).json()["search_index"], "building")
        with self.settings(SEARCH_FAST_PATH=False):
            self.assertEqual(self.client.get(self.url).json()["search_index"], "off")

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
