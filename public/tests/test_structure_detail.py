from search.tests.base import SearchTestCase


class StructureDetailTestCase(SearchTestCase):
    def setUp(self):
        self.url = self.nancy.get_absolute_url()

    def test_it_lists_the_structure_sheets_through_the_catalogue(self):
        r = self.client.get(self.url)
        self.assertContains(r, "<h1>CENTRE SOCIAL JOLIBOIS</h1>", html=True)
        self.assertContains(r, "2 fiches")
        self.assertContains(r, "SERVICE COLLECTIF NUMERIQUE")
        self.assertNotContains(r, "Soutenir la parentalité")
        self.assertContains(r, f'action="{self.url}"')

    def test_it_searches_within_the_structure(self):
        r = self.client.get(self.url, {"q": "collectif"})
        self.assertContains(r, "1 fiche")
        r = self.client.get(self.url, {"q": "parentalite"})
        self.assertContains(r, "Aucune fiche")

    def test_it_redirects_to_the_canonical_slug(self):
        r = self.client.get(f"/structures/{self.nancy.pk}-x/")
        self.assertRedirects(r, self.url, status_code=301)

    def test_it_renders_results_for_htmx(self):
        r = self.client.get(self.url, {"q": "collectif"}, headers={"HX-Request": "true"})
        self.assertNotContains(r, "<html")
        self.assertContains(r, "SERVICE COLLECTIF NUMERIQUE")
