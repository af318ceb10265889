import io
import re

from django.test import TestCase
from pypdf import PdfReader

from catalogue.models import ActionSheet, PublicationStatus
from essaimage.test import SAMPLE_PATH, BaseTestCase, make_sheet
from ingest.importer import import_paths


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeeze(text: str) -> str:
    # PDF text extraction may break lines anywhere; compare words only.
    return re.sub(r"\s+", " ", text).strip()


class SheetPdfTestCase(BaseTestCase):
    def setUp(self):
        self.url = f"/actions/{self.sheet.pk}-{self.sheet.slug}/pdf"

    def test_it_renders_the_sheet_as_pdf(self):
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertIn(f'filename="fiche-{self.sheet.pk}-repair-cafe.pdf"', r["Content-Disposition"])
        text = pdf_text(r.content)
        self.assertIn("Repair Café", text)
        self.assertIn("ADESIR - La Réunion", text)
        self.assertIn("Mots clés associés à l'action", text)
        self.assertIn("Page 1 / 1", text)

    def test_it_redirects_an_old_slug(self):
        r = self.client.get(f"/actions/{self.sheet.pk}-ancien-titre/pdf")
        self.assertRedirects(r, self.url, status_code=301, fetch_redirect_response=False)

    def test_it_hides_unpublished_sheets(self):
        draft = make_sheet(self.adesir, "Brouillon", publication_status=PublicationStatus.DRAFT)
        self.assertEqual(self.client.get(f"/actions/{draft.pk}-brouillon/pdf").status_code, 404)


class SamplePdfTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])

    def test_it_renders_every_sample_sheet(self):
        sheets = list(ActionSheet.objects.published().with_relations())
        self.assertEqual(len(sheets), 24)
        for sheet in sheets:
            with self.subTest(sheet=sheet.title):
                r = self.client.get(f"/actions/{sheet.pk}-{sheet.slug}/pdf")
                self.assertEqual(r.status_code, 200)
                self.assertGreater(len(r.content), 1000)
                text = squeeze(pdf_text(r.content))
                self.assertIn(squeeze(sheet.title), text)
                self.assertIn(squeeze(sheet.structure.name), text)
