"""Browser tests of the "Lieu reconnu" chip (search/places.py): keyboard, no JavaScript, axe."""

import re

from public.tests.test_browser_catalogue import BrowserTestCase
from search import places


class PlaceChipBrowserTestCase(BrowserTestCase):
    def setUp(self):
        super().setUp()
        places.clear_cache()

    def test_the_chip_is_removed_with_the_keyboard(self):
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.live_server_url + "/actions/?q=dans+le+Nord")
        expect(page.locator(".place-chip")).to_contain_text("Lieu reconnu : Nord (département)")
        remove = page.get_by_role("link", name="Retirer le lieu Nord")
        remove.focus()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"as_text=nord"))
        expect(page.locator(".place-chip")).to_have_count(0)
        expect(page.locator("#id_q")).to_have_value("dans le Nord")
        expect(page.get_by_text("est cherché comme texte")).to_be_visible()

    def test_the_chip_works_without_javascript(self):
        from playwright.sync_api import expect

        context = self.browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(self.live_server_url + "/actions/?q=dans+le+Nord")
        page.get_by_role("link", name="Retirer le lieu Nord").click()
        expect(page).to_have_url(re.compile(r"as_text=nord"))
        expect(page.locator(".place-chip")).to_have_count(0)
        context.close()

    def test_a_page_with_a_chip_passes_an_accessibility_scan(self):
        from axe_playwright_python.sync_playwright import Axe

        for width in (1280, 390):
            with self.subTest(width=width):
                self.page.set_viewport_size({"width": width, "height": 800})
                self.page.goto(self.live_server_url + "/actions/?q=jardin+dans+le+Nord")
                violations = Axe().run(self.page).response["violations"]
                serious = [
                    (v["id"], [n["target"] for n in v["nodes"]][:3])
                    for v in violations
                    if v["impact"] in ("serious", "critical")
                ]
                self.assertEqual(serious, [])
                overflow = self.page.evaluate(
                    "document.documentElement.scrollWidth > document.documentElement.clientWidth"
                )
                self.assertFalse(overflow)
