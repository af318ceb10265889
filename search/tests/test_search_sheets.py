from search.service import SheetQuery, iter_sheet_ids, iter_sheets, search_sheets
from search.tests.base import SearchTestCase


def titles(result):
    return [s.title for s in result.sheets]


class SearchSheetsTestCase(SearchTestCase):
    def search(self, **kwargs):
        page = kwargs.pop("page", 1)
        per_page = kwargs.pop("per_page", 25)
        return search_sheets(SheetQuery(**kwargs), page=page, per_page=per_page)

    def test_it_lists_published_sheets_only_by_title(self):
        result = self.search(sort="title")
        self.assertEqual(result.total, 5)
        self.assertEqual(
            titles(result),
            [
                "Accès aux droits et lutte contre la fracture numérique",
                "Café des parents",
                "Repair Café",
                "SERVICE COLLECTIF NUMERIQUE",
                "Soutenir la parentalité",
            ],
        )
        self.assertNotIn(self.draft, result.sheets)

    def test_it_ignores_accents_and_case(self):
        result = self.search(q="PARENTALITE")
        self.assertEqual(set(result.sheets), {self.parentalite, self.cafe})  # cafe: keyword

    def test_it_stems_french_words(self):
        # "parentalité" (sheet) and "parental" (query) share the stem "parental".
        self.assertIn(self.parentalite, self.search(q="parental").sheets)
        # "familles" finds "famille" keywords and "familles" in texts.
        self.assertIn(self.parentalite, self.search(q="famille").sheets)
        self.assertIn(self.service, self.search(q="familles").sheets)

    def test_it_finds_words_typed_with_or_without_accents(self):
        for q in ("numerique", "numérique", "NUMÉRIQUE"):
            result = self.search(q=q)
            self.assertEqual(set(result.sheets), {self.numerique, self.service}, q)

    def test_it_searches_structure_name_and_commune(self):
        self.assertEqual(self.search(q="jolibois").total, 2)
        self.assertEqual(titles(self.search(q="loiron")), ["Soutenir la parentalité"])

    def test_it_ranks_title_matches_first(self):
        result = self.search(q="parentalité")
        self.assertEqual(result.sort, "relevance")
        self.assertEqual(result.sheets[0], self.parentalite)

    def test_it_searches_phrases(self):
        self.assertEqual(titles(self.search(q='"aide aux devoirs"')), ["Soutenir la parentalité"])
        self.assertEqual(self.search(q='"devoirs aux aide"').total, 0)

    def test_it_excludes_words(self):
        result = self.search(q="numérique -collectif")
        self.assertEqual(result.sheets, [self.numerique])
        only_exclusion = self.search(q="-numerique")
        self.assertEqual(only_exclusion.total, 3)
        self.assertNotIn(self.service, only_exclusion.sheets)

    def test_it_supports_or(self):
        result = self.search(q="repair OR loiron")
        self.assertEqual(set(result.sheets), {self.sheet, self.parentalite})
        # No sheet holds both words: relaxed matching lists those holding one, with a notice.
        both = self.search(q="repair loiron")
        self.assertTrue(both.relaxed)
        self.assertEqual(set(both.sheets), {self.sheet, self.parentalite})

    def test_it_suggests_a_correction_when_nothing_matches(self):
        result = self.search(q="parentalte")
        self.assertEqual(result.suggestion, "parentalité")  # accents kept
        self.assertTrue(result.corrected)
        self.assertIn(self.parentalite, result.sheets)
        result = self.search(q="numeriqe")
        self.assertEqual(result.suggestion, "numérique")
        self.assertEqual(set(result.sheets), {self.numerique, self.service})

    def test_it_suggests_nothing_when_results_exist_or_nothing_is_close(self):
        self.assertIsNone(self.search(q="parentalité").suggestion)
        result = self.search(q="zzzzqqq")
        self.assertIsNone(result.suggestion)
        self.assertEqual(result.total, 0)

    def test_it_highlights_matches_in_snippets(self):
        result = self.search(q="parentalite")
        snippet = result.snippets[self.parentalite.pk]
        self.assertIn("<mark>parentalité</mark>", snippet)

    def test_it_escapes_user_text_in_snippets(self):
        result = self.search(q="samedi")
        snippet = result.snippets[self.cafe.pk]
        self.assertIn("<mark>samedi</mark>", snippet)
        # Only our <mark> tags are markup (PostgreSQL's headline drops the tags altogether).
        self.assertNotIn("<", snippet.replace("<mark>", "").replace("</mark>", ""))

    def test_it_gives_a_plain_excerpt_without_text(self):
        result = self.search()
        self.assertNotIn("<mark>", result.snippets[self.cafe.pk])
        self.assertIn("&lt;script&gt;", result.snippets[self.cafe.pk])

    def test_it_filters_by_every_vocabulary(self):
        cases = {
            "departement": (("53",), {self.parentalite}),
            "region": (("44",), {self.numerique, self.service}),
            "keywords": (("parentalite",), {self.parentalite, self.cafe}),
            "dimension": (("citoyennete",), {self.numerique, self.cafe}),
            "status": (("terminee",), {self.numerique}),
            "publics": (("familles",), {self.parentalite}),
            "territory": (("plusieurs-communes",), {self.parentalite}),
            "initiators": (("le-centre-social",), {self.parentalite}),
            "action_partners": (("caf",), {self.parentalite, self.numerique}),
            "financial_partners": (("caf",), {self.parentalite}),
            "structure": ((self.nancy.pk,), {self.numerique, self.service}),
            "structure_type": (("evs",), {self.parentalite}),
            "year": ((2019, 2021), {self.parentalite, self.service}),
        }
        for name, (values, expected) in cases.items():
            with self.subTest(name):
                self.assertEqual(set(self.search(**{name: values}).sheets), expected)

    def test_it_filters_by_year_range(self):
        self.assertEqual(set(self.search(year_min=2020).sheets), {self.numerique, self.service})
        self.assertEqual(set(self.search(year_max=2020).sheets), {self.parentalite, self.numerique})
        self.assertEqual(self.search(year_min=2020, year_max=2020).sheets, [self.numerique])

    def test_it_combines_values_of_one_facet_with_or_and_facets_with_and(self):
        result = self.search(keywords=("parentalite", "precarite"))
        self.assertEqual(result.total, 4)
        result = self.search(keywords=("parentalite", "precarite"), departement=("54",))
        self.assertEqual(set(result.sheets), {self.numerique, self.service})

    def test_it_combines_text_and_filters(self):
        result = self.search(q="numérique", status=("en-cours",))
        self.assertEqual(result.sheets, [self.service])

    def test_it_counts_facets(self):
        result = self.search()
        keywords = {v.value: v.count for v in result.facets["keywords"]}
        self.assertEqual(keywords["parentalite"], 2)
        self.assertEqual(keywords["precarite"], 2)
        self.assertEqual(keywords["famille"], 2)
        self.assertNotIn("logement", keywords)  # empty values are hidden
        departements = {v.value: v.label for v in result.facets["departement"]}
        self.assertEqual(departements["53"], "Mayenne (53)")

    def test_it_counts_facets_disjunctively(self):
        result = self.search(keywords=("parentalite",))
        keywords = {v.value: (v.count, v.selected) for v in result.facets["keywords"]}
        # The facet's own selection does not shrink its other values...
        self.assertEqual(keywords["precarite"], (2, False))
        self.assertEqual(keywords["parentalite"], (2, True))
        # ...other facets count within the selection.
        dimensions = {v.value: v.count for v in result.facets["dimension"]}
        self.assertEqual(dimensions, {"services": 1, "citoyennete": 1})

    def test_it_keeps_selected_values_without_results(self):
        result = self.search(keywords=("logement",))
        self.assertEqual(result.total, 0)
        selected = [v for v in result.facets["keywords"] if v.selected]
        self.assertEqual(
            [(v.value, v.label, v.count) for v in selected], [("logement", "Logement", 0)]
        )

    def test_it_gives_toggle_urls(self):
        result = self.search(q="café", keywords=("parentalite",))
        values = {v.value: v.toggle_url for v in result.facets["keywords"]}
        self.assertEqual(values["parentalite"], "/actions/?q=caf%C3%A9")
        self.assertEqual(
            values["intergenerationnel"],
            "/actions/?q=caf%C3%A9&keywords=parentalite&keywords=intergenerationnel",
        )

    def test_it_sorts(self):
        self.assertEqual(
            [s.structure.departement_id for s in self.search(sort="departement").sheets],
            ["35", "53", "54", "54", "974"],
        )
        self.assertEqual(
            [s.year for s in self.search(sort="year").sheets], [2021, 2020, 2019, None, None]
        )
        self.assertEqual(self.search(sort="title").sheets[0], self.numerique)
        # Without words, the default and relevance are the most recent actions first.
        self.assertEqual(self.search(sort="relevance").sort, "year")
        self.assertEqual(self.search().sheets, self.search(sort="year").sheets)

    def test_it_sorts_by_most_recent(self):
        from django.utils import timezone

        type(self.sheet).objects.filter(pk=self.cafe.pk).update(published_at=timezone.now())
        self.assertEqual(self.search(sort="recent").sheets[0], self.cafe)

    def test_it_paginates(self):
        result = self.search(per_page=2, page=2)
        self.assertEqual((result.page, result.num_pages, result.total), (2, 3, 5))
        self.assertEqual(len(result.sheets), 2)
        self.assertEqual((result.start_index, result.end_index), (3, 4))
        self.assertEqual(result.next_url, "/actions/?page=3&page_size=2")

    def test_it_clamps_pages_out_of_range(self):
        result = self.search(per_page=2, page=9999)
        self.assertEqual(result.page, 3)
        self.assertTrue(result.page_out_of_range)
        self.assertEqual(len(result.sheets), 1)
        empty = self.search(q="zzzzqqq", page=5)
        self.assertEqual((empty.page, empty.num_pages, empty.sheets), (1, 1, []))

    def test_it_returns_everything_without_per_page(self):
        result = self.search(per_page=None)
        self.assertEqual(len(result.sheets), 5)

    def test_it_iterates_every_match_in_order(self):
        query = SheetQuery(q="numérique", sort="title")
        self.assertEqual(list(iter_sheet_ids(query)), [self.numerique.pk, self.service.pk])
        self.assertEqual(list(iter_sheets(query, chunk_size=1)), [self.numerique, self.service])

    def test_it_iterates_matches_by_relevance(self):
        query = SheetQuery(q="parentalité")
        self.assertEqual(list(iter_sheet_ids(query)), [s.pk for s in search_sheets(query).sheets])

    def test_exports_and_statistics_follow_the_typo_correction(self):
        from search.service import filtered_sheets

        query = SheetQuery(q="numeriqe", sort="title")
        shown = [s.pk for s in search_sheets(query).sheets]
        self.assertEqual(shown, [self.numerique.pk, self.service.pk])
        self.assertEqual(list(iter_sheet_ids(query)), shown)
        self.assertEqual(set(filtered_sheets(query).values_list("pk", flat=True)), set(shown))
