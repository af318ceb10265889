"""Browser tests: Debian's chromium driven by Playwright (never a downloaded browser).

Without /usr/bin/chromium these tests skip, except in CI (env CI set) where they fail.
"""

import os
import re
import unittest
from pathlib import Path
from unittest import mock

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from catalogue.models import ActionSheet
from essaimage.test import SAMPLE_PATH, ensure_reference_data
from ingest.importer import import_paths

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def _require_chromium():
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise AssertionError(f"{CHROMIUM} est introuvable : installez le paquet Debian chromium.")
    raise unittest.SkipTest(f"{CHROMIUM} absent (apt-get install chromium) ; obligatoire en CI.")


class BrowserTestCase(StaticLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        _require_chromium()
        # Playwright's sync API runs an event loop; Django would refuse ORM calls otherwise.
        # Only while these tests run: `check --deploy` rightly refuses this variable.
        cls._async_unsafe = mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"})
        cls._async_unsafe.start()
        cls.addClassCleanup(cls._async_unsafe.stop)
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self):
        ensure_reference_data()
        import_paths([SAMPLE_PATH])
        self.context = self.browser.new_context(locale="fr-FR")
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)

    def tearDown(self):
        self.context.close()

    def _fixture_teardown(self):
        super()._fixture_teardown()
        # The flush emptied the tables a data migration filled; later tests expect them.
        ensure_reference_data()


class CatalogueBrowserTestCase(BrowserTestCase):
    def test_it_searches_ticks_a_facet_opens_a_sheet_and_goes_back(self):
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.live_server_url + "/actions/")
        expect(page.locator("#results-title")).to_contain_text("fiches")
        page.get_by_label("Rechercher une action").fill("parentalite")
        page.get_by_role("button", name="Rechercher", exact=True).click()
        expect(page.locator("#results-title")).to_contain_text("pour « parentalite »")
        expect(page).to_have_url(re.compile(r"/actions/\?q=parentalite"))
        expect(page.locator(".snippet mark").first).to_be_visible()
        before = page.locator("#results-title").inner_text()

        # Ticking a facet updates the results in place and the address bar.
        page.locator("fieldset", has_text="Public").get_by_label(re.compile("^Familles")).check()
        expect(page).to_have_url(re.compile(r"publics=familles"))
        # Empty fields and the default page size stay out of the shared address.
        self.assertEqual(
            page.url, self.live_server_url + "/actions/?q=parentalite&publics=familles"
        )
        expect(page.locator("#results-title")).not_to_have_text(before)
        expect(page.get_by_role("link", name=re.compile("Public : Familles"))).to_be_visible()
        count = page.locator(".card").count()
        self.assertGreater(count, 0)

        title = page.locator(".card-title a").first.inner_text()
        page.locator(".card-title a").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.get_by_text("Structure organisatrice")).to_be_visible()

        page.go_back()
        expect(page).to_have_url(re.compile(r"publics=familles"))
        expect(page.locator(".card")).to_have_count(count)
        expect(
            page.locator("fieldset", has_text="Public").get_by_label(re.compile("^Familles"))
        ).to_be_checked()

    def test_facets_work_with_the_keyboard_and_keep_focus(self):
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.live_server_url + "/actions/")
        checkbox = page.locator("#f-keywords-parentalite")
        checkbox.focus()
        page.keyboard.press("Space")
        expect(page).to_have_url(re.compile(r"keywords=parentalite"))
        expect(page.locator("#results-title")).to_contain_text("11 fiches")
        expect(page.locator("#results-announce")).to_contain_text("11 fiches")
        expect(page.locator("#f-keywords-parentalite")).to_be_focused()
        expect(page.locator("#f-keywords-parentalite")).to_be_checked()

    def test_it_works_without_javascript(self):
        from playwright.sync_api import expect

        context = self.browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(self.live_server_url + "/actions/?q=numerique")
        expect(page.locator("#results-title")).to_contain_text("pour « numerique »")
        page.locator("fieldset", has_text="Statut").get_by_label(re.compile("^En cours")).check()
        page.get_by_role("button", name=re.compile(r"^Voir les \d+ fiches$")).click()
        expect(page).to_have_url(re.compile(r"status=en-cours"))
        expect(
            page.get_by_role("link", name=re.compile("Statut de l'action : En cours"))
        ).to_be_visible()
        context.close()

    def test_pages_pass_an_accessibility_scan(self):
        from axe_playwright_python.sync_playwright import Axe

        sheet = ActionSheet.objects.published().get(title="Soutenir la parentalité")
        axe = Axe()
        for path in (
            "/",
            "/actions/",
            "/actions/?q=parentalite&keywords=parentalite",
            sheet.get_absolute_url(),
        ):
            with self.subTest(path):
                self.page.goto(self.live_server_url + path)
                violations = axe.run(self.page).response["violations"]
                serious = [
                    (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                    for v in violations
                    if v["impact"] in ("serious", "critical")
                ]
                self.assertEqual(serious, [], path)

    def test_the_skip_link_leads_to_the_content(self):
        page = self.page
        page.goto(self.live_server_url + "/actions/")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        self.assertEqual(focused.strip(), "Aller au contenu")
        page.keyboard.press("Enter")
        self.assertEqual(page.evaluate("document.activeElement.id"), "contenu")
