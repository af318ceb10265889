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


class FormulaInjectionTestCase(BaseTestCase):
    """A label a contributor proposed comes out of every CSV as text, never as a formula."""

    ATTACK = "=2+5+cmd|' /C calc'!A0"

    def _cells(self, name: str) -> list[str]:
        r = self.client.get(f"/statistiques/{name}.csv")
        self.assertEqual(r.status_code, 200)
        text = r.content.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]

    def test_keyword_and_partner_labels_are_neutralised(self):
        from catalogue.models import Keyword, PartnerKind

        keyword = Keyword.objects.create(label=self.ATTACK)
        partner = PartnerKind.objects.create(label="@SUM(1+1)*cmd|' /C calc'!A0")
        self.sheet.keywords.add(keyword)
        self.sheet.action_partners.add(partner)
        self.sheet.financial_partners.add(partner)
        for name in ("mots-cles", "partenaires-action", "partenaires-financiers"):
            with self.subTest(name=name):
                cells = self._cells(name)
                self.assertTrue(cells, name)
                for cell in cells:
                    self.assertFalse(cell.startswith(("=", "+", "-", "@")), (name, cell))
                label = self.ATTACK if name == "mots-cles" else partner.label
                self.assertIn("'" + label, [c.strip() for c in cells] + cells)
