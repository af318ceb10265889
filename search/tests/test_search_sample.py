"""Search on the bundled SENACS sample (24 published sheets, 19 structures, no years)."""

from catalogue.models import ActionSheet
from essaimage.test import SAMPLE_PATH, BaseTestCase
from ingest.importer import import_paths
from search.service import SheetQuery, search_sheets


class SampleSearchTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])

    def search(self, q="", **kwargs):
        page = kwargs.pop("page", 1)
        return search_sheets(SheetQuery(q=q, **kwargs), page=page)

    def titles(self, q="", **kwargs):
        return [s.title for s in self.search(q, **kwargs).sheets]

    def test_the_sample_is_searchable(self):
        self.assertEqual(self.search().total, ActionSheet.objects.published().count())
        self.assertGreaterEqual(self.search().total, 24)

    def test_parentalite_finds_the_parentalite_sheets(self):
        titles = self.titles("parentalite")
        self.assertIn("Soutenir la parentalité", titles)
        self.assertIn("Réseau d'écoute, d'appui et d'accompagnement à la parentalité", titles)
        self.assertIn("Café des parents", titles)
        for title in titles[:2]:
            self.assertIn("parentalité", title)  # title matches rank first
        self.assertEqual(self.titles("parentalite"), self.titles("PARENTALITÉ"))

    def test_numerique_finds_both_digital_sheets_first(self):
        titles = self.titles("numerique")
        self.assertEqual(
            set(titles[:2]),
            {
                "SERVICE COLLECTIF NUMERIQUE",
                "Accès aux droits et lutte contre la fracture numérique",
            },
        )

    def test_repair_finds_repair_cafe(self):
        result = self.search("Repair")
        # The thesaurus joins "repair" to "réparation": FAITES ENSEMBLE's budget has one.
        self.assertEqual(result.sheets[0].title, "Repair Café")
        self.assertEqual(
            {s.title for s in result.sheets}, {"Repair Café", "FAITES ENSEMBLE"}
        )  # BaseTestCase's own "Repair Café" was never announced
        self.assertIn("<mark>Repair</mark> Café", result.snippets[result.sheets[0].pk])

    def test_stemming_joins_singular_and_plural(self):
        self.assertEqual(self.search("famille").total, self.search("familles").total)

    def test_a_misspelt_keyword_is_found_with_the_right_spelling(self):
        viellissement = ActionSheet.objects.filter(keywords__value="viellissement")
        self.assertEqual(viellissement.count(), 3)
        found = set(self.search("vieillissement").sheets)
        self.assertTrue(set(viellissement) <= found)

    def test_phrases_and_exclusions(self):
        self.assertIn(
            "Accès aux droits et lutte contre la fracture numérique",
            self.titles('"fracture numérique"'),
        )
        self.assertEqual(self.titles('"numérique fracture"'), [])
        with_cafe = self.search("parents").total
        without = self.search("parents -café")
        self.assertLess(without.total, with_cafe)
        self.assertNotIn("Café des parents", [s.title for s in without.sheets])

    def test_typo_fallback(self):
        # Corrections keep their accents; "numerik" (3 edits) is beyond the distance allowed.
        for typed, corrected in (("parentalte", "parentalité"), ("numeriqe", "numérique")):
            with self.subTest(typed):
                result = self.search(typed)
                self.assertEqual(result.suggestion, corrected)
                self.assertTrue(result.corrected)
                self.assertEqual(result.total, self.search(corrected).total)

    def test_facets_count_the_sample(self):
        facets = {
            k: {v.value: v.count for v in values} for k, values in self.search().facets.items()
        }
        self.assertEqual(facets["status"], {"en-cours": 21, "terminee": 3})
        self.assertEqual(facets["keywords"]["parentalite"], 11)
        self.assertEqual(facets["year"], {})

    def test_disjunctive_counts_on_the_sample(self):
        result = self.search(keywords=("parentalite",))
        self.assertEqual(result.total, 11)
        keywords = {v.value: v.count for v in result.facets["keywords"]}
        self.assertEqual(keywords["mixite-sociale"], 9)  # not narrowed by its own facet
        both = self.search(keywords=("parentalite", "mixite-sociale")).total
        self.assertGreater(both, 11)
        status = {v.value: v.count for v in result.facets["status"]}
        self.assertEqual(sum(status.values()), 11)  # narrowed by the keyword
