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
