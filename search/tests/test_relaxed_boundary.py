"""Relaxed matching, through the public search: when no sheet holds every concept of the query,
a query of 3 concepts keeps only the sheets holding the most of them, a query of 4 or more also
keeps those holding one fewer (README "Search", search.matching). Written against the public
behaviour: if the ranking changes this rule, this test says so."""

from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet

# Invented words, each in no dictionary, thesaurus or other sheet (no correction, no synonym).
A, B, C, D = "zorblik", "quintor", "vexmut", "plimbok"


class RelaxedBoundaryTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.three = make_sheet(cls.adesir, "Atelier un", summary=f"{A} {B} {C}")
        cls.two = make_sheet(cls.adesir, "Atelier deux", summary=f"{A} {B}")
        cls.one = make_sheet(cls.marais, "Atelier trois", summary=f"{A}")
        cls.other = make_sheet(cls.marais, "Atelier quatre", summary=f"{D}")

    def setUp(self):
        sheets_changed.send(
            sender=None, sheet_ids=[self.three.pk, self.two.pk, self.one.pk, self.other.pk]
        )

    def found(self, q: str) -> set[int]:
        r = self.client.get("/actions/", {"q": q})
        self.assertEqual(r.status_code, 200)
        result = r.context["result"]
        self.assertTrue(result.relaxed, q)
        return {s.pk for s in result.sheets}

    def test_three_concepts_keep_only_the_best_coverage(self):
        # Coverage: three 2 of 3 (A, B), two 2 of 3, one 1 of 3, other 1 of 3.
        self.assertEqual(self.found(f"{A} {B} {D}"), {self.three.pk, self.two.pk})

    def test_four_concepts_keep_one_fewer_than_the_best(self):
        # Coverage: three 3 of 4, two 2 of 4 (kept: one fewer), one 1 of 4 (dropped).
        self.assertEqual(self.found(f"{A} {B} {C} {D}"), {self.three.pk, self.two.pk})
