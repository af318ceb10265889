"""Figures of a selection are cached, and any write to the sheets invalidates them."""

from decimal import Decimal

from django.core.cache import cache

from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase
from stats.figures import correct_figures


class StatsCacheTestCase(BaseTestCase):
    url = "/statistiques/"

    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    def _money(self):
        return self.client.get(self.url).context["money"]

    def test_a_second_visit_is_served_from_the_cache(self):
        with self.settings(STATS_CACHE_SECONDS=300):
            self.client.get(self.url)
            with self.assertNumQueries(1):  # the index generation only
                r = self.client.get(self.url)
            self.assertEqual(r.context["stats"].total_sheets, 1)

    def test_a_changed_sheet_or_a_correction_is_seen_at_once(self):
        with self.settings(STATS_CACHE_SECONDS=300):
            self.assertEqual(self._money().with_budget, 0)
            self.sheet.financial_resources = "Budget global : 2 000 €"
            self.sheet.save()
            sheets_changed.send(sender=None, sheet_ids=[self.sheet.pk])
            self.assertEqual(self._money().budget_total, Decimal("2000"))
            correct_figures(self.sheet, Decimal("2500"), None, user=None)
            self.assertEqual(self._money().budget_total, Decimal("2500"))
