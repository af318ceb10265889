"""/actions/export.csv|.xlsx|.json|.jsonl|.pdf and /actions/feed.atom: the catalogue's filters."""

import io
import json
from xml.etree import ElementTree

from django.test import TestCase, override_settings
from openpyxl import load_workbook
from pypdf import PdfReader

from catalogue import exports
from catalogue.models import ActionSheet, PublicationStatus, Structure
from contrib.models import User
from essaimage.lib import limits
from essaimage.test import SAMPLE_PATH, make_sheet
from ingest.importer import import_paths

ATOM = "{http://www.w3.org/2005/Atom}"


def csv_ids(response) -> list[int]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return [int(row["id"]) for row in exports.read_csv(text)]


class ExportViewsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])
        cls.sheet = ActionSheet.objects.with_relations().get(title="Repair Café")
        cls.draft = make_sheet(
            cls.sheet.structure, "Brouillon invisible", publication_status=PublicationStatus.DRAFT
        )

    def published_ids(self, **filters) -> list[int]:
        qs = ActionSheet.objects.published().filter(**filters)
        return sorted(qs.values_list("pk", flat=True))

    def test_it_exports_every_published_sheet_as_csv(self):
        r = self.client.get("/actions/export.csv")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('attachment; filename="fiches-actions-', r["Content-Disposition"])
        self.assertEqual(sorted(csv_ids(r)), self.published_ids())
        self.assertNotIn(self.draft.pk, csv_ids(self.client.get("/actions/export.csv")))

    def test_it_applies_the_filters(self):
        code = self.sheet.structure.departement_id
        r = self.client.get(f"/actions/export.csv?departement={code}")
        self.assertEqual(sorted(csv_ids(r)), self.published_ids(structure__departement=code))
        self.assertLess(
            len(csv_ids(self.client.get(f"/actions/export.csv?departement={code}"))), 24
        )

    def test_it_exports_a_text_search_in_relevance_order(self):
        api = self.client.get("/api/v1/actions?q=repair&page_size=100").json()
        ids = csv_ids(self.client.get("/actions/export.csv?q=repair"))
        self.assertEqual(ids, [r["id"] for r in api["results"]])
        self.assertEqual(ids[0], self.sheet.pk)

    def test_it_ignores_pagination(self):
        r = self.client.get("/actions/export.csv?page=2&page_size=10")
        self.assertEqual(len(csv_ids(r)), 24)

    def test_it_ignores_invalid_filters_like_the_page(self):
        r = self.client.get("/actions/export.csv?departement=999&year=abc")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(len(csv_ids(r)), 24)

    def test_it_drops_nul_characters(self):
        r = self.client.get("/actions/export.csv?dimension=a%00b&departement=%00")
        self.assertEqual(len(csv_ids(r)), 24)

    @override_settings(EXPORT_MAX_SHEETS=5)
    def test_it_caps_exports_by_a_setting(self):
        self.assertEqual(len(csv_ids(self.client.get("/actions/export.csv"))), 5)

    def test_it_exports_xlsx(self):
        r = self.client.get("/actions/export.xlsx")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(
            r["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        workbook = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
        rows = list(workbook.active.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "Identifiant")
        self.assertEqual(sorted(row[0] for row in rows[1:]), self.published_ids())

    def test_it_neutralises_formulas_of_the_sample_in_csv(self):
        r = self.client.get("/actions/export.csv")
        rows = exports.read_csv(b"".join(r.streaming_content).decode("utf-8"))
        cells = [value for row in rows for value in row.values()]
        self.assertEqual([c for c in cells if c.startswith(exports.FORMULA_TRIGGERS)], [])
        neutralised = [
            c for c in cells if c[:1] == "'" and c[1:].startswith(exports.FORMULA_TRIGGERS)
        ]
        self.assertEqual(len(neutralised), 17)

    def test_it_keeps_formulas_of_the_sample_as_text_in_xlsx(self):
        r = self.client.get("/actions/export.xlsx")
        workbook = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
        cells = [cell for row in workbook.active.iter_rows(min_row=2) for cell in row]
        risky = [
            c
            for c in cells
            if isinstance(c.value, str) and c.value.startswith(exports.FORMULA_TRIGGERS)
        ]
        self.assertEqual(len(risky), 17)
        self.assertEqual({c.data_type for c in risky}, {"s"})  # text, never "f" (formula)

    def test_it_exports_json_and_jsonl_records(self):
        r = self.client.get("/actions/export.json")
        self.assertEqual(r["Content-Type"], "application/json; charset=utf-8")
        records = json.loads(b"".join(r.streaming_content))
        self.assertEqual(sorted(rec["id"] for rec in records), self.published_ids())
        repair = next(rec for rec in records if rec["id"] == self.sheet.pk)
        self.assertEqual(repair["title"], "Repair Café")
        r = self.client.get("/actions/export.jsonl")
        lines = b"".join(r.streaming_content).decode().splitlines()
        self.assertEqual([json.loads(line)["id"] for line in lines], [rec["id"] for rec in records])

    def test_it_follows_the_page_order(self):
        by_title = csv_ids(self.client.get("/actions/export.csv?sort=title"))
        by_year = csv_ids(self.client.get("/actions/export.csv?sort=departement"))
        self.assertEqual(sorted(by_title), sorted(by_year))
        self.assertNotEqual(by_title, by_year)

    def test_it_exports_a_pdf_booklet_with_the_filters_on_the_cover(self):
        code = self.sheet.structure.departement_id
        r = self.client.get(f"/actions/export.pdf?departement={code}")
        self.assertEqual(r["Content-Type"], "application/pdf")
        reader = PdfReader(io.BytesIO(r.content))
        count = len(self.published_ids(structure__departement=code))
        cover = reader.pages[0].extract_text()
        self.assertIn(self.sheet.structure.departement.name, cover)
        self.assertIn(f"{count} fiche", cover)
        self.assertIn("Sommaire", reader.pages[1].extract_text())
        self.assertGreaterEqual(len(reader.pages), count + 2)

    @override_settings(EXPORT_PDF_MAX_SHEETS=2)
    def test_it_caps_the_booklet_and_says_so(self):
        r = self.client.get("/actions/export.pdf")
        reader = PdfReader(io.BytesIO(r.content))
        self.assertIn("les 2 premières des 24 fiches", reader.pages[0].extract_text())
        self.assertGreaterEqual(len(reader.pages), 4)  # cover, contents, two sheets (or more pages)

    def test_it_serves_an_atom_feed_of_the_view(self):
        code = self.sheet.structure.departement_id
        r = self.client.get(f"/actions/feed.atom?departement={code}")
        self.assertEqual(r["Content-Type"], "application/atom+xml; charset=utf-8")
        feed = ElementTree.fromstring(r.content)
        titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
        expected = ActionSheet.objects.published().filter(structure__departement=code)
        self.assertEqual(sorted(titles), sorted(expected.values_list("title", flat=True)))
        self.assertIn("Département", feed.find(f"{ATOM}title").text)
        self.assertNotIn("Brouillon invisible", r.content.decode())

    @override_settings(FEED_MAX_ENTRIES=3)
    def test_it_lists_the_newest_publications_first(self):
        newest = make_sheet(self.sheet.structure, "Toute nouvelle fiche")
        ActionSheet.objects.filter(pk=newest.pk).update(published_at="2100-01-01T00:00:00Z")
        feed = ElementTree.fromstring(self.client.get("/actions/feed.atom").content)
        entries = feed.findall(f"{ATOM}entry")
        self.assertEqual(len(entries), 3)
        self.assertEqual(entries[0].find(f"{ATOM}title").text, "Toute nouvelle fiche")

    def test_it_rejects_post(self):
        self.assertEqual(self.client.post("/actions/export.csv").status_code, 405)


class ExportLinksTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])

    def test_it_offers_export_links_with_the_current_filters(self):
        sheet = ActionSheet.objects.get(title="Repair Café")
        code = sheet.structure.departement_id
        r = self.client.get(f"/actions/?departement={code}")
        self.assertContains(r, f'href="/actions/export.csv?departement={code}"')
        self.assertContains(r, f'href="/actions/export.xlsx?departement={code}"')
        self.assertContains(r, f'href="/actions/export.pdf?departement={code}"')
        self.assertContains(r, f'href="/actions/feed.atom?departement={code}"')
        r = self.client.get(f"/actions/?departement={code}", headers={"HX-Request": "true"})
        self.assertContains(r, f'href="/actions/export.json?departement={code}"')

    def test_it_links_the_pdf_from_the_sheet_page(self):
        sheet = ActionSheet.objects.get(title="Repair Café")
        r = self.client.get(sheet.get_absolute_url())
        self.assertContains(r, f'href="/actions/{sheet.pk}-{sheet.slug}/pdf"')


class ExportLimitsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_sheet(
            Structure.objects.create(name="ADESIR", departement_id="974"), "Repair Café"
        )
        cls.user = User.objects.create_user("alice@example.org", "mot-de-passe-solide-42")

    @override_settings(EXPORT_ANON_RATE="2/hour")
    def test_it_limits_anonymous_exports_per_address(self):
        for url in ("/actions/export.csv", "/actions/export.json"):
            self.assertEqual(self.client.get(url).status_code, 200)
        r = self.client.get("/actions/export.jsonl")
        self.assertContains(r, "Trop d&#x27;exports ont été demandés", status_code=429)
        self.assertContains(r, "Réessayez dans", status_code=429)
        self.assertGreater(int(r["Retry-After"]), 0)
        self.assertEqual(
            self.client.get(r.request["PATH_INFO"], REMOTE_ADDR="198.51.100.7").status_code, 200
        )
        self.client.force_login(self.user)
        self.assertEqual(self.client.get("/actions/export.jsonl").status_code, 200)

    def test_a_client_runs_one_heavy_export_at_a_time(self):
        # Another request of this client is building a booklet.
        with limits.slot("export-heavy", "127.0.0.1", per_client=1, total=2, timeout=60):
            r = self.client.get("/actions/export.xlsx")
            self.assertContains(r, "encore en préparation", status_code=429)
            self.assertEqual(int(r["Retry-After"]), 30)
            r = self.client.get("/actions/export.xlsx", REMOTE_ADDR="198.51.100.7")
            self.assertEqual(r.status_code, 200)
        self.assertEqual(self.client.get("/actions/export.xlsx").status_code, 200)

    @override_settings(EXPORT_HEAVY_MAX=2)
    def test_the_server_runs_a_bounded_number_of_heavy_exports(self):
        with (
            limits.slot("export-heavy", "192.0.2.1", per_client=1, total=2, timeout=60),
            limits.slot("export-heavy", "192.0.2.2", per_client=1, total=2, timeout=60),
        ):
            r = self.client.get("/actions/export.pdf")
            self.assertContains(r, "prépare déjà plusieurs exports", status_code=429)
            # Light exports stream on.
            self.assertEqual(self.client.get("/actions/export.csv").status_code, 200)
