"""A concept's rarity (idf) counts the sheets holding the typed word or a close form, not those
its synonyms add (search.matching.rarity_counts): a word with a common synonym is still as rare
as the word itself. Checked on the database engine and the memory engine."""

from catalogue.models import ActionSheet
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet, make_structure
from search.tests.base import BothEnginesMixin


class RarityTestCase(BothEnginesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        structure = make_structure("CENTRE SOCIAL DES AUBÉPINES", dep="72")
        make_sheet(structure, "Coup de pouce emploi", summary="Des rendez-vous chaque mardi.")
        make_sheet(structure, "Le grenier", summary="On y retrouve des objets oubliés.")
        # "travail", a synonym of "emploi" in the thesaurus, in many sheets.
        for i in range(6):
            make_sheet(structure, f"Menuiserie {i}", summary="Le travail du bois, le samedi.")
        sheets_changed.send(
            sender=None, sheet_ids=list(ActionSheet.objects.values_list("pk", flat=True))
        )

    def test_a_common_synonym_does_not_make_the_typed_word_common(self):
        found = self.both("retrouver un emploi")
        # "emploi", in one sheet's title, weighs as much as "retrouver", in one sheet's summary:
        # the title wins. Counted with the six sheets saying "travail", "emploi" looked common
        # and the sheet saying "retrouve" came first.
        self.assertEqual(found[:2], ["Coup de pouce emploi", "Le grenier"])
        # The synonym still finds its sheets, after.
        self.assertEqual(len(found), 8)
