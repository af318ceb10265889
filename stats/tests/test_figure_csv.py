import csv
import io

from catalogue.models import ActionSheet
from essaimage.test import SAMPLE_PATH, BaseTestCase
from ingest.importer import import_paths


class FigureCsvTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        import_paths([SAMPLE_PATH])

    def _rows(self, name: str, params=None) -> list[list[str]]:
        r = self.client.get(f"/statistiques/{name}.csv", params or {})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn(f'filename="essaimage-{name}.csv"', r["Content-Disposition"])
        text = r.content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))

    def test_each_chart_gives_the_rows_of_the_page(self):
        page = self.client.get("/statistiques/", {"departement": "25"}).context
        rows = self._rows("mots-cles", {"departement": "25"})
        self.assertEqual(rows[0], ["Mot clé", "Fiches"])
        self.assertEqual(
            rows[1:], [[row.label, str(row.count)] for row in page["stats"].by_keyword]
        )

    def test_completeness_has_percentages(self):
        rows = self._rows("completude")
        self.assertEqual(rows[0], ["Champ", "Fiches qui le remplissent", "Part (%)"])
        summary = next(row for row in rows if row[0] == "Résumé")
        published = ActionSheet.objects.published()
        filled = published.exclude(summary="").count()
        self.assertEqual(summary[1], str(filled))
        self.assertEqual(summary[2], f"{100 * filled / published.count():.1f}".replace(".", ","))

    def test_an_unknown_chart_is_a_404(self):
        self.assertEqual(self.client.get("/statistiques/inconnu.csv").status_code, 404)
