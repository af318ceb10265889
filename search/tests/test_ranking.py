"""The ranking model (docs/search.md): the rare word decides over common and filler words, a
short sheet ranks above a long one holding the same word, typed words rank above their derived
forms, and derived forms are found. Checked on the database engine and the memory engine."""

from catalogue.models import ActionSheet
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet, make_structure
from search.tests.base import BothEnginesMixin

FILLER = "Le centre social propose des actions et des projets pour aider les habitants. "


class RankingTestCase(BothEnginesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.structure = make_structure("CENTRE SOCIAL DU PARC", dep="53")
        # Many sheets with the common words, one with the rare one (in its long texts only).
        cls.common = [
            make_sheet(
                cls.structure,
                f"Animation de proximité {i}",
                summary=FILLER + "Un atelier ouvert dans le quartier, chaque semaine.",
            )
            for i in range(8)
        ]
        cls.couture = make_sheet(
            cls.structure,
            "Les mains habiles",
            summary="Des après-midi entre voisines.",
            experience="On apprend la couture et on répare les vêtements.",
        )
        cls.short = make_sheet(
            cls.structure, "Troc de graines", summary="Une grainothèque au local."
        )
        cls.long = make_sheet(
            cls.structure,
            "Fête de printemps",
            summary="Une grande fête. "
            + "Des stands, des jeux et de la musique. " * 60
            + "Une grainothèque ce jour-là.",
        )
        cls.travels = make_sheet(
            cls.structure,
            "Autour du monde",
            summary="Des récits de voyages autour du monde, le soir chez l'habitant.",
        )
        cls.jardinage = make_sheet(
            cls.structure, "Le potager", summary="Du jardinage au pied des immeubles."
        )
        cls.jardiner = make_sheet(
            cls.structure, "Le verger", summary="Jardiner au pied des immeubles."
        )
        sheets_changed.send(
            sender=None, sheet_ids=list(ActionSheet.objects.values_list("pk", flat=True))
        )

    def test_the_rare_word_decides_over_common_ones(self):
        found = self.both("atelier de couture dans le quartier")
        self.assertEqual(found[0], "Les mains habiles")

    def test_filler_words_are_never_required(self):
        found = self.both("comment proposer des actions de couture")
        self.assertEqual(found, ["Les mains habiles"])

    def test_prepositions_never_decide_the_order(self):
        # "autour" and "chez" are as rare as "couture" here, and one sheet holds both.
        found = self.both("de la couture autour de chez soi")
        self.assertEqual(found[0], "Les mains habiles")

    def test_a_short_sheet_ranks_above_a_long_one_holding_the_same_word(self):
        found = self.both("grainothèque")
        self.assertEqual(found, ["Troc de graines", "Fête de printemps"])

    def test_a_verb_finds_its_noun_and_the_typed_form_ranks_first(self):
        self.assertEqual(self.both("jardiner"), ["Le verger", "Le potager"])
        self.assertEqual(self.both("jardinage"), ["Le potager", "Le verger"])

    def test_irregular_families_and_participles(self):
        self.assertEqual(self.both("coudre"), ["Les mains habiles"])
        self.assertIn("Les mains habiles", self.both("réparer"))
        # A family's short form counts too: "jouer" finds the sheet saying "jeux".
        self.assertEqual(self.both("jouer"), ["Fête de printemps"])
