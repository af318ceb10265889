"""A typed thesaurus expression also counts its words one by one (issue #20): "groupe de parole
de parents" is one concept for the sheets that say it, and a sheet about parents that never
says it still comes, below them, the same on both engines."""

from django.test import override_settings

from catalogue.signals import sheets_changed
from essaimage.test import make_sheet
from search import matching
from search.service import SheetQuery, search_sheets
from search.tests.base import SearchTestCase


@override_settings(SEARCH_FAST_PATH_BACKGROUND=False)
class ExpressionPartsTestCase(SearchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.expression = make_sheet(
            cls.loiron,
            "Rendez-vous du jeudi",
            summary="Un groupe de parole de parents d'adolescents, chaque jeudi soir.",
        )
        # Alike but for "parents", written first and first by title: it would win a tie.
        cls.without_parents = make_sheet(
            cls.nancy,
            "Ateliers du mercredi",
            summary="Des scènes jouées par les animateurs et leurs adolescents, avec des "
            "comédiens, au centre social le mercredi.",
        )
        cls.about_parents = make_sheet(
            cls.nancy,
            "Théâtre forum",
            summary="Des scènes jouées par les parents et leurs adolescents, avec des "
            "comédiens, au centre social le mercredi.",
        )
        sheets_changed.send(
            sender=None,
            sheet_ids=[cls.expression.pk, cls.without_parents.pk, cls.about_parents.pk],
        )

    def found(self, q, fast):
        return search_sheets(SheetQuery(q=q), with_facets=False, fast=fast)

    def test_the_words_of_an_expression_count_one_by_one(self):
        for fast in (False, True):
            with self.subTest(engine="memory" if fast else "database"):
                found = self.found("groupe de parole de parents adolescents", fast).sheets
                self.assertEqual(found[0], self.expression)
                # Neither says the expression: of two sheets alike, the one holding its word
                # "parents" comes first.
                self.assertLess(found.index(self.about_parents), found.index(self.without_parents))

    def test_the_words_are_neither_required_nor_reported_missing(self):
        plan = matching.plan_query("groupe de parole de parents")
        self.assertEqual(
            [(c.label, c.part) for c in plan.concepts],
            [
                ("groupe parole parents", False),
                ("groupe", True),
                ("parole", True),
                ("parents", True),
            ],
        )
        for fast in (False, True):
            with self.subTest(engine="memory" if fast else "database"):
                result = self.found("groupe de parole de parents", fast)
                self.assertEqual(result.missing, ())

    def test_a_word_already_searched_is_not_counted_twice(self):
        # "parler" finds "parole" (its family): the expression's "parole" adds nothing.
        plan = matching.plan_query("groupe de parole de parents pour parler")
        self.assertEqual(
            [(c.label, c.part) for c in plan.concepts],
            [
                ("groupe parole parents", False),
                ("parler", False),
                ("groupe", True),
                ("parents", True),
            ],
        )

    def test_a_quoted_expression_keeps_its_words_together(self):
        plan = matching.plan_query('"groupe de parole de parents"')
        self.assertEqual([c.part for c in plan.concepts], [False])
        for fast in (False, True):
            with self.subTest(engine="memory" if fast else "database"):
                result = self.found('"groupe de parole de parents"', fast)
                self.assertEqual(result.sheets, [self.expression])
