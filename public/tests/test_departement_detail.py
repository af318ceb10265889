import csv
import io

from search.tests.base import SearchTestCase


class DepartementDetailTestCase(SearchTestCase):
    def test_it_lists_the_departement_sheets(self):
        r = self.client.get("/departements/54/")
        self.assertContains(r, "<h1>Meurthe-et-Moselle (54)</h1>", html=True)
        self.assertContains(r, "Région Grand Est")
        self.assertContains(r, "2 fiches")
        self.assertNotContains(r, "Soutenir la parentalité")

    def test_it_accepts_lower_case_codes(self):
        r = self.client.get("/departements/2a/")
        self.assertContains(r, "Corse-du-Sud (2A)")
        self.assertContains(r, "Aucune fiche")

    def test_it_answers_unknown_codes_with_a_french_404(self):
        r = self.client.get("/departements/999/")
        self.assertContains(r, "Page introuvable", status_code=404)

    def test_its_export_links_hold_the_departement_sheets_only(self):
        r = self.client.get("/departements/54/")
        self.assertContains(r, 'href="/actions/export.csv?departement=54"')
        response = self.client.get("/actions/export.csv?departement=54")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
        listed = [sheet.title for sheet in r.context["result"].sheets]
        self.assertEqual([row[1] for row in rows[1:]], listed)
        self.assertIn("Accès aux droits et lutte contre la fracture numérique", listed)
        self.assertEqual(len(listed), 2)
        self.assertEqual(self.client.get("/actions/").context["result"].total, 5)
