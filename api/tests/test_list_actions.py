from django.core.cache import cache
from django.test import TestCase

from catalogue.models import ActionSheet, Keyword, PublicationStatus
from catalogue.records import sheet_record
from essaimage.test import SAMPLE_PATH, make_sheet
from ingest.importer import import_paths


class ListActionsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])
        cls.repair = ActionSheet.objects.get(title="Repair Café")
        cls.draft = make_sheet(
            cls.repair.structure, "Brouillon invisible", publication_status=PublicationStatus.DRAFT
        )

    def setUp(self):
        cache.clear()
        self.url = "/api/v1/actions"

    def test_it_lists_published_sheets_with_facets(self):
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        data = r.json()
        self.assertEqual(data["count"], 24)
        self.assertEqual((data["page"], data["page_size"], data["num_pages"]), (1, 25, 1))
        self.assertEqual(len(data["results"]), 24)
        self.assertNotIn(self.draft.pk, [rec["id"] for rec in data["results"]])
        self.assertIn("keywords", data["facets"])
        value = data["facets"]["departement"][0]
        self.assertEqual(set(value), {"value", "label", "count", "selected"})
        self.assertFalse(value["selected"])

    def test_it_returns_canonical_records(self):
        data = self.client.get(self.url).json()
        record = next(rec for rec in data["results"] if rec["id"] == self.repair.pk)
        expected = sheet_record(ActionSheet.objects.with_relations().get(pk=self.repair.pk))
        self.assertEqual({k: v for k, v in record.items() if k != "snippet"}, expected)

    def test_it_paginates_up_to_100(self):
        data = self.client.get(self.url + "?page_size=10&page=3").json()
        self.assertEqual((data["count"], data["page"], data["num_pages"]), (24, 3, 3))
        self.assertEqual(len(data["results"]), 4)
        r = self.client.get(self.url + "?page_size=101")
        self.assertEqual(r.status_code, 422)
        self.assertEqual(r.json()["errors"][0]["parameter"], "page_size")
        self.assertEqual(r.json()["errors"][0]["message"], "doit être inférieur ou égal à 100")
        data = self.client.get(self.url + "?page_size=7").json()
        self.assertEqual((data["page_size"], len(data["results"])), (7, 7))

    def test_it_filters_like_the_catalogue(self):
        code = self.repair.structure.departement_id
        data = self.client.get(f"{self.url}?departement={code}").json()
        expected = ActionSheet.objects.published().filter(structure__departement=code)
        self.assertEqual(sorted(r["id"] for r in data["results"]), sorted(e.pk for e in expected))
        selected = [v for v in data["facets"]["departement"] if v["selected"]]
        self.assertEqual([v["value"] for v in selected], [code])

    def test_it_filters_by_several_keywords(self):
        values = list(
            Keyword.objects.filter(sheets__isnull=False)
            .values_list("value", flat=True)
            .distinct()[:2]
        )
        data = self.client.get(self.url, {"keywords": values}).json()
        expected = ActionSheet.objects.published().filter(keywords__value__in=values).distinct()
        self.assertEqual(data["count"], expected.count())

    def test_it_searches_text_with_snippets(self):
        data = self.client.get(self.url + "?q=repair").json()
        self.assertGreaterEqual(data["count"], 1)
        first = data["results"][0]
        self.assertEqual(first["title"], "Repair Café")
        self.assertIn("<mark>", first["snippet"] or "")
        # Without q, no snippet key is filled.
        self.assertIsNone(self.client.get(self.url).json()["results"][0].get("snippet"))

    def test_it_rejects_unknown_filter_values_in_french(self):
        r = self.client.get(self.url + "?departement=999&keywords=rien")
        self.assertEqual(r.status_code, 400)
        errors = {e["parameter"]: e["message"] for e in r.json()["errors"]}
        self.assertIn("« 999 »", errors["departement"])
        self.assertIn("« rien »", errors["keywords"])
        self.assertIn("Paramètre « departement » invalide", r.json()["detail"])

    def test_it_rejects_bad_years_and_sorts(self):
        r = self.client.get(self.url + "?year_min=abc")
        self.assertEqual(r.status_code, 422)
        self.assertEqual(
            r.json()["errors"], [{"parameter": "year_min", "message": "doit être un nombre entier"}]
        )
        r = self.client.get(self.url + "?sort=nimporte")
        self.assertEqual(r.status_code, 400)
        self.assertIn("Tri inconnu", r.json()["errors"][0]["message"])

    def test_it_rejects_nul_characters(self):
        r = self.client.get(self.url + "?dimension=a%00b")
        self.assertEqual(r.status_code, 400)
        self.assertEqual(
            r.json()["errors"][0],
            {"parameter": "dimension", "message": "contient un caractère nul"},
        )

    def test_it_never_fails_on_hostile_text(self):
        for q in ['"', "'", "*", "AND OR NOT", "(", "é" * 200, "\\", "NEAR(", "-", "%"]:
            r = self.client.get(self.url, {"q": q})
            self.assertIn(r.status_code, (200, 422), q)

    def test_it_makes_a_bounded_number_of_queries(self):
        self.client.get(self.url + "?page_size=5")
        with self.assertNumQueries(self._queries_for(5)):
            self.client.get(self.url + "?page_size=5&page=2")
        with self.assertNumQueries(self._queries_for(5)):
            self.client.get(self.url + "?page_size=100")

    def _queries_for(self, _size):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            self.client.get(self.url + "?page_size=10")
        return len(ctx.captured_queries)
