"""The statistics page with a keyboard and on a small phone (Debian's chromium)."""

from public.tests.test_browser_catalogue import BrowserTestCase

FOCUSABLE = 'a[href]:not([tabindex="-1"]), button, summary, [tabindex="0"]'


class StatsKeyboardTestCase(BrowserTestCase):
    def test_the_map_is_one_or_two_tab_stops_not_one_per_departement(self):
        self.page.goto(self.live_server_url + "/statistiques/")
        stops = self.page.evaluate(
            f"[...document.querySelectorAll('.stats-map :is({FOCUSABLE})')]"
            ".filter(e => e.checkVisibility()).length"
        )
        print(f"\nTab stops in the map figure: {stops}")
        self.assertLessEqual(stops, 3)
        # The keyboard's way to each département: the list under the map.
        self.page.locator(".map-data summary").focus()
        self.page.keyboard.press("Enter")
        self.assertGreater(self.page.locator(".map-data a[href]").count(), 5)

    def test_no_sideways_scroll_at_320_px(self):
        context = self.browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 700})
        page = context.new_page()
        for path in ("/statistiques/", "/donnees-ouvertes/", "/api/v1/docs", "/actions/"):
            with self.subTest(path):
                page.goto(self.live_server_url + path)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 320:
                    culprits = page.evaluate(
                        "[...document.querySelectorAll('body *')].filter(e => "
                        "e.getBoundingClientRect().right > 321).slice(0, 5).map(e => "
                        "e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
                    )
                    self.fail(f"{path}: {width} px wide: {culprits}")
        context.close()
