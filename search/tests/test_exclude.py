"""SheetQuery.exclude (a portal's excluded sheets): never listed, never counted, on the database
engine and the memory engine alike, with or without text; the query string does not carry it."""

from django.http import QueryDict
from django.test import override_settings

from catalogue.models import ActionSheet
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet, make_structure
from search.forms import SearchForm
from search.service import SheetQuery, search_sheets


class ExcludeTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        structure = make_structure("CENTRE SOCIAL DU PARC", dep="53")
        cls.kept = make_sheet(structure, "Jardin partagé", summary="Un jardin au pied des tours.")
        cls.hidden = make_sheet(structure, "Jardin caché", summary="Un jardin dans la cour.")
        sheets_changed.send(
            sender=None, sheet_ids=list(ActionSheet.objects.values_list("pk", flat=True))
        )

    def found(self, query, fast):
        with override_settings(SEARCH_FAST_PATH_BACKGROUND=False):
            result = search_sheets(query, per_page=50, fast=fast)
        counts = {v.value: v.count for v in result.facets["departement"]}
        return [s.title for s in result.sheets], result.total, counts.get("53")

    def test_an_excluded_sheet_is_neither_listed_nor_counted_on_both_engines(self):
        for q in ("jardin", ""):
            query = SheetQuery(q=q, departement=("53",), exclude=(self.hidden.pk,))
            for fast in (False, True):
                with self.subTest(q=q, fast=fast):
                    titles, total, facet = self.found(query, fast)
                    self.assertEqual(titles, ["Jardin partagé"])
                    self.assertEqual((total, facet), (1, 1))

    def test_the_form_reads_it_and_urls_do_not_carry_it(self):
        form = SearchForm(QueryDict(f"q=jardin&exclude={self.hidden.pk}&exclude=abc"))
        form.is_valid()
        query = form.to_query()
        self.assertEqual(query.exclude, (self.hidden.pk,))
        self.assertIn("Fiche inconnue : « abc »", " ".join(form.error_messages()))
        self.assertEqual(query.querystring(), "q=jardin")
