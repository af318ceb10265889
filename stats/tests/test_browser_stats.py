"""The statistics page in a real browser: accessible, and usable with JavaScript off."""

from public.tests.test_browser_catalogue import BrowserTestCase


class StatsBrowserTestCase(BrowserTestCase):
    def test_the_statistics_pages_pass_an_accessibility_scan(self):
        from axe_playwright_python.sync_playwright import Axe

        axe = Axe()
        for path in (
            "/statistiques/",
            "/statistiques/?vue=regions",
            "/statistiques/?region=27",
            "/departements/25/",
        ):
            with self.subTest(path):
                self.page.goto(self.live_server_url + path)
                self.page.locator("details").first.evaluate("d => d.open = true")
                violations = axe.run(self.page).response["violations"]
                serious = [
                    (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                    for v in violations
                    if v["impact"] in ("serious", "critical")
                ]
                self.assertEqual(serious, [], path)

    def test_without_javascript_a_region_click_zooms_and_a_departement_opens_the_catalogue(self):
        context = self.browser.new_context(locale="fr-FR", java_script_enabled=False)
        page = context.new_page()
        page.goto(self.live_server_url + "/statistiques/?vue=regions")
        page.locator('a[aria-label^="Bourgogne-Franche-Comté"][aria-label$="(Doubs)"]').click()
        page.wait_for_url("**/statistiques/?region=27")
        self.assertEqual(page.locator("svg.france-map path").count(), 8)
        page.locator('svg.france-map a[aria-label^="Doubs (25)"]').click()
        page.wait_for_url("**/actions/?departement=25&region=27")
        self.assertIn("4 fiches", page.locator("#results-title").inner_text())
        context.close()
