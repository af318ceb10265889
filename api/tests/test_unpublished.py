"""Unpublished sheets are invisible through every public route of the API and the exports."""

import io

from django.core.cache import cache
from openpyxl import load_workbook
from pypdf import PdfReader

from catalogue.models import PublicationStatus
from essaimage.test import BaseTestCase, make_sheet, make_structure

SECRET = "Fiche confidentielle"


class UnpublishedTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.hidden = make_structure("Structure sans fiche publiée", dep="13")
        cls.drafts = [
            make_sheet(structure, f"{SECRET} {status}", publication_status=status)
            for structure in (cls.adesir, cls.hidden)
            for status in (
                PublicationStatus.DRAFT,
                PublicationStatus.SUBMITTED,
                PublicationStatus.RETURNED,
                PublicationStatus.ARCHIVED,
            )
        ]

    def setUp(self):
        cache.clear()

    def body(self, url) -> str:
        r = self.client.get(url)
        self.assertEqual(r.status_code, 200, url)
        content = b"".join(r.streaming_content) if r.streaming else r.content
        if url.endswith(".xlsx"):
            rows = load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
            return "\n".join(str(cell) for row in rows for cell in row)
        if ".pdf" in url or url.endswith("/pdf"):
            return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
        return content.decode("utf-8")

    def test_it_hides_them_everywhere(self):
        urls = [
            "/api/v1/actions",
            "/api/v1/actions?q=confidentielle",
            f"/api/v1/structures/{self.adesir.pk}",
            "/api/v1/structures",
            "/api/v1/structures.di.json",
            "/actions/export.csv",
            "/actions/export.xlsx",
            "/actions/export.json",
            "/actions/export.jsonl",
            "/actions/export.pdf",
            "/actions/feed.atom",
            "/actions/?q=confidentielle",
        ]
        for url in urls:
            with self.subTest(url=url):
                body = self.body(url)
                self.assertNotIn(SECRET, body)
                self.assertNotIn("Structure sans fiche", body)
        for sheet in self.drafts:
            for url in (f"/api/v1/actions/{sheet.pk}", f"/actions/{sheet.pk}-{sheet.slug}/pdf"):
                self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.get(f"/api/v1/structures/{self.hidden.pk}").status_code, 404)

    def test_it_counts_only_published_sheets(self):
        departements = {d["code"]: d for d in self.client.get("/api/v1/departements").json()}
        self.assertEqual(departements["974"]["sheet_count"], 1)
        self.assertEqual(departements["13"]["sheet_count"], 0)
