"""The ranking's second stage (search.rescoring): within the first page, a sheet that says the
need's word again and again outranks a shorter one that says it once in passing; the rest of
the list keeps its order. Checked on the database engine and the memory engine."""

from unittest import mock

from django.test import override_settings

from catalogue.models import ActionSheet
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet, make_structure
from search import rescoring
from search.tests.base import BothEnginesMixin


# No cached match: the window is patched between tests.
@override_settings(SEARCH_TEXT_CACHE=0)
class RescoringTestCase(BothEnginesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
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
        sheets_changed.send(
            sender=None, sheet_ids=list(ActionSheet.objects.values_list("pk", flat=True))
        )

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
