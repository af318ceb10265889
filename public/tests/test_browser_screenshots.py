"""Screenshots of the pages issue #22 changed, at 1280 and 390 px, into docs/screenshots/.

Not a check: it runs only with SCREENSHOTS=1 (Debian's chromium, a live test server):
    SCREENSHOTS=1 python -m pytest public/tests/test_browser_screenshots.py
"""

import os
import unittest
from pathlib import Path

from django.conf import settings

from catalogue.models import ActionSheet
from contrib.tests.helpers import make_user
from public.tests.test_browser_catalogue import BrowserTestCase

OUT = Path(settings.BASE_DIR) / "docs" / "screenshots"
PAGES = {
    "catalogue": "/actions/?keywords=parentalite",
    "open-data": "/donnees-ouvertes/",
    "api-docs": "/api/v1/docs",
    "statistics": "/statistiques/?vue=regions",
    "alert-new": "/alertes/nouvelle/?keywords=parentalite&region=27",
    "not-found": "/actions/999999/",
}


@unittest.skipUnless(os.environ.get("SCREENSHOTS"), "SCREENSHOTS=1 to write docs/screenshots/")
class ScreenshotsTestCase(BrowserTestCase):
    def test_take_screenshots(self):
        from public import open_data

        open_data.build_files()
        make_user("alice")
        sheet = ActionSheet.objects.published().get(title="Soutenir la parentalité")
        pages = {**PAGES, "sheet": sheet.get_absolute_url()}
        OUT.mkdir(parents=True, exist_ok=True)
        for width in (1280, 390):
            context = self.browser.new_context(
                locale="fr-FR", viewport={"width": width, "height": 900}
            )
            page = context.new_page()
            for name, path in pages.items():
                page.goto(self.live_server_url + path)
                page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=width == 1280)
            # A failed login: the error summary, focused.
            page.goto(self.live_server_url + "/compte/connexion/")
            page.get_by_label("Adresse électronique").fill("alice@example.org")
            page.get_by_label("Mot de passe").fill("faux")
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_load_state()
            page.screenshot(path=str(OUT / f"login-error-{width}.png"))
            if width == 390:
                # The phone's filter panel: tick a filter, then "Voir les N fiches".
                page.goto(self.live_server_url + "/actions/")
                page.locator("#facets > summary").click()
                page.locator("#f-keywords-parentalite").check()
                page.get_by_role("button", name="Voir les 11 fiches").scroll_into_view_if_needed()
                page.screenshot(path=str(OUT / f"catalogue-filters-{width}.png"))
                page.get_by_role("button", name="Voir les 11 fiches").click()
                page.wait_for_timeout(500)
                page.screenshot(path=str(OUT / f"catalogue-results-{width}.png"))
            context.close()
