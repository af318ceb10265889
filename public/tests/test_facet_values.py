from catalogue.models import Structure
from essaimage.test import make_sheet, make_structure
from search.tests.base import SearchTestCase


class FacetValuesTestCase(SearchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for number in range(12):
            make_sheet(
                make_structure(f"Centre social n° {number:02d}", dep="35"), f"Action {number}"
            )

    def test_the_sidebar_shortens_structures_and_links_to_every_value(self):
        r = self.client.get("/actions/")
        self.assertContains(r, 'href="/actions/filtres/structure/?')
        r = self.client.get("/actions/filtres/structure/", {"departement": "35"})
        self.assertEqual(r.status_code, 200)
        names = Structure.objects.filter(
            departement_id="35", sheets__publication_status="published"
        ).distinct()
        for structure in names:
            self.assertContains(r, f"?departement=35&amp;structure={structure.pk}")
        self.assertContains(r, "(1 fiche)")
        self.assertNotContains(r, "Meurthe-et-Moselle")

    def test_it_answers_unknown_facets_with_a_404(self):
        self.assertEqual(self.client.get("/actions/filtres/nope/").status_code, 404)
