"""An acronym's expansion of several words is found as words close to each other (issue #20,
item 3), below the exact phrase, the same on both engines."""

from django.test import override_settings

from catalogue.signals import sheets_changed
from essaimage.test import make_sheet
from search.service import SheetQuery, search_sheets
from search.tests.base import SearchTestCase


@override_settings(SEARCH_FAST_PATH_BACKGROUND=False)
class AcronymNearTestCase(SearchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.phrase = make_sheet(
            cls.loiron,
            "Parler pour agir",
            summary="Des ateliers sociolinguistiques pour les habitants.",
        )
        cls.near = make_sheet(
            cls.nancy,
            "Le français au quotidien",
            summary="Des ateliers de français à visée sociolinguistique, chaque mardi.",
        )
        cls.apart = make_sheet(
            cls.nancy,
            "Cuisine du monde",
            summary="Des ateliers cuisine. "
            + "Rien à voir ici. " * 6
            + "Approche sociolinguistique.",
        )
        sheets_changed.send(sender=None, sheet_ids=[cls.phrase.pk, cls.near.pk, cls.apart.pk])

    def found(self, q, fast):
        return search_sheets(SheetQuery(q=q), with_facets=False, fast=fast).sheets

    def test_expansion_words_close_together_match_below_the_phrase(self):
        for fast in (False, True):
            with self.subTest(engine="memory" if fast else "database"):
                found = self.found("ASL", fast)
                self.assertEqual(found[:2], [self.phrase, self.near])
                # Its words scattered far apart: not the acronym.
                self.assertNotIn(self.apart, found)
