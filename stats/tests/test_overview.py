from django.test import TestCase

from catalogue.models import ActionSheet, PublicationStatus
from essaimage.test import SAMPLE_PATH
from ingest.importer import import_paths
from stats.queries import catalogue_stats


class OverviewTestCase(TestCase):
    url = "/statistiques/"

    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])
        # A draft must never be counted.
        draft = ActionSheet.objects.get(title="FAITES ENSEMBLE")
        draft.publication_status = PublicationStatus.DRAFT
        draft.save()

    def test_it_counts_published_sheets_by_departement_and_keyword(self):
        stats = catalogue_stats()
        self.assertEqual(stats.total_sheets, 23)
        self.assertEqual(stats.total_structures, 18)
        doubs = next(r for r in stats.by_departement if r.code == "25")
        self.assertEqual(doubs.count, 4)
        self.assertEqual(stats.by_departement[0], doubs)  # largest first
        self.assertEqual(doubs.share, 100.0)
        parentalite = next(r for r in stats.by_keyword if r.label == "Parentalité")
        self.assertEqual(parentalite.count, 11)
        terminee = next(r for r in stats.by_status if r.label == "Terminée")
        self.assertEqual(terminee.count, 3)

    def test_the_page_shows_the_figures(self):
        r = self.client.get(self.url)
        self.assertContains(r, "Statistiques du catalogue")
        self.assertContains(r, "<strong>23</strong> fiches publiées", html=False)
        self.assertContains(r, "Doubs (25)")
        self.assertNotContains(r, "FAITES ENSEMBLE")

    def test_it_follows_the_catalogue_filters(self):
        r = self.client.get(self.url, {"departement": "25"})
        self.assertContains(r, "<strong>4</strong> fiches publiées", html=False)
        self.assertContains(r, "sélection en cours")

    def test_bad_filters_give_a_normal_page(self):
        r = self.client.get(self.url, {"departement": "999", "year": "abc"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "999")

    def test_it_uses_a_bounded_number_of_queries(self):
        with self.assertNumQueries(11):
            self.client.get(self.url)

    def test_each_row_links_to_the_same_set_in_the_catalogue(self):
        r = self.client.get(self.url)
        self.assertContains(r, 'href="/actions/?departement=25"')
        self.assertContains(r, 'href="/actions/?keywords=parentalite"')
        listing = self.client.get("/actions/", {"keywords": "parentalite"})
        self.assertContains(listing, "11 fiches")

    def test_its_figures_match_the_list_for_a_text_search(self):
        # "vieillissement" is widened to the misspelt keyword, "parentalte" is corrected.
        for q in ("vieillissement", "parentalte", "numerique"):
            listed = self.client.get("/actions/", {"q": q}).context["result"].total
            self.assertGreater(listed, 0, q)
            stats = self.client.get(self.url, {"q": q}).context["stats"]
            self.assertEqual(stats.total_sheets, listed, q)
