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

    # --- Collisions: words the snowball stemmer joined to unrelated words of the sample -------

    def test_cafe_never_finds_a_sheet_only_because_it_says_caf(self):
        for q in ("café", "cafés", "CAFE"):
            with self.subTest(q):
                for sheet in self.search(q).sheets:
                    # The word, or one of its synonyms in the thesaurus ("buvette").
                    self.assertRegex(self.text_of(sheet).casefold(), r"caf[ée]|buvette|bistrot")
        caf = self.titles("CAF")
        self.assertIn("Accès aux droits et lutte contre la fracture numérique", caf)
        self.assertNotIn("Café concert, l'art est public", caf)
        self.assertEqual(caf, self.titles("caf"))
        # The expansion finds the acronym and the other way round.
        self.assertIn("CLAS Primaire", self.titles("caisse d'allocations familiales"))
        self.assertIn("Université Populaire de Parents Pays de Montbéliard", caf)

    def test_formation_is_not_a_format(self):
        reseau = "Réseau d'écoute, d'appui et d'accompagnement à la parentalité"
        self.assertNotIn(reseau, self.titles('"formation"'))  # its "Format : blog, forum" only
        self.assertIn(reseau, self.titles('"format"'))
        # Unquoted, it comes last, through a synonym ("apprentissage informatique").
        self.assertEqual(self.titles("formation")[-1], reseau)

    def test_habits_are_not_habitants(self):
        titles = self.titles("habits")
        self.assertIn("Repair Café", titles)  # vêtements, through the thesaurus
        self.assertNotIn("LIVRET D'ACCUEIL", titles)
        self.assertNotIn("FAITES ENSEMBLE", titles)

    def test_dons_are_not_donner(self):
        self.assertEqual(self.titles("dons"), ["FAITES ENSEMBLE"])  # "dons en nature"

    def test_concert_is_not_concertation(self):
        self.assertNotIn('"Changer d\'air" week-end en gite', self.titles("concert"))

    def test_marais_is_not_marie_nor_mars(self):
        self.assertEqual(self.titles("marais"), ["Repair Café"])  # CENTRE SOCIAL DES MARAIS

    # --- Relaxed matching ------------------------------------------------------------------

    def test_a_sentence_with_a_word_no_sheet_holds_lists_those_holding_the_others(self):
        result = self.search("sortie piscine en famille et en montgolfière")
        self.assertTrue(result.relaxed)
        self.assertFalse(result.corrected)
        self.assertEqual(result.sheets[0].title, '"Changer d\'air" week-end en gite')
        # A French word no sheet holds is never "corrected" into another word: named instead.
        self.assertEqual(result.missing, ("montgolfière",))
        r = self.client.get("/actions/", {"q": "sortie piscine en famille et en montgolfière"})
        self.assertContains(
            r,
            "Aucune fiche ne contient « montgolfière » : voici les fiches qui contiennent les "
            "autres mots.",
        )
        api = self.client.get(
            "/api/v1/actions", {"q": "sortie piscine en famille et en montgolfière"}
        )
        self.assertEqual(api.status_code, 200)
        self.assertEqual(
            api.json()["notices"],
            [
                "Aucune fiche ne contient « montgolfière » : voici les fiches qui contiennent "
                "les autres mots."
            ],
        )
        self.assertEqual(api.json()["results"][0]["title"], '"Changer d\'air" week-end en gite')

    def test_a_lone_french_word_no_sheet_holds_is_named_not_corrected(self):
        result = self.search("montgolfière")
        self.assertEqual((result.total, result.corrected), (0, False))
        self.assertEqual(result.missing, ("montgolfière",))
        r = self.client.get("/actions/", {"q": "montgolfière"})
        self.assertContains(r, "Aucune fiche ne contient « montgolfière »")

    def test_stop_words_never_count_as_concepts(self):
        self.assertEqual(self.titles("le des pour les repair"), self.titles("repair"))
        self.assertFalse(self.search("repair avec les").relaxed)

    def test_french_quotes_ou_and_exclusions(self):
        self.assertEqual(self.titles("« porte à porte »"), self.titles('"porte à porte"'))
        self.assertEqual(self.titles("« porte à porte »"), ["CAFE DE LA CONNAISSANCE"])
        either = set(self.titles('"handisport" OU "gîte"'))  # quoted: no synonyms
        self.assertEqual(either, {"Challenge Mix Cité", '"Changer d\'air" week-end en gite'})
        self.assertEqual(either, set(self.titles('"handisport" OR "gîte"')))
        self.assertEqual(self.titles('"handisport" OU "gîte" -piscine'), ["Challenge Mix Cité"])

    def text_of(self, sheet):
        from search.indexing import build_document

        d = build_document(sheet)
        return " ".join((d.title, d.keywords, d.structure, d.summary, d.body))
