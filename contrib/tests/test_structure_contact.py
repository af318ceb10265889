from api.di import di_structure
from catalogue.models import Structure
from contrib.tests.helpers import ContribTestCase
from essaimage.test import make_sheet

CONTACT = {
    "address": "12 rue des Lilas",
    "postcode": "97400",
    "commune": "Saint-Denis",
    "phone": "02 62 12 34 56",
    "email": "accueil@adesir.example.org",
    "website": "https://adesir.example.org",
}


class StructureContactTestCase(ContribTestCase):
    def setUp(self):
        self.url = f"/contribuer/structures/{self.adesir.pk}/coordonnees/"

    def test_a_member_saves_the_contact_shown_on_the_sheets(self):
        self.client.force_login(self.alice)
        r = self.client.post(self.url, CONTACT)
        self.assertRedirects(r, self.url)
        self.adesir.refresh_from_db()
        self.assertEqual(self.adesir.phone, "02 62 12 34 56")
        self.assertTrue(self.adesir.email_is_public)
        page = self.client.get(self.sheet.get_absolute_url())
        self.assertContains(page, "Contacter la structure")
        self.assertContains(page, 'href="tel:0262123456"')
        self.assertContains(page, 'href="mailto:accueil@adesir.example.org"')
        self.assertContains(page, "12 rue des Lilas")
        record = di_structure(self.adesir)
        self.assertEqual(record["telephone"], "+33262123456")
        self.assertEqual(record["courriel"], "accueil@adesir.example.org")
        self.assertEqual(record["adresse"], "12 rue des Lilas")
        api = self.client.get(f"/api/v1/structures/{self.adesir.pk}").json()
        self.assertEqual(api["phone"], "02 62 12 34 56")
        self.assertEqual(api["email"], "accueil@adesir.example.org")

    def test_a_member_may_hide_an_imported_email_and_imports_leave_it(self):
        Structure.objects.filter(pk=self.adesir.pk).update(
            email="jeanne.martin@adesir.example.org", email_is_public=False
        )
        self.client.force_login(self.alice)
        page = self.client.get(self.url)
        self.assertContains(page, 'name="hide_email"')
        self.assertContains(page, "checked")
        self.client.post(self.url, {**CONTACT, "email": "accueil@adesir.example.org"})
        self.adesir.refresh_from_db()
        self.assertTrue(self.adesir.email_is_public)
        self.assertTrue(self.adesir.contact_edited)
        self.client.post(self.url, {**CONTACT, "hide_email": "on"})
        self.adesir.refresh_from_db()
        self.assertFalse(self.adesir.email_is_public)
        page = self.client.get(self.sheet.get_absolute_url())
        self.assertNotContains(page, "accueil@adesir.example.org")
        self.assertContains(page, "Écrire un message à la structure")

    def test_a_moderator_of_the_territory_may_edit_it(self):
        self.client.force_login(self.mona)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertRedirects(self.client.post(self.url, CONTACT), self.url)

    def test_it_is_hidden_from_others(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, CONTACT).status_code, 404)
        self.adesir.refresh_from_db()
        self.assertEqual(self.adesir.phone, "")

    def test_it_explains_bad_values_in_french(self):
        self.client.force_login(self.alice)
        r = self.client.post(self.url, {**CONTACT, "postcode": "974", "phone": "12"})
        self.assertContains(r, "Le code postal compte 5 chiffres.")
        self.assertContains(r, "Le numéro de téléphone compte au moins 10 chiffres.")

    def test_an_email_not_given_for_publication_stays_private(self):
        self.marais.email = "marie.dupont@example.org"
        self.marais.save()
        sheet = make_sheet(self.marais, "Jardin partagé")
        page = self.client.get(sheet.get_absolute_url())
        self.assertNotContains(page, "marie.dupont@example.org")
        self.assertNotIn("courriel", di_structure(self.marais))
