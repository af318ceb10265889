from search.tests.base import SearchTestCase


class HomeTestCase(SearchTestCase):
    def test_it_welcomes_with_search_and_entry_points(self):
        r = self.client.get("/")
        self.assertContains(r, "5 fiches actions publiées")
        self.assertContains(r, 'action="/actions/"')
        self.assertContains(r, 'name="q"')
        self.assertContains(
            r, '<a href="/actions/?keywords=parentalite">Parentalité</a>', html=True
        )
        self.assertContains(r, '<a href="/departements/53/">Mayenne (53)</a>', html=True)
        self.assertContains(r, "Dernières fiches publiées")
        self.assertNotContains(r, "Brouillon parentalité")

    def test_it_uses_few_queries(self):
        with self.assertNumQueries(10):
            self.client.get("/")
