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
