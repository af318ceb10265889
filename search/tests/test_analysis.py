"""The French analyser (search.analysis): the same terms for a sheet and for a query."""

from django.test import SimpleTestCase

from search import analysis


class AnalysisTestCase(SimpleTestCase):
    def test_it_folds_case_accents_and_ligatures(self):
        self.assertEqual(analysis.terms("Œuvre ÉTÉ Parentalité"), ["oeuvre", "parentalite"])

    def test_it_splits_elisions_and_drops_stop_words(self):
        self.assertEqual(
            analysis.terms("L’accueil d'un groupe qu'on aime, jusqu'à l'été"),
            ["accueil", "groupe", "aimer"],
        )

    def test_it_joins_plural_and_feminine_forms_without_over_stemming(self):
        self.assertEqual(analysis.terms("sociaux sociale"), ["social", "social"])
        self.assertEqual(analysis.terms("sportives culturelles"), ["sportif", "culturel"])
        self.assertEqual(analysis.terms("jeux familles"), ["jeu", "famille"])
        # The snowball stemmer made these collide; they stay apart.
        for a, b in (("formation", "format"), ("habits", "habitants"), ("dons", "données")):
            self.assertNotEqual(analysis.terms(a), analysis.terms(b), (a, b))

    def test_cafe_is_never_the_caf(self):
        self.assertEqual(analysis.terms("café cafés CAFE"), ["cafe", "cafe", "cafe"])
        self.assertEqual(analysis.terms("la CAF, la Caf, la caf"), ["caf", "caf", "caf"])

    def test_acronyms_are_kept_as_written(self):
        tokens = analysis.tokens("Avec le CCAS et l'ASELQO, la PIJ25 accompagne les jeunes")
        self.assertEqual(
            [(t.term, t.is_acronym) for t in tokens],
            [("ccas", True), ("aselqo", True), ("pij", True), ("25", False),
             ("accompagner", False), ("jeune", False)],
        )  # fmt: skip

    def test_a_name_in_capitals_is_not_a_row_of_acronyms(self):
        tokens = analysis.tokens("CENTRE SOCIAL DES MARAIS - Ille-et-Vilaine")
        self.assertEqual([t.is_acronym for t in tokens], [False] * len(tokens))
        self.assertEqual(analysis.terms("MARAIS"), analysis.terms("marais"))
        self.assertEqual(analysis.terms("CAFE DE LA CONNAISSANCE"), ["cafe", "connaissance"])

    def test_terms_are_the_terms_of_the_tokens(self):
        # terms() skips the tokens (the indexers' fast path): the same terms, whatever the
        # case of the text and the neighbours of words in capitals.
        from essaimage.test import SAMPLE_PATH

        texts = [
            "MJC du BRT",
            "CENTRE SOCIAL DES MARAIS avec la CAF et le BRT",
            "A B C D E F G H I",
            "Le PIJ25 de LA VILLE, CAF25 et 3D",
            "ÉTÉ ET HIVER À LA MJC, ẞTRASSE ŒUVRE",
            "un ET deux, X Y, 25 ans, l'été d'ADESIR",
            *SAMPLE_PATH.read_text(encoding="utf-8").split("\n- "),
        ]
        for text in texts:
            with self.subTest(text=text[:60]):
                self.assertEqual(analysis.terms(text), [t.term for t in analysis.tokens(text)])
