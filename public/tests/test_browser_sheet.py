"""Browser tests of the sheet page (1280 and 360 px, axe scan) and of the facets with the
keyboard. Debian's chromium through Playwright; see test_browser_catalogue.BrowserTestCase.

`SCREENSHOTS_DIR=docs/screenshots` also saves the sheet page at both widths (the committed
screenshots come from this)."""

import os
import re
from pathlib import Path

from catalogue.models import ActionSheet
from public.tests.test_browser_catalogue import BrowserTestCase

WIDTHS = {"desktop": (1280, 900), "phone": (360, 760)}


def serious_violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


class SheetPageBrowserTestCase(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.sheet = ActionSheet.objects.published().get(title="Soutenir la parentalité")
        structure = self.sheet.structure
        structure.address = "2 rue du Chalet"
        structure.postcode = "53320"
        structure.phone = "02 43 00 00 00"
        structure.email = "accueil@chalet.example.org"
        structure.email_is_public = True
        structure.website = "https://chalet.example.org"
        structure.save()

    def open(self, width: str):
        w, h = WIDTHS[width]
        self.page.set_viewport_size({"width": w, "height": h})
        self.page.goto(self.live_server_url + self.sheet.get_absolute_url())
        if os.environ.get("SCREENSHOTS_DIR"):
            target = Path(os.environ["SCREENSHOTS_DIR"]) / f"sheet-{w}.png"
            # The first screens: heading, facts, contact and the start of the text.
            clip = {"x": 0, "y": 0, "width": w, "height": 1300 if w > 800 else 2000}
            self.page.screenshot(path=str(target), full_page=True, clip=clip)

    def box(self, selector: str) -> dict:
        return self.page.locator(selector).bounding_box()

    def test_at_1280_px_the_facts_sit_beside_the_text(self):
        from playwright.sync_api import expect

        self.open("desktop")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Soutenir la parentalité")
        text, aside = self.box(".sheet-text"), self.box(".sheet-aside")
        self.assertGreater(aside["x"], text["x"] + text["width"] - 1)
        self.assertLess(aside["y"], text["y"] + 200)  # side by side, not below
        facts = self.page.locator(".facts dt").all_inner_texts()
        self.assertEqual(
            [f for f in facts if f in ("Structure organisatrice", "Département", "Région")],
            ["Structure organisatrice", "Département", "Région"],
        )
        # An imported sheet says where it comes from, not the import's day.
        self.assertLess(facts.index("Statut de l'action"), facts.index("Origine"))
        self.assertNotIn("Dernière mise à jour", facts)
        self.assertLess(facts.index("Origine"), facts.index("Public"))
        self.assertLess(facts.index("Public"), facts.index("Mots clés associés à l'action"))
        contact = self.page.get_by_role("region", name="Contacter la structure")
        expect(contact.get_by_role("link", name="02 43 00 00 00")).to_be_visible()
        expect(contact.get_by_role("link", name="accueil@chalet.example.org")).to_be_visible()
        self.assertEqual(serious_violations(self.page), [])

    def test_at_360_px_it_fits_the_phone(self):
        from playwright.sync_api import expect

        self.open("phone")
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        self.assertLessEqual(overflow, 0)
        header, aside, text = (
            self.box(".sheet-header"),
            self.box(".sheet-aside"),
            self.box(".sheet-text"),
        )
        # One column: the heading, the facts, then the text.
        self.assertLess(header["y"], aside["y"])
        self.assertLess(aside["y"] + aside["height"], text["y"] + 1)
        self.assertLessEqual(aside["width"], 360)
        expect(self.page.get_by_role("heading", name="Contacter la structure")).to_be_visible()
        self.assertEqual(serious_violations(self.page), [])


class FacetKeyboardBrowserTestCase(BrowserTestCase):
    def test_a_value_behind_voir_plus_is_reached_and_ticked_with_the_keyboard(self):
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.live_server_url + "/actions/")
        facet = page.locator("#facet-departement")
        more = facet.locator("details.facet-more")
        expect(more).not_to_have_attribute("open", "")
        hidden = more.locator("input[type=checkbox]").last
        expect(hidden).to_be_hidden()
        value = hidden.get_attribute("value")
        more.locator("summary").focus()
        page.keyboard.press("Enter")
        expect(hidden).to_be_visible()
        hidden.focus()
        page.keyboard.press("Space")
        expect(page).to_have_url(re.compile(f"departement={value}"))
        # Selected values come first, still ticked, outside the disclosure.
        first = page.locator("#facet-departement > ul input[type=checkbox]").first
        expect(first).to_have_attribute("value", value)
        expect(first).to_be_checked()

    def test_departements_are_listed_alphabetically(self):
        page = self.page
        page.goto(self.live_server_url + "/actions/")
        labels = page.locator("#facet-departement label").all_text_contents()
        names = [label.strip().split(" (")[0] for label in labels]
        self.assertEqual(names, sorted(names, key=str.casefold))
        self.assertGreater(len(names), 8)

    def test_ticking_another_departement_on_a_departement_page_opens_the_catalogue(self):
        from playwright.sync_api import expect

        page = self.page
        page.goto(self.live_server_url + "/departements/71/")
        expect(page.locator("#f-departement-71")).to_be_disabled()
        other = page.locator("#f-departement-25")
        other.focus()
        page.keyboard.press("Space")
        expect(page).to_have_url(re.compile(r"/actions/\?departement=71&departement=25"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des actions")
        expect(page.locator("[data-chip]")).to_have_count(2)
