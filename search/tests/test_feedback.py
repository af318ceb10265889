"""Pseudo-relevance feedback and the keyword bridge (issue #20, item 3; search.feedback): the
first results of a query of three words or more lend it their words and keywords, at low
weight; the keywords they agree on are offered as filters. Both engines answer the same."""

from django.test import override_settings

from catalogue.models import Keyword
from catalogue.signals import sheets_changed
from essaimage.test import make_sheet
from search.service import SheetQuery, search_sheets
from search.tests.base import SearchTestCase

QUERY = "broderie mardi matin"


@override_settings(SEARCH_FAST_PATH_BACKGROUND=False)
class FeedbackTestCase(SearchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.best = [
            make_sheet(
                cls.loiron,
                f"Broderie du mardi {n}",
                summary="Broderie le mardi matin, puis tricot et laine entre voisines.",
                keywords=["Précarité"],
            )
            for n in (1, 2, 3, 4, 5)
        ]
        # Same first-pass score for the four below: created first, the painting ones would
        # come first on a tie (lower ids).
        cls.painting = [
            make_sheet(cls.nancy, f"Peinture {n}", summary="Broderie le mardi, peinture sur soie.")
            for n in (1, 2)
        ]
        cls.knitting = [
            make_sheet(cls.nancy, f"Tricot {n}", summary="Broderie le mardi, tricot de laine.")
            for n in (1, 2)
        ]
        sheets = [*cls.best, *cls.painting, *cls.knitting]
        sheets_changed.send(sender=None, sheet_ids=[s.pk for s in sheets])

    def search(self, q, fast, **filters):
        return search_sheets(SheetQuery(q=q, **filters), with_facets=False, fast=fast)

    def test_the_first_results_words_reorder_the_rest(self):
        for fast in (False, True):
            with self.subTest(engine="memory" if fast else "database"):
                found = self.search(QUERY, fast).sheets
                self.assertEqual(set(found[:5]), set(self.best))
                # "tricot" and "laine", shared by the first results, lift the knitting sheets.
                self.assertEqual(found[5:9], [*self.knitting, *self.painting])

    def test_both_engines_rank_alike(self):
        database = self.search(QUERY, False)
        memory = self.search(QUERY, True)
        self.assertEqual(database.sheets, memory.sheets)

    def test_the_keyword_the_first_results_agree_on_is_offered_as_a_filter(self):
        precarite = Keyword.objects.get(label="Précarité")
        for fast in (False, True):
            with self.subTest(engine="memory" if fast else "database"):
                result = self.search(QUERY, fast)
                self.assertEqual(result.related_keywords, ((precarite.value, "Précarité"),))
                # Already chosen: not offered again.
                chosen = self.search(QUERY, fast, keywords=(precarite.value,))
                self.assertEqual(chosen.keyword_suggestions, [])
        page = self.client.get("/actions/", {"q": QUERY})
        self.assertContains(page, "Mots clés proches de votre recherche")
        link = f"keywords={precarite.value}"
        self.assertContains(page, link)
        filtered = self.client.get(f"/actions/?q={QUERY}&{link}")
        self.assertEqual(set(filtered.context["result"].sheets), set(self.best))

    def test_short_queries_keep_their_exact_order(self):
        # One or two words: no feedback, no keyword offered (typos, acronyms, collisions).
        result = self.search("broderie mardi", True)
        self.assertEqual(result.related_keywords, ())
        self.assertEqual(result.sheets[5:9], [*self.painting, *self.knitting])
