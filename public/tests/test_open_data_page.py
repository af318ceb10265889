"""The page "Données ouvertes": what is published, the licence, the whole catalogue's files."""

import csv
import io
import json
import tempfile

from django.core.cache import cache
from django.test import override_settings

from essaimage.test import BaseTestCase, make_sheet
from public import open_data


class OpenDataPageTestCase(BaseTestCase):
    def setUp(self):
        cache.clear()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.settings_override = override_settings(OPEN_DATA_DIR=folder.name)
        self.settings_override.enable()
        self.addCleanup(self.settings_override.disable)

    def test_it_is_linked_from_the_footer(self):
        r = self.client.get("/")
        self.assertContains(r, '<a href="/donnees-ouvertes/">Données ouvertes</a>')

    def test_it_says_the_licence_and_how_to_cite(self):
        r = self.client.get("/donnees-ouvertes/")
        self.assertContains(r, "Licence Ouverte / Open Licence version 2.0")
        self.assertContains(r, "Comment citer ces données")
        self.assertContains(r, "en préparation")  # nothing built yet: said, not a broken link

    def test_it_offers_the_whole_catalogue_with_size_and_date(self):
        open_data.build_files()
        r = self.client.get("/donnees-ouvertes/")
        for fmt in ("csv", "xlsx", "json"):
            self.assertContains(r, f'href="/donnees-ouvertes/{fmt}/"')
        size = (open_data.directory() / "essaimage-fiches-actions.csv").stat().st_size
        self.assertGreater(size, 0)
        self.assertNotContains(r, "en préparation")
        download = self.client.get("/donnees-ouvertes/csv/")
        text = b"".join(download.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        self.assertIn("Repair Café", [cell for row in rows for cell in row])
        data = json.loads(b"".join(self.client.get("/donnees-ouvertes/json/").streaming_content))
        self.assertEqual(len(data), 1)

    def test_a_changed_catalogue_says_new_files_are_coming(self):
        open_data.build_files()
        make_sheet(self.adesir, "Jardin partagé")
        cache.clear()
        r = self.client.get("/donnees-ouvertes/")
        self.assertContains(r, "de nouveaux fichiers sont en préparation")

    def test_an_unknown_file_is_a_french_404(self):
        r = self.client.get("/donnees-ouvertes/exe/")
        self.assertContains(r, "Page introuvable", status_code=404)
