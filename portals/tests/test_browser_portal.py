"""Browser tests of a portal (1280 and 390 px, axe) and of its embeds in a host page served on
another port (script and iframe). Debian's chromium through Playwright, as the other browser
tests (public.tests.test_browser_catalogue.BrowserTestCase).

`SCREENSHOTS_DIR=docs/screenshots` saves portal-1280.png, portal-390.png and embed-1280.png."""

import functools
import io
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.core.management import call_command

from portals.models import Portal
from public.tests.test_browser_catalogue import BrowserTestCase

WIDTHS = {1280: 900, 390: 844}


def axe_violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def screenshot(page, name: str) -> None:
    if os.environ.get("SCREENSHOTS_DIR"):
        page.screenshot(path=str(Path(os.environ["SCREENSHOTS_DIR"]) / name), full_page=False)


class PortalBrowserTestCase(BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("create_demo_portal", stdout=io.StringIO())
        self.portal = Portal.objects.get(slug="exemple-doubs")

    def open(self, width: int, path: str = ""):
        self.page.set_viewport_size({"width": width, "height": WIDTHS[width]})
        self.page.goto(self.live_server_url + self.portal.prefix + path)

    def test_at_1280_px_the_portal_frames_the_doubs_sheets(self):
        from playwright.sync_api import expect

        self.open(1280)
        expect(self.page.get_by_role("heading", level=1)).to_have_text(self.portal.title)
        banner = self.page.locator(".portal-banner")
        expect(banner).to_contain_text("exemple de démonstration")
        # The portal's colours come from its stylesheet.
        colour = banner.evaluate("e => getComputedStyle(e).backgroundColor")
        self.assertEqual(colour, "rgb(29, 78, 137)")
        cards = self.page.locator(".cards h3, .cards h2")
        self.assertGreater(cards.count(), 0)
        screenshot(self.page, "portal-1280.png")
        self.assertEqual(axe_violations(self.page), [])
        # A sheet opens inside the portal's frame.
        self.page.locator(".cards a").first.click()
        self.page.wait_for_load_state()
        self.assertIn(self.portal.prefix + "actions/", self.page.url)
        expect(self.page.locator(".portal-banner")).to_be_visible()
        self.assertEqual(axe_violations(self.page), [])

    def test_at_390_px_it_fits_the_phone(self):
        self.open(390)
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        self.assertLessEqual(overflow, 0)
        screenshot(self.page, "portal-390.png")
        self.assertEqual(axe_violations(self.page), [])

    def test_the_embed_builder_previews_both_embeds(self):
        from playwright.sync_api import expect

        self.open(1280, "integrer/")
        frame = self.page.frame_locator("iframe.embed-preview")
        expect(frame.locator("li a").first).to_be_visible()
        expect(self.page.locator(".embed-script-preview li a").first).to_be_visible()
        self.assertEqual(axe_violations(self.page), [])

    def test_the_management_page_is_accessible(self):
        from django.conf import settings
        from django.test import Client
        from playwright.sync_api import expect

        from contrib.tests.helpers import make_user
        from portals.models import PortalAdministrator

        paula = make_user("paula")
        PortalAdministrator.objects.create(portal=self.portal, user=paula)
        client = Client()
        client.force_login(paula)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": self.live_server_url}]
        )
        self.open(1280, "gerer/")
        expect(self.page.get_by_role("heading", level=2, name="Chiffres")).to_be_visible()
        self.assertEqual(axe_violations(self.page), [])


class EmbedOnAnotherSiteBrowserTestCase(BrowserTestCase):
    """A host page on another port (another origin) embeds the portal twice."""

    def setUp(self):
        super().setUp()
        call_command("create_demo_portal", stdout=io.StringIO())
        self.portal = Portal.objects.get(slug="exemple-doubs")
        # Absolute links (SITE_URL) point at this test's server.
        self.enterContext(self.settings(SITE_URL=self.live_server_url))
        self.root = Path(self.enterContext(_temporary_directory()))
        base = self.live_server_url + self.portal.prefix
        (self.root / "index.html").write_text(HOST_PAGE.format(base=base), encoding="utf-8")
        handler = functools.partial(QuietHandler, directory=str(self.root))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.host_url = f"http://127.0.0.1:{self.server.server_address[1]}/index.html"

    def test_the_script_and_the_iframe_render_in_the_host_page(self):
        from playwright.sync_api import expect

        self.page.set_viewport_size({"width": 1280, "height": 900})
        self.page.goto(self.host_url)
        script_list = self.page.locator("#actions-script .essaimage-embed li a")
        expect(script_list.first).to_be_visible()
        # The host's font size applies (the host sets 20px; the embed sets none of its own).
        size = script_list.first.evaluate("e => getComputedStyle(e).fontSize")
        self.assertEqual(size, "20px")
        href = script_list.first.get_attribute("href")
        self.assertTrue(href.startswith(self.live_server_url + "/actions/"))
        # Keyboard: the first Tab after the host's own link reaches the embed's heading link.
        self.page.locator("#host-link").focus()
        self.page.keyboard.press("Tab")
        focused = self.page.evaluate("document.activeElement.closest('.essaimage-embed') !== null")
        self.assertTrue(focused)
        # The iframe (framing allowed for embeds only) lists the same portal.
        frame = self.page.frame_locator("#actions-iframe")
        expect(frame.locator("li a").first).to_be_visible()
        self.assertEqual(frame.locator("li a").first.get_attribute("target"), "_top")
        # No cookie was set by Essaimage.
        self.assertEqual(self.context.cookies(self.live_server_url), [])
        screenshot(self.page, "embed-1280.png")
        self.assertEqual(axe_violations(self.page), [])

    def test_other_pages_refuse_to_be_framed(self):
        (self.root / "frame.html").write_text(
            f'<!doctype html><html lang="fr"><title>t</title><iframe id="f" title="catalogue" '
            f'src="{self.live_server_url}{self.portal.prefix}"></iframe></html>',
            encoding="utf-8",
        )
        self.page.goto(self.host_url.replace("index.html", "frame.html"))
        self.page.wait_for_timeout(500)
        # Chromium replaces a refused frame with its own error page.
        urls = [f.url for f in self.page.frames]
        self.assertIn("chrome-error://chromewebdata/", urls)
        headings = " ".join(self.page.frame_locator("#f").locator("h1").all_inner_texts())
        self.assertNotIn(self.portal.title, headings)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _temporary_directory():
    import tempfile

    return tempfile.TemporaryDirectory()


HOST_PAGE = """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Site d'une fédération</title>
<style>body {{ font-size: 20px; font-family: Georgia, serif; }}</style></head>
<body>
<main>
<h1>Site de la fédération</h1>
<p><a id="host-link" href="#">Un lien du site hôte</a></p>
<div id="actions-script" data-essaimage="{base}integration/fiches.json?n=3"></div>
<script src="{base}integration/script.js" async></script>
<h2>La même liste dans un cadre</h2>
<iframe id="actions-iframe" src="{base}integration/liste/?n=3" title="Actions du Doubs"
        style="width:100%;height:20em;border:0"></iframe>
</main>
</body>
</html>
"""
