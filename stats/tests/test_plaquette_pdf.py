"""The two-page A4 "plaquette" of a selection (WeasyPrint)."""

import io

from pypdf import PdfReader

from essaimage.test import SAMPLE_PATH, BaseTestCase
from ingest.importer import import_paths


class PlaquettePdfTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        import_paths([SAMPLE_PATH])

    def test_it_gives_two_a4_pages_with_the_key_figures_map_and_charts(self):
        r = self.client.get("/statistiques/plaquette.pdf", {"region": "27"})
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertIn('filename="plaquette-essaimage.pdf"', r["Content-Disposition"])
        pdf = PdfReader(io.BytesIO(r.content))
        self.assertEqual(len(pdf.pages), 2)
        box = pdf.pages[0].mediabox
        self.assertEqual((round(box.width), round(box.height)), (595, 842))  # A4 in points
        first, second = (page.extract_text() for page in pdf.pages)
        total = self.client.get("/statistiques/", {"region": "27"}).context["stats"].total_sheets
        self.assertIn("Sélection : Région : Bourgogne-Franche-Comté", first)
        self.assertIn(f"{total} fiches", first)
        self.assertIn("Fiches par département : Bourgogne-Franche-Comté", first)
        self.assertIn("licence CC BY 4.0", first)
        self.assertIn("Fiches par mot clé", second)
        self.assertIn("Complétude des fiches", second)

    def test_the_page_links_to_it_with_the_selection(self):
        r = self.client.get("/statistiques/", {"departement": "25"})
        self.assertContains(r, 'href="/statistiques/plaquette.pdf?departement=25"')

    def test_the_second_page_uses_its_width(self):
        r = self.client.get("/statistiques/plaquette.pdf")
        page = PdfReader(io.BytesIO(r.content)).pages[1]
        xs = []

        def visit(text, cm, tm, font, size):
            if text.strip():
                xs.append(tm[4] * cm[0] + cm[4])

        page.extract_text(visitor_text=visit)
        width = float(page.mediabox.width)
        # Charts in two columns: some text starts in the right half of the page.
        self.assertTrue(any(x > width / 2 for x in xs), max(xs, default=0))
