"""The window title says which page, words, filters and results page a tab shows."""

import re

from essaimage.test import BaseTestCase, make_sheet


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


class PageTitlesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for n in range(12):
            make_sheet(cls.adesir, f"Atelier {n}", keywords=["Parentalité"])

    def test_the_catalogue_names_itself(self):
        self.assertEqual(title(self.client.get("/actions/")), "Catalogue des actions — Essaimage")

    def test_it_names_the_words_the_filter_and_the_page(self):
        r = self.client.get("/actions/", {"keywords": "parentalite", "page": 2, "page_size": 10})
        self.assertEqual(title(r), "Parentalité — page 2 — Catalogue des actions — Essaimage")
        r = self.client.get("/actions/", {"q": "café"})
        self.assertEqual(title(r), "« café » — Catalogue des actions — Essaimage")

    def test_htmx_updates_the_title_too(self):
        r = self.client.get(
            "/actions/", {"keywords": "parentalite"}, headers={"HX-Request": "true"}
        )
        self.assertNotContains(r, "<html")
        self.assertEqual(title(r), "Parentalité — Catalogue des actions — Essaimage")

    def test_a_departement_page_names_the_departement(self):
        r = self.client.get(self.reunion.get_absolute_url(), {"page": 2, "page_size": 10})
        self.assertEqual(title(r), "page 2 — La Réunion — Essaimage")
