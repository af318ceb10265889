"""The statistics page's breakdowns from the memory engine's bitmaps (stats.indexed) are the
figures the SQL queries (stats.queries) give, in the same order, on random selections."""

import random

from django.http import QueryDict
from django.test import override_settings

from bench import synthetic
from catalogue.models import ActionSheet, Keyword, PublicationStatus, Structure
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet
from search.forms import SearchForm
from search.service import selected_sheets
from search.tests.test_fast_path import random_querystring
from stats import indexed, queries


class IndexedStatsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        synthetic.generate_sheets(800, seed=33, batch_size=400)
        nowhere = Structure.objects.create(name="SANS DÉPARTEMENT")
        make_sheet(nowhere, "Fiche sans année", year=None, keywords=["Famille"])
        make_sheet(cls.marais, "Brouillon", publication_status=PublicationStatus.DRAFT)
        sheets_changed.send(
            sender=None, sheet_ids=list(ActionSheet.objects.values_list("pk", flat=True))
        )

    def compare(self, querystring: str):
        form = SearchForm(QueryDict(querystring))
        self.assertTrue(form.is_valid(), form.errors)
        query = form.to_query()
        bitmaps = indexed.selection(query)
        self.assertIsNotNone(bitmaps)
        sheets = selected_sheets(query)
        expected = queries.catalogue_stats(sheets)
        found = indexed.catalogue_stats(*bitmaps)
        self.assertEqual(found, expected, querystring)
        self.assertEqual(
            indexed.keyword_trends(*bitmaps, found.by_year),
            queries.keyword_trends(sheets, expected.by_year),
            querystring,
        )
        self.assertEqual(
            indexed.partner_stats(*bitmaps, found.by_action_partner),
            queries.partner_stats(sheets, expected.by_action_partner),
            querystring,
        )
        return found

    def test_whole_catalogue(self):
        stats = self.compare("")
        self.assertEqual(stats.total_sheets, ActionSheet.objects.published().count())
        # The sheet without a year is counted, last.
        self.assertEqual(stats.by_year[-1].label, "Année inconnue")

    def test_random_selections(self):
        published = ActionSheet.objects.published()
        values = {
            "departement": sorted(
                set(published.values_list("structure__departement_id", flat=True)) - {None}
            ),
            "keywords": list(Keyword.objects.values_list("value", flat=True)),
            "publics": ["tous-publics", "jeunesse", "familles"],
            "action_partners": ["caf", "commune", "msa"],
            "structure_type": ["cs", "evs", "other"],
            "year": list(range(2015, 2027)),
        }
        rng = random.Random(8)
        for _ in range(25):
            querystring = random_querystring(rng, values)
            with self.subTest(querystring=querystring):
                self.compare(querystring)

    def test_the_page_shows_the_same_figures_on_both_paths(self):
        url = "/statistiques/?keywords=parentalite"
        with override_settings(SEARCH_FAST_PATH=True, STATS_CACHE_SECONDS=0):
            fast = self.client.get(url)
        with override_settings(SEARCH_FAST_PATH=False, STATS_CACHE_SECONDS=0):
            slow = self.client.get(url)
        self.assertEqual(fast.status_code, 200)
        self.assertEqual(fast.context["stats"], slow.context["stats"])
        self.assertEqual(fast.context["trends"], slow.context["trends"])
        self.assertEqual(fast.context["partners"], slow.context["partners"])
