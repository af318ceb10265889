"""The ranking's second stage (search.rescoring): within the first page, a sheet that says the
need's word again and again outranks a shorter one that says it once in passing; the rest of
the list keeps its order. Checked on the database engine and the memory engine."""

from unittest import mock

from django.test import override_settings

from catalogue.models import ActionSheet
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet, make_structure
from search import rescoring
from search.service import SheetQuery, search_sheets
from search.tests.base import BothEnginesMixin


def make_compost_sheets():
    """Two sheets of Ille-et-Vilaine about compost, alike in length: one says it once, the
    other four times."""
    structure = make_structure("CENTRE SOCIAL DES TILLEULS", dep="35")
    make_sheet(
        structure,
        "Le jardin d'en bas",
        summary="Un jardin au pied des immeubles.",
        experience="On y fait aussi du compost. Les enfants de l'école voisine viennent "
        "planter des tomates, des radis et des fraises, et les anciens du quartier leur "
        "montrent comment arroser sans gaspiller l'eau.",
    )
    make_sheet(
        structure,
        "Le bac de la cour",
        summary="Un bac pour les épluchures des voisins, dans la cour de la résidence.",
        experience="Le compost se fait ensemble : le compost mûrit six mois, puis le compost "
        "nourrit les jardinières. Un guide apprend à chacun à retourner son compost, avec "
        "la métropole et les associations du quartier.",
    )


class CompostSheetsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_compost_sheets()
        sheets_changed.send(
            sender=None, sheet_ids=list(ActionSheet.objects.values_list("pk", flat=True))
        )


# No cached match: the window is patched between tests.
@override_settings(SEARCH_TEXT_CACHE=0)
class RescoringTestCase(BothEnginesMixin, CompostSheetsTestCase):
    def test_the_sheet_saying_the_word_often_comes_first(self):
        self.assertEqual(self.both("compost"), ["Le bac de la cour", "Le jardin d'en bas"])

    def test_without_the_window_the_shorter_sheet_comes_first(self):
        # What the first stage alone gives: each says it, the shorter one is first.
        with mock.patch.object(rescoring, "WINDOW", 0):
            self.assertEqual(self.both("compost"), ["Le jardin d'en bas", "Le bac de la cour"])

    def test_beyond_the_window_the_order_is_the_first_stage_one(self):
        with mock.patch.object(rescoring, "WINDOW", 1):
            # The shorter sheet is the first stage's best: rescored alone, it stays first.
            self.assertEqual(self.both("compost"), ["Le jardin d'en bas", "Le bac de la cour"])


@override_settings(SEARCH_TEXT_CACHE=0)
class FilteredWindowTestCase(BothEnginesMixin, BaseTestCase):
    """With a filter, the window is the first page of the filtered list, not of the whole
    catalogue: sheets elsewhere that rank first for the text leave it to the sheets shown."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_compost_sheets()
        elsewhere = make_structure("CENTRE SOCIAL DU LAC", dep="53")
        for name in ("Compost partagé", "Compost au jardin"):
            make_sheet(elsewhere, name, summary="Du compost pour le quartier.")
        sheets_changed.send(
            sender=None, sheet_ids=list(ActionSheet.objects.values_list("pk", flat=True))
        )

    def filtered(self, fast):
        query = SheetQuery(q="compost", departement=["35"])
        return [s.title for s in search_sheets(query, per_page=50, fast=fast).sheets]

    def test_the_window_follows_the_filters(self):
        # The two sheets of the other département are the catalogue's first two for "compost".
        with mock.patch.object(rescoring, "WINDOW", 2):
            self.assertEqual(self.both("compost")[:2], ["Compost au jardin", "Compost partagé"])
            found = self.filtered(fast=False)
            with override_settings(SEARCH_FAST_PATH_BACKGROUND=False):
                self.assertEqual(self.filtered(fast=True), found)
        self.assertEqual(found, ["Le bac de la cour", "Le jardin d'en bas"])


class RememberedGainsTestCase(CompostSheetsTestCase):
    """The text match of a query is kept (SEARCH_TEXT_CACHE) with each sheet's second-stage gain:
    the same text again (another page, a filter toggled) reads no sheet's terms twice."""

    def titles(self):
        result = search_sheets(SheetQuery(q="compost"), per_page=50, fast=True)
        return [s.title for s in result.sheets]

    @override_settings(SEARCH_FAST_PATH_BACKGROUND=False)
    def test_the_same_text_again_reads_no_terms(self):
        first = self.titles()
        self.assertEqual(first, ["Le bac de la cour", "Le jardin d'en bas"])
        read_again = AssertionError("a sheet's terms read again")
        with mock.patch("search.textindex.document_fields", side_effect=read_again):
            self.assertEqual(self.titles(), first)
