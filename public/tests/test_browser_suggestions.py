"""Suggestions under the search boxes in a real browser: the ARIA combobox with the keyboard and
the mouse, beside the catalogue's search as you type, accessible, and plain without JavaScript."""

import re

from public.tests.test_browser_catalogue import BrowserTestCase


class SuggestionsBrowserTestCase(BrowserTestCase):
    def _open(self, path, box, text):
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.live_server_url + path)
        combobox = page.locator(f"#{box}")
        expect(combobox).to_have_attribute("role", "combobox")
        expect(combobox).to_have_attribute("aria-expanded", "false")
        combobox.press_sequentially(text, delay=30)
        listbox = page.locator(f"#{box}-suggest-listbox")
        expect(listbox).to_be_visible()
        expect(combobox).to_have_attribute("aria-expanded", "true")
        expect(combobox).to_have_attribute("aria-controls", f"{box}-suggest-listbox")
        return combobox, listbox

    def test_arrow_down_to_a_keyword_and_enter_applies_the_filter(self):
        from playwright.sync_api import expect

        page = self.page
        combobox, listbox = self._open("/", "home-q", "paren")
        count = listbox.get_by_role("option").count()
        self.assertGreater(count, 1)
        # The polite live region says how many, with French agreement.
        expect(page.locator("#home-q-suggest-status")).to_have_text(f"{count} suggestions")
        keywords = listbox.get_by_role("group", name="Mots clés")
        expect(keywords.get_by_role("option").first).to_contain_text("Parentalité")
        page.keyboard.press("ArrowDown")
        first = keywords.get_by_role("option").first
        expect(first).to_have_attribute("aria-selected", "true")
        expect(combobox).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
        # Down moves on, Up comes back; the focus stays in the box all along.
        page.keyboard.press("ArrowDown")
        expect(first).to_have_attribute("aria-selected", "false")
        page.keyboard.press("ArrowUp")
        expect(first).to_have_attribute("aria-selected", "true")
        expect(combobox).to_be_focused()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/actions/\?keywords=parentalite$"))
        expect(page.locator("[data-chip='keywords:parentalite']")).to_be_visible()
        expect(page.locator("#results-title")).not_to_contain_text("pour « paren")

    def test_a_structure_chosen_with_the_mouse_opens_its_page_beside_search_as_you_type(self):
        from playwright.sync_api import expect

        page = self.page
        combobox, listbox = self._open("/actions/", "id_q", "gautri")
        # The catalogue's search as you type still refreshes the results.
        expect(page.locator("#results-title")).to_contain_text("pour « gautri »")
        expect(combobox).to_have_attribute("aria-expanded", "true")
        option = listbox.get_by_role("group", name="Structures").get_by_role("option").first
        expect(option).to_contain_text("GAUTRIATS")
        option.click()
        page.wait_for_url(re.compile(r"/structures/\d+-[\w-]+/$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("GAUTRIATS")

    def test_it_still_works_after_going_back_in_the_catalogue_history(self):
        from playwright.sync_api import expect

        page = self.page
        combobox, listbox = self._open("/actions/", "id_q", "gautri")
        page.wait_for_url(re.compile(r"\?q=gautri$"))
        combobox.press_sequentially("ats", delay=30)
        page.wait_for_url(re.compile(r"\?q=gautriats$"))
        # htmx restores the previous results from its history cache: new elements.
        page.go_back()
        page.wait_for_url(re.compile(r"\?q=gautri$"))
        combobox = page.locator("#id_q")
        expect(page.locator("#id_q-suggest-listbox")).to_be_hidden()
        expect(combobox).to_have_attribute("aria-expanded", "false")
        combobox.fill("")
        combobox.press_sequentially("gautr", delay=30)
        expect(page.locator("#id_q-suggest-listbox")).to_be_visible()
        expect(combobox).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/structures/\d+-[\w-]+/$"))

    def test_escape_closes_tab_leaves_and_enter_without_a_choice_searches(self):
        from playwright.sync_api import expect

        page = self.page
        combobox, listbox = self._open("/", "home-q", "paren")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Escape")
        expect(listbox).to_be_hidden()
        expect(combobox).to_have_attribute("aria-expanded", "false")
        self.assertIsNone(combobox.get_attribute("aria-activedescendant"))
        expect(combobox).to_have_value("paren")
        # Down opens it again; Tab leaves the box and closes it.
        page.keyboard.press("ArrowDown")
        expect(listbox).to_be_visible()
        page.keyboard.press("Tab")
        expect(listbox).to_be_hidden()
        expect(combobox).not_to_be_focused()
        # Enter with no active option submits the form as before.
        combobox.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/actions/\?q=paren$"))
        expect(page.locator("#results-title")).to_contain_text("fiches pour « paren")

    def test_the_open_combobox_passes_an_accessibility_scan(self):
        from axe_playwright_python.sync_playwright import Axe

        axe = Axe()
        for path, box, text in (("/", "home-q", "paren"), ("/actions/", "id_q", "centre")):
            with self.subTest(path):
                self._open(path, box, text)
                self.page.keyboard.press("ArrowDown")
                violations = axe.run(self.page).response["violations"]
                found = [
                    (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                    for v in violations
                ]
                self.assertEqual(found, [], path)

    def test_without_javascript_the_box_is_a_plain_search_form(self):
        from playwright.sync_api import expect

        context = self.browser.new_context(locale="fr-FR", java_script_enabled=False)
        page = context.new_page()
        page.goto(self.live_server_url + "/")
        box = page.locator("#home-q")
        self.assertIsNone(box.get_attribute("role"))
        box.fill("parentalité")
        expect(page.locator("#home-q-suggest-listbox")).to_be_hidden()
        box.press("Enter")
        page.wait_for_url(re.compile(r"/actions/\?q=parentalit"))
        expect(page.locator("#results-title")).to_contain_text("pour « parentalité »")
        context.close()
