"""A French word that no sheet holds is searched through a general dictionary's synonyms
(search.dictionary, issue #20): "chagrin" finds the sheet about "deuil", says so, and the same
on both engines; a word some sheet holds, a typo or a quoted word is never replaced."""

import gzip
import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

from catalogue.signals import sheets_changed
from essaimage.test import make_sheet
from search import dictionary
from search.service import SheetQuery, search_sheets
from search.tests.base import SearchTestCase

MYTHES = """UTF-8
chagrin|2
(Nom)|affliction|tristesse|deuil
(Adjectif)|morose|chagrin
boîte à outils|1
(Nom)|trousse
"""


@override_settings(SEARCH_FAST_PATH_BACKGROUND=False)
class DictionaryTestCase(SearchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.grief = make_sheet(
            cls.loiron,
            "Le Café des souvenirs",
            summary="Un groupe de parole pour les personnes en deuil, un jeudi par mois.",
        )
        cls.garden = make_sheet(
            cls.nancy, "Jardin partagé", summary="Des légumes en pied d'immeuble."
        )
        sheets_changed.send(sender=None, sheet_ids=[cls.grief.pk, cls.garden.pk])

    def search(self, q, fast):
        return search_sheets(SheetQuery(q=q), with_facets=False, fast=fast)

    def test_a_word_no_sheet_holds_finds_its_synonyms(self):
        for fast in (False, True):
            with self.subTest(engine="memory" if fast else "database"):
                result = self.search("chagrin", fast)
                self.assertEqual(result.sheets, [self.grief])
                self.assertEqual(result.missing, ())
                self.assertEqual(result.stand_ins, (("chagrin", ("deuil",)),))
                self.assertEqual(
                    result.stand_in_notices,
                    [
                        "Aucune fiche ne contient « chagrin » : recherché avec un mot de sens "
                        "proche (deuil)."
                    ],
                )

    def test_a_word_typed_without_its_accents_finds_its_synonyms_too(self):
        # "désespoir" typed as many type it: its synonyms are those of the accented entry.
        self.assertEqual(dictionary.synonyms("desespoir"), dictionary.synonyms("désespoir"))
        for fast in (False, True):
            with self.subTest(engine="memory" if fast else "database"):
                result = self.search("desespoir", fast)
                self.assertEqual(result.sheets, [self.grief])
                self.assertEqual(result.stand_ins, (("desespoir", ("deuil",)),))

    def test_the_page_and_the_api_say_which_words_were_searched(self):
        notice = (
            "Aucune fiche ne contient « chagrin » : recherché avec un mot de sens proche (deuil)."
        )
        self.assertContains(self.client.get("/actions/", {"q": "chagrin après un décès"}), notice)
        answer = self.client.get("/api/v1/actions", {"q": "chagrin"}).json()
        self.assertEqual(answer["notices"], [notice])
        self.assertEqual([r["title"] for r in answer["results"]], ["Le Café des souvenirs"])

    def test_a_word_some_sheet_holds_keeps_its_own_meaning(self):
        sheet = make_sheet(
            cls_structure := self.nancy, "Contes", summary="Le chagrin du petit ogre."
        )
        self.assertEqual(sheet.structure, cls_structure)
        sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
        for fast in (False, True):
            with self.subTest(engine="memory" if fast else "database"):
                result = self.search("chagrin", fast)
                self.assertEqual(result.sheets, [sheet])
                self.assertEqual(result.stand_ins, ())

    def test_quoted_or_misspelt_words_are_not_replaced(self):
        for fast in (False, True):
            with self.subTest(engine="memory" if fast else "database"):
                self.assertEqual(self.search('"chagrin"', fast).sheets, [])
                # Not a French word: a typo, corrected to an indexed word instead (deuil).
                typo = self.search("deuill", fast)
                self.assertEqual((typo.stand_ins, typo.corrected), ((), True))

    def test_the_dictionary_is_read_from_libreoffice_s_thesaurus(self):
        self.assertEqual(
            dictionary.read_mythes(MYTHES),
            # The word itself and entries of several words are left out; senses in order.
            [("chagrin", ["affliction", "tristesse", "deuil", "morose"])],
        )
        with tempfile.TemporaryDirectory() as tmp:
            source, output = Path(tmp) / "thes_fr.dat", Path(tmp) / "synonyms.txt.gz"
            source.write_text(MYTHES, encoding="utf-8")
            call_command(
                "build_synonym_dictionary",
                source=str(source),
                output=str(output),
                stdout=io.StringIO(),
            )
            lines = gzip.decompress(output.read_bytes()).decode("utf-8").splitlines()
        self.assertIn("LGPL-2.1", "\n".join(lines))
        self.assertEqual(lines[-1], "chagrin|affliction|tristesse|deuil|morose")
        # The shipped extract: every line a word and its synonyms.
        self.assertIn("deuil", dictionary.synonyms("chagrin"))
        self.assertIn("obsèques", dictionary.synonyms("enterrement"))
