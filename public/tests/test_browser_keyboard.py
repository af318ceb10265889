"""Keyboard and phone paths through the catalogue, measured in Debian's chromium."""

import re

from public.tests.test_browser_catalogue import BrowserTestCase

MAX_TABS = 40  # far above the target: a path longer than this is reported as "more than".


def tabs_to_first_result(page, *, use_skip_link: bool) -> int:
    """Tab presses from the search box until a result's link has focus (Enter on the skip link)."""
    page.locator("#id_q").focus()
    for presses in range(1, MAX_TABS + 100):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const a = document.activeElement;"
            " return [a.textContent.trim(), !!a.closest('.card')]; })()"
        )
        if focused[1]:
            return presses
        if use_skip_link and focused[0] == "Aller aux résultats":
            page.keyboard.press("Enter")
    return presses


class KeyboardTestCase(BrowserTestCase):
    def test_the_first_result_is_a_few_tab_presses_from_the_search_box(self):
        page = self.page
        page.goto(self.live_server_url + "/actions/?q=parentalite")
        with_link = tabs_to_first_result(page, use_skip_link=True)
        page.goto(self.live_server_url + "/actions/?q=parentalite")
        without = tabs_to_first_result(page, use_skip_link=False)
        print(f"\nTab presses to the first result: {with_link} (skip link), {without} (Tab only)")
        self.assertLess(with_link, 10)
        self.assertEqual(page.evaluate("document.activeElement.closest('.card') !== null"), True)

    def test_the_skip_link_is_visible_when_focused(self):
        page = self.page
        page.goto(self.live_server_url + "/actions/")
        page.locator("#id_q").focus()
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        link = page.get_by_role("link", name="Aller aux résultats")
        self.assertEqual(
            page.evaluate("document.activeElement.textContent.trim()"), link.inner_text()
        )
        box = link.bounding_box()
        self.assertGreater(box["x"], 0)
        self.assertGreater(box["width"], 20)

    def test_the_result_count_is_announced(self):
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.live_server_url + "/actions/")
        page.get_by_label("Rechercher une action").fill("parentalite")
        status = page.locator("[role=status]#results-announce")
        expect(status).to_contain_text(re.compile(r"\d+ fiches? pour « parentalite »"))


class PhoneFiltersTestCase(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.context.close()
        self.context = self.browser.new_context(
            locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)

    def test_see_the_sheets_folds_the_filters_and_shows_the_results(self):
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.live_server_url + "/actions/")
        page.locator("#facets > summary").click()
        page.locator("#f-keywords-parentalite").check()
        expect(page.locator("#results-title")).to_contain_text("11 fiches")
        button = page.get_by_role("button", name="Voir les 11 fiches")
        expect(button).to_be_visible()
        button.click()
        expect(page.locator("#facets")).not_to_have_attribute("open", "")
        expect(page.locator("#resultats")).to_be_focused()
        expect(page.locator(".card").first).to_be_in_viewport()

    def test_without_javascript_it_is_a_plain_submit(self):
        from playwright.sync_api import expect

        context = self.browser.new_context(
            java_script_enabled=False, viewport={"width": 390, "height": 844}
        )
        page = context.new_page()
        page.goto(self.live_server_url + "/actions/")
        page.locator("#f-keywords-parentalite").check()
        page.get_by_role("button", name=re.compile(r"^Voir les \d+ fiches$")).click()
        expect(page).to_have_url(re.compile(r"keywords=parentalite.*#resultats"))
        expect(page.get_by_role("button", name="Voir les 11 fiches")).to_be_visible()
        context.close()
