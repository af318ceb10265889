import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portals.models import PortalChange
from portals.tests.helpers import PortalTestCase


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "#1d4e89").save(out, format="PNG")
    return out.getvalue()


class ManagePortalTestCase(PortalTestCase):
    def setUp(self):
        self.url = "/portails/ille-et-vilaine/gerer/"
        self.data = {
            "title": "Fédération d'Ille-et-Vilaine",
            "introduction": "Nos actions.",
            "selection": "departement=35",
            "header_background": "#1d4e89",
            "header_text": "#ffffff",
            "accent": "#1d4e89",
            "highlighted": str(self.jardin.pk),
            "excluded": str(self.secret.pk),
        }

    def test_it_saves_and_records_who_changed_what(self):
        self.client.force_login(self.paula)
        r = self.client.post(self.url, self.data)
        self.assertRedirects(r, self.url)
        self.portal.refresh_from_db()
        self.assertEqual(self.portal.title, "Fédération d'Ille-et-Vilaine")
        change = PortalChange.objects.get(portal=self.portal)
        self.assertEqual(change.author, self.paula)
        self.assertEqual(
            change.changes["title"],
            ["Les actions d'Ille-et-Vilaine", "Fédération d'Ille-et-Vilaine"],
        )
        self.assertNotIn("excluded", change.changes)  # unchanged
        r = self.client.get(self.url)
        self.assertContains(r, "Historique des modifications")
        self.assertContains(r, "Paula a modifié")

    def test_it_records_nothing_when_nothing_changed(self):
        self.client.force_login(self.paula)
        self.client.post(self.url, self.data)
        self.client.post(self.url, self.data)
        self.assertEqual(PortalChange.objects.filter(portal=self.portal).count(), 1)

    def test_it_refuses_a_colour_without_enough_contrast_and_says_why(self):
        self.client.force_login(self.paula)
        # White on #777777 is the classic near miss: 4.48:1 (WebAIM's contrast checker).
        r = self.client.post(self.url, {**self.data, "header_background": "#777777"})
        self.assertContains(r, "Contraste insuffisant pour le texte du bandeau sur son fond")
        self.assertContains(r, "4,48:1 entre #ffffff et #777777, il faut au moins 4,5:1")
        r = self.client.post(self.url, {**self.data, "accent": "#ffff00"})
        self.assertContains(r, "Contraste insuffisant pour les liens")
        self.portal.refresh_from_db()
        self.assertEqual(self.portal.title, "Les actions d'Ille-et-Vilaine")

    def test_it_refuses_a_malformed_colour(self):
        self.client.force_login(self.paula)
        r = self.client.post(self.url, {**self.data, "accent": "red;}body{"})
        self.assertContains(r, "Couleur attendue au format #rrggbb")

    def test_it_explains_a_bad_selection(self):
        self.client.force_login(self.paula)
        r = self.client.post(self.url, {**self.data, "selection": "departement=999"})
        self.assertContains(r, "Sélection : Département inconnu : « 999 »")

    def test_it_refuses_unknown_or_draft_sheets(self):
        self.client.force_login(self.paula)
        r = self.client.post(self.url, {**self.data, "highlighted": f"{self.marais_draft.pk} abc"})
        self.assertContains(r, "numéros de fiches attendus")
        r = self.client.post(self.url, {**self.data, "highlighted": str(self.marais_draft.pk)})
        self.assertContains(r, "introuvable")
        r = self.client.post(self.url, {**self.data, "highlighted": str(self.secret.pk)})
        self.assertContains(r, "à la fois mise en avant et exclue")

    def test_it_accepts_a_logo_checked_by_content(self):
        self.client.force_login(self.paula)
        logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
        r = self.client.post(self.url, {**self.data, "logo": logo, "logo_alt": "Fédération 35"})
        self.assertRedirects(r, self.url)
        self.portal.refresh_from_db()
        self.assertTrue(self.portal.logo.name.endswith(".png"))
        r = self.client.get("/portails/ille-et-vilaine/")
        self.assertContains(r, 'alt="Fédération 35"')
        self.portal.logo.delete(save=False)

    def test_it_refuses_a_file_that_is_not_an_image(self):
        self.client.force_login(self.paula)
        fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
        r = self.client.post(self.url, {**self.data, "logo": fake, "logo_alt": "Logo"})
        self.assertContains(r, "n&#x27;est pas une image PNG, JPEG, GIF ou WebP")

    def test_it_requires_a_text_for_the_logo(self):
        self.client.force_login(self.paula)
        logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
        r = self.client.post(self.url, {**self.data, "logo": logo})
        self.assertContains(r, "Indiquez ce que dit le logo")

    def test_it_shows_the_numbers(self):
        self.client.get("/portails/ille-et-vilaine/")
        self.client.get("/portails/ille-et-vilaine/integration/fiches.json")
        self.client.force_login(self.paula)
        r = self.client.get(self.url)
        numbers = r.context["numbers"]
        self.assertEqual(numbers["portal_month"], 1)
        self.assertEqual(numbers["embed_month"], 1)
        self.assertEqual(numbers["added_month"], 0)  # make_sheet sets no publication date

    def test_it_requires_a_portal_administrator(self):
        self.client.force_login(self.charlie)
        r = self.client.post(self.url, self.data)
        self.assertEqual(r.status_code, 403)
        self.portal.refresh_from_db()
        self.assertEqual(self.portal.title, "Les actions d'Ille-et-Vilaine")

    def test_a_moderator_of_the_territory_is_not_a_portal_administrator(self):
        self.client.force_login(self.nina)  # moderates Ille-et-Vilaine
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 403)

    def test_it_rejects_put(self):
        self.client.force_login(self.paula)
        r = self.client.put(self.url)
        self.assertEqual(r.status_code, 405)
