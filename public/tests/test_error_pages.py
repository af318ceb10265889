from django.template.loader import render_to_string
from django.test import override_settings

from essaimage.test import BaseTestCase


class ErrorPagesTestCase(BaseTestCase):
    @override_settings(DEBUG=False)
    def test_404_is_in_french(self):
        r = self.client.get("/nulle-part/")
        self.assertContains(r, "Page introuvable", status_code=404)
        self.assertContains(r, '<html lang="fr">', status_code=404)
        self.assertContains(r, "Chercher une action dans le catalogue", status_code=404)

    def test_500_is_in_french_and_standalone(self):
        html = render_to_string("500.html")
        self.assertIn("Une erreur est survenue", html)
        self.assertIn('<html lang="fr">', html)

    @override_settings(DEBUG=True)
    def test_404_is_in_french_with_debug_on_too(self):
        # The demo runs with DEBUG on: visitors must not get Django's English debug page.
        for path in ("/nulle-part/", "/actions/999999-inconnue/", "/structures/999999-x/"):
            with self.subTest(path):
                r = self.client.get(path)
                self.assertContains(r, "Page introuvable", status_code=404)
                self.assertNotContains(r, "Using the URLconf", status_code=404)
                self.assertNotContains(r, "DEBUG = True", status_code=404)

    @override_settings(DEBUG=True)
    def test_500_is_in_french_with_debug_on_too(self):
        from unittest import mock

        self.client.raise_request_exception = False
        with (
            mock.patch("public.views.similar_to", side_effect=RuntimeError("planté")),
            self.assertLogs("django.request", "ERROR"),
        ):
            r = self.client.get(self.sheet.get_absolute_url())
        self.assertContains(r, "Une erreur est survenue", status_code=500)
        self.assertNotContains(r, "Traceback", status_code=500)

    @override_settings(DEBUG=True, DEBUG_TECHNICAL_ERRORS=True)
    def test_developers_can_ask_for_the_technical_pages(self):
        r = self.client.get("/nulle-part/")
        self.assertNotContains(r, "Page introuvable", status_code=404)

    def test_a_short_link_leads_to_the_sheet(self):
        r = self.client.get(f"/actions/{self.sheet.pk}/")
        self.assertRedirects(r, self.sheet.get_absolute_url(), status_code=301)
        r = self.client.get(f"/actions/{self.sheet.pk}", follow=True)
        self.assertEqual(r.redirect_chain[-1][0], self.sheet.get_absolute_url())
        self.assertContains(r, "Repair Café")

    def test_a_short_link_to_an_unknown_sheet_is_a_french_404(self):
        r = self.client.get("/actions/999999/")
        self.assertContains(r, "Page introuvable", status_code=404)
