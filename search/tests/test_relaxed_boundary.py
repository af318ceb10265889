"""Relaxed matching, through the public search: when no sheet holds every concept of the query,
the soft AND keeps first the sheets whose concepts weigh at least SHARE of the query's weight
(inverse document frequency, docs/search.md "Soft AND"): a sheet holding only the rarest concept
is among them, one holding only the most common one is not. A sentence with fewer than
FEW_SENTENCE such sheets is widened: the common-only sheet then follows, last. Written against
the public behaviour: if the ranking changes this rule, this test says so."""

from unittest import mock

from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet
from search import matching

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

    def found(self, q: str) -> list[int]:
        r = self.client.get("/actions/", {"q": q})
        self.assertEqual(r.status_code, 200)
        result = r.context["result"]
        self.assertTrue(result.relaxed, q)
        return [s.pk for s in result.sheets]

    def test_three_concepts_keep_the_rare_one_alone_before_the_common_one(self):
        # A is in three sheets (light), B in two, D in one (heavy): "one" holds A alone.
        found = self.found(f"{A} {B} {D}")
        self.assertEqual(set(found[:3]), {self.three.pk, self.two.pk, self.other.pk})
        # Three sheets pass the share, fewer than FEW_SENTENCE: the list is widened.
        self.assertEqual(found[3:], [self.one.pk])

    def test_four_concepts_follow_the_same_weight_share(self):
        found = self.found(f"{A} {B} {C} {D}")
        self.assertEqual(set(found[:3]), {self.three.pk, self.two.pk, self.other.pk})
        self.assertEqual(found[3:], [self.one.pk])

    def test_without_widening_the_common_one_goes(self):
        # (Words in another order: a text of its own, never a cached match.)
        with mock.patch.object(matching, "FEW_SENTENCE", 3):
            found = self.found(f"{D} {B} {A}")
        self.assertEqual(set(found), {self.three.pk, self.two.pk, self.other.pk})
