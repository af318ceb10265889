import datetime
import gzip
import json

from django.utils import timezone

from portals.models import PortalVisit
from portals.tests.helpers import PortalTestCase

PREFIX = "/portails/ille-et-vilaine/"


class EmbedTestCase(PortalTestCase):
    def test_the_iframe_lists_the_latest_sheets_and_may_be_framed(self):
        r = self.client.get(PREFIX + "integration/liste/", {"n": "1"})
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("X-Frame-Options", r.headers)
        self.assertIn("frame-ancestors *", r["Content-Security-Policy"])
        self.assertContains(r, 'target="_top"')
        self.assertEqual(r.content.decode().count("<li>"), 1)
        self.assertNotContains(r, "Action à ne pas montrer")
        self.assertNotContains(r, "Repair Café")

    def test_the_frame_ancestors_can_be_a_list(self):
        with self.settings(PORTAL_EMBED_FRAME_ANCESTORS="https://federation.example.org"):
            r = self.client.get(PREFIX + "integration/liste/")
        self.assertIn(
            "frame-ancestors https://federation.example.org", r["Content-Security-Policy"]
        )

    def test_every_other_page_refuses_framing(self):
        for url in (
            PREFIX,
            PREFIX + "integrer/",
            PREFIX + "statistiques/",
            PREFIX + "actions/" + self.jardin.get_absolute_url()[len("/actions/") :],
            "/actions/",
            "/",
            "/portails/",
        ):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertEqual(r["X-Frame-Options"], "DENY")
                self.assertIn("frame-ancestors 'none'", r["Content-Security-Policy"])

    def test_the_data_is_json_for_any_origin_without_cookie(self):
        r = self.client.get(PREFIX + "integration/fiches.json", {"n": "5", "ordre": "relevance"})
        self.assertEqual(r["Access-Control-Allow-Origin"], "*")
        self.assertNotIn("Set-Cookie", r.headers)
        data = json.loads(r.content)
        self.assertEqual(data["title"], "Les actions d'Ille-et-Vilaine")
        titles = [s["title"] for s in data["sheets"]]
        self.assertEqual(titles[0], "Jardin partagé des Marais")  # highlighted first
        self.assertEqual(sorted(titles), ["Goûter des familles", "Jardin partagé des Marais"])
        self.assertTrue(data["sheets"][0]["url"].startswith("http"))
        self.assertTrue(data["sheets"][0]["url"].endswith(self.jardin.get_absolute_url()))

    def test_a_conditional_get_answers_304(self):
        url = PREFIX + "integration/fiches.json"
        r = self.client.get(url)
        etag, modified = r["ETag"], r["Last-Modified"]
        r = self.client.get(url, headers={"If-None-Match": etag})
        self.assertEqual(r.status_code, 304)
        self.assertEqual(r.content, b"")
        r = self.client.get(PREFIX + "integration/liste/", headers={"If-Modified-Since": modified})
        self.assertEqual(r.status_code, 304)
        # An edit stamps updated_at (contrib.editing does): the validators change.
        self.jardin.title = "Jardin partagé (nouveau nom)"
        self.jardin.updated_at = timezone.now() + datetime.timedelta(seconds=2)
        self.jardin.save()
        r = self.client.get(url, headers={"If-None-Match": etag})
        self.assertEqual(r.status_code, 200)

    def test_bad_settings_fall_back_to_the_defaults(self):
        r = self.client.get(PREFIX + "integration/fiches.json", {"n": "9999", "ordre": "<x>"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(len(json.loads(r.content)["sheets"]), 2)
        r = self.client.get(PREFIX + "integrer/", {"n": "abc"})
        self.assertContains(r, "Réglages non valides")

    def test_the_script_is_small_and_cached(self):
        r = self.client.get(PREFIX + "integration/script.js")
        self.assertEqual(r["Content-Type"], "text/javascript; charset=utf-8")
        self.assertIn("ETag", r.headers)
        self.assertLess(len(gzip.compress(r.content, 9)), 10_000)
        self.assertNotIn(b"document.cookie", r.content)
        self.assertNotIn(b"localStorage", r.content)

    def test_the_builder_gives_both_codes_and_a_preview(self):
        r = self.client.get(PREFIX + "integrer/", {"n": "3", "q": '"><script>'})
        self.assertContains(r, "&lt;iframe src=")
        self.assertContains(r, "integration/script.js")
        self.assertContains(r, 'class="embed-preview"')
        self.assertNotContains(r, '"><script>')

    def test_embeds_are_counted(self):
        self.client.get(PREFIX + "integration/liste/")
        self.client.get(PREFIX + "integration/fiches.json")
        self.assertEqual(PortalVisit.objects.get(portal=self.portal, kind="embed").count, 2)
