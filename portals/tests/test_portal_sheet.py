from portals.tests.helpers import PortalTestCase


class PortalSheetTestCase(PortalTestCase):
    def url(self, sheet) -> str:
        return "/portails/ille-et-vilaine" + sheet.get_absolute_url()

    def test_it_shows_a_sheet_of_the_selection_in_the_frame(self):
        r = self.client.get(self.url(self.jardin))
        self.assertContains(r, "Jardin partagé des Marais")
        self.assertContains(r, 'class="portal-banner"')

    def test_it_hides_excluded_sheets(self):
        r = self.client.get(self.url(self.secret))
        self.assertEqual(r.status_code, 404)

    def test_it_sends_sheets_outside_the_selection_to_the_main_site(self):
        r = self.client.get(self.url(self.sheet))  # Repair Café, La Réunion
        self.assertRedirects(r, self.sheet.get_absolute_url())

    def test_it_hides_drafts(self):
        r = self.client.get(self.url(self.marais_draft))
        self.assertEqual(r.status_code, 404)


class PortalPagesTestCase(PortalTestCase):
    """Statistics, map, plaquette, feed, exports and alerts keep the portal's selection."""

    prefix = "/portails/ille-et-vilaine/"

    def test_statistics_count_the_selection(self):
        r = self.client.get(self.prefix + "statistiques/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'class="portal-banner"')
        self.assertEqual(r.context["query"].departement, ("35",))

    def test_the_map_and_the_plaquette_answer_for_the_selection(self):
        r = self.client.get(self.prefix + "statistiques/carte.svg")
        self.assertEqual(r.status_code, 200)
        r = self.client.get(self.prefix + "statistiques/plaquette.pdf")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")

    def test_the_feed_holds_only_the_selection(self):
        r = self.client.get(self.prefix + "actions/feed.atom")
        self.assertContains(r, "Jardin partagé des Marais")
        self.assertNotContains(r, "Repair Café")

    def test_the_csv_export_holds_only_the_selection(self):
        r = self.client.get(self.prefix + "actions/export.csv")
        body = b"".join(r.streaming_content) if r.streaming else r.content
        self.assertIn("Jardin partagé des Marais", body.decode("utf-8-sig"))
        self.assertNotIn("Repair Café", body.decode("utf-8-sig"))

    def test_an_alert_keeps_the_selection(self):
        r = self.client.get(self.prefix + "alertes/nouvelle/", {"keywords": "numerique"})
        self.assertContains(r, 'class="portal-banner"')
        self.assertContains(r, "departement=35")

    def test_the_colours_are_a_stylesheet(self):
        r = self.client.get(self.prefix + "couleurs.css")
        self.assertEqual(r["Content-Type"], "text/css")
        self.assertContains(r, "--accent: #1d4e89")
