"""A sheet's terms for the similarity profiles: each text analysed on its own, whether or not
the search index's analysis of the texts joined is reused."""

from collections import Counter

from django.test import SimpleTestCase

from catalogue.fields import TEXT_FIELDS
from discovery.similarity import texts_terms
from search import analysis


def one_by_one(title: str, texts: list[str]) -> Counter:
    counts = Counter(analysis.terms(title) * 2)
    for text in texts:
        counts.update(analysis.terms(text))
    return counts


def sheet_texts(**values) -> list[str]:
    return [values.get(name, "") for name in TEXT_FIELDS]


class SheetTermsTestCase(SimpleTestCase):
    def test_joined_texts_give_the_terms_of_each_text(self):
        cases = [
            # Plain texts, acronyms of the table, a number stuck to an acronym.
            {"experience": "Des ateliers avec la CAF.", "description": "Un PIJ25 ouvert."},
            # Words in capitals outside the table: acronyms or not, depending on their
            # neighbours across the texts' boundary and on the case of each text.
            {"experience": "Un projet avec la MJC", "description": "BRT du quartier"},
            {"experience": "ATELIER CUISINE POUR TOUS LES HABITANTS", "limits": "Avec le BRT."},
            {"summary": "Résumé", "experience": "", "description": "TOUT EN CAPITALES ICI"},
        ]
        for values in cases:
            with self.subTest(values=values):
                texts = sheet_texts(**values)
                self.assertEqual(texts_terms("Un titre", texts), one_by_one("Un titre", texts))
