"""search.facets.facet_from_counts: the one place both engines label, order and cut a facet."""

from django.test import TestCase

from search.facets import BY_NAME, facet_from_counts
from search.query import SheetQuery

STRUCTURE = BY_NAME["structure"]  # limit 10, labelled by the counted name


class FacetFromCountsTests(TestCase):
    def facet(self, counts, query=None, **kwargs):
        labels = {pk: f"Centre {pk:02}" for pk in counts}
        query = query or SheetQuery()
        return facet_from_counts(STRUCTURE, counts, labels, query, "/catalogue/", **kwargs)

    def test_values_go_by_count_then_label_and_stop_at_the_limit(self):
        facet = self.facet({pk: pk for pk in range(1, 13)})  # twelve distinct counts
        self.assertEqual([v.value for v in facet.values], list(range(12, 2, -1)))
        self.assertEqual(facet.values[0].label, "Centre 12")
        self.assertTrue(facet.truncated)

    def test_ties_go_by_label(self):
        facet = self.facet({3: 1, 1: 1, 2: 5})
        self.assertEqual([v.value for v in facet.values], [2, 1, 3])
        self.assertFalse(facet.truncated)

    def test_a_selected_value_stays_beyond_the_limit(self):
        query = SheetQuery(structure=(1, 99))
        facet = self.facet({pk: pk for pk in range(1, 13)}, query)
        self.assertEqual([v.value for v in facet.values][-2:], [1, 99])
        self.assertEqual(facet.values[-1].count, 0)
        self.assertEqual(facet.selected, [facet.values[-2], facet.values[-1]])
        self.assertTrue(facet.truncated)

    def test_counts_an_engine_already_cut_make_a_truncated_facet(self):
        facet = self.facet({pk: pk for pk in range(1, 11)}, cut=True)
        self.assertEqual(len(facet.values), 10)
        self.assertTrue(facet.truncated)
        self.assertFalse(self.facet({pk: pk for pk in range(1, 11)}).truncated)

    def test_each_value_toggles_itself(self):
        facet = self.facet({7: 2})
        self.assertEqual(facet.values[0].toggle_url, "/catalogue/?structure=7")
