from django.urls import reverse

from portals.models import PortalVisit
from portals.tests.helpers import PortalTestCase


class PortalCatalogueTestCase(PortalTestCase):
    def setUp(self):
        self.url = "/portails/ille-et-vilaine/"

    def test_it_shows_the_selection_in_the_portal_frame(self):
        r = self.client.get(self.url)
        self.assertContains(r, "<h1>Les actions d&#x27;Ille-et-Vilaine</h1>", html=False)
        self.assertContains(r, "<strong>portail</strong>")
        self.assertContains(r, 'class="portal-banner"')
        self.assertContains(r, "/portails/ille-et-vilaine/couleurs.css")
        self.assertContains(r, "Jardin partagé des Marais")
        self.assertContains(r, "Goûter des familles")
        self.assertNotContains(r, "Repair Café")  # La Réunion: outside the selection
        self.assertNotContains(r, "Brouillon des Marais")

    def test_it_never_shows_excluded_sheets(self):
        r = self.client.get(self.url)
        self.assertNotContains(r, "Action à ne pas montrer")
        self.assertEqual(r.context["result"].total, 2)
        r = self.client.get(self.url, {"q": "montrer"})
        self.assertNotContains(r, "Action à ne pas montrer")

    def test_excluded_sheets_stay_out_of_exports_feeds_statistics_and_counts(self):
        # The exclusion is part of the one search (SheetQuery.exclude): every page reading the
        # portal's query string leaves the sheet out, not only the list.
        for path in ("actions/export.csv", "actions/export.json", "statistiques/"):
            with self.subTest(path):
                r = self.client.get(self.url + path)
                self.assertEqual(r.status_code, 200)
                body = b"".join(r.streaming_content) if r.streaming else r.content
                self.assertNotIn("Action à ne pas montrer", body.decode())
                self.assertIn(
                    "Jardin partagé des Marais", body.decode()
                ) if "export" in path else None
        r = self.client.get(self.url, {"q": "montrer"})
        self.assertEqual(r.context["result"].total, 0)
        # Outside the portal the sheet is listed as usual.
        r = self.client.get("/actions/", {"q": "montrer"})
        self.assertContains(r, "Action à ne pas montrer")

    def test_it_puts_highlighted_sheets_first(self):
        r = self.client.get(self.url)
        titles = [s.title for s in r.context["result"].sheets]
        self.assertEqual(titles, ["Jardin partagé des Marais", "Goûter des familles"])
        self.portal.highlighted.set([self.gouter])
        r = self.client.get(self.url)
        titles = [s.title for s in r.context["result"].sheets]
        self.assertEqual(titles, ["Goûter des familles", "Jardin partagé des Marais"])

    def test_visitors_cannot_widen_the_selection(self):
        r = self.client.get(self.url, {"departement": "974"})
        self.assertNotContains(r, "Repair Café")
        self.assertContains(r, "Jardin partagé des Marais")

    def test_its_links_stay_inside_the_portal(self):
        r = self.client.get(self.url)
        self.assertContains(r, f'href="/portails/ille-et-vilaine{self.jardin.get_absolute_url()}')
        self.assertContains(r, 'href="/portails/ille-et-vilaine/actions/export.csv?departement=35')
        self.assertContains(r, 'href="/portails/ille-et-vilaine/statistiques/"')
        # The prefix does not leak into the next request's addresses.
        self.assertEqual(reverse("catalogue:sheet-list"), "/actions/")

    def test_it_renders_the_results_alone_for_htmx(self):
        r = self.client.get(self.url, {"q": "jardin"}, headers={"HX-Request": "true"})
        self.assertNotContains(r, "<html")
        self.assertContains(r, "Jardin partagé des Marais")

    def test_it_counts_visits_without_cookies(self):
        self.client.get(self.url)
        r = self.client.get(self.url + "actions/")
        self.assertEqual(r.status_code, 200)
        visits = PortalVisit.objects.get(portal=self.portal, kind="portal")
        self.assertEqual(visits.count, 2)
        self.assertNotIn("Set-Cookie", r.headers)

    def test_it_escapes_the_introduction(self):
        self.portal.introduction = "<script>alert(1)</script> [x](javascript:alert(1))"
        self.portal.save()
        r = self.client.get(self.url)
        self.assertNotContains(r, "<script>alert(1)")
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertNotContains(r, 'href="javascript:')

    def test_it_answers_404_for_an_unknown_portal(self):
        r = self.client.get("/portails/inconnu/")
        self.assertEqual(r.status_code, 404)

    def test_the_portal_list_names_every_portal(self):
        r = self.client.get("/portails/")
        self.assertContains(r, "Les actions d&#x27;Ille-et-Vilaine")
