"""Each chart and the map download as SVG and PNG pictures, to paste into a slide."""

import re

from essaimage.test import SAMPLE_PATH, BaseTestCase
from ingest.importer import import_paths


class FigureDownloadTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        import_paths([SAMPLE_PATH])

    def test_a_chart_is_an_svg_with_its_title_numbers_and_source(self):
        r = self.client.get("/statistiques/mots-cles.svg", {"departement": "25"})
        self.assertEqual(r["Content-Type"], "image/svg+xml")
        self.assertIn('filename="essaimage-mots-cles.svg"', r["Content-Disposition"])
        svg = r.content.decode()
        self.assertIn('xmlns="http://www.w3.org/2000/svg"', svg)
        self.assertIn('<title id="titre">Fiches par mot clé</title>', svg)
        rows = self.client.get("/statistiques/", {"departement": "25"}).context["stats"].by_keyword
        self.assertEqual(svg.count("<rect x="), len(rows))
        for row in rows:
            self.assertIn(f">{row.count}</text>", svg)
        self.assertIn("4 fiches (http://testserver/statistiques/?departement=25)", svg)
        # coordinates are never written with a French decimal comma
        self.assertIsNone(re.search(r'(?:x|y|width|height)="\d+,\d', svg))

    def test_money_is_written_in_euros(self):
        svg = self.client.get("/statistiques/financeurs.svg").content.decode()
        self.assertIn("\u00a0€</text>", svg)

    def test_png_pictures(self):
        for url in ("/statistiques/completude.png", "/statistiques/carte.png?vue=regions"):
            with self.subTest(url):
                r = self.client.get(url)
                self.assertEqual(r["Content-Type"], "image/png")
                self.assertTrue(r.content.startswith(b"\x89PNG\r\n\x1a\n"))

    def test_the_map_file_has_its_legend_and_attribution(self):
        svg = self.client.get("/statistiques/carte.svg", {"region": "27"}).content.decode()
        self.assertIn(">Fiches par département : Bourgogne-Franche-Comté</text>", svg)
        self.assertIn(">aucune fiche</text>", svg)
        self.assertIn("licence CC BY 4.0", svg)
        self.assertIsNone(re.search(r'(?:x|y|width|height|viewBox)="[-\d. ]*\d,\d', svg))

    def test_an_unknown_chart_is_a_404(self):
        self.assertEqual(self.client.get("/statistiques/inconnu.svg").status_code, 404)
        self.assertEqual(self.client.get("/statistiques/inconnu.png").status_code, 404)


class ChartLabelsTestCase(BaseTestCase):
    def test_a_long_label_is_wrapped_not_cut(self):
        from stats.charts import bar_chart
        from stats.queries import Row

        long = "Partenaires associatifs du quartier et associations de parents d'élèves réunis"
        chart = bar_chart("Titre", "Source", [Row(long, 3, 100.0)], lambda r: "3")
        [bar] = chart.bars
        self.assertEqual(" ".join(bar.lines), long)
        self.assertGreater(len(bar.lines), 1)
        self.assertNotIn("…", "".join(bar.lines))

    def test_keyword_labels_have_the_pages_capitals(self):
        from stats.charts import bar_chart
        from stats.queries import Row

        chart = bar_chart("Titre", "Source", [Row("intergénérationnel", 3, 1.0)], str)
        self.assertEqual(chart.bars[0].lines, ["Intergénérationnel"])
