"""Relaxed matching, through the public search: when no sheet holds every concept of the query,
the soft AND keeps a sheet when the concepts it holds weigh at least SHARE of the query's weight
(inverse document frequency, docs/search.md "Soft AND"): a sheet holding only the rarest concept
stays, one holding only the most common one goes. Written against the public behaviour: if the
ranking changes this rule, this test says so (it replaces the 3- versus 4-concept boundary of
the model before BM25F)."""

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

    def test_three_concepts_keep_the_rare_one_alone_not_the_common_one(self):
        # A is in three sheets (light), B in two, D in one (heavy): "one" holds A alone.
        self.assertEqual(self.found(f"{A} {B} {D}"), {self.three.pk, self.two.pk, self.other.pk})

    def test_four_concepts_follow_the_same_weight_share(self):
        self.assertEqual(
            self.found(f"{A} {B} {C} {D}"), {self.three.pk, self.two.pk, self.other.pk}
        )
